/*
 * t.h: the unit-test harness. Each tests/unit/test_*.c is one program; CHECK records a failure with file,
 * line and both values, and T_DONE() prints a summary and returns the exit status.
 */
#ifndef DS_T_H
#define DS_T_H

#include <stdio.h>
#include <string.h>

static int t_failures, t_checks;

#define CHECK(cond)                                                         \
  do {                                                                      \
    t_checks++;                                                             \
    if (!(cond)) {                                                          \
      t_failures++;                                                         \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                       \
  } while (0)

#define CHECK_INT(a, b)                                                                          \
  do {                                                                                           \
    long long t_a = (long long)(a), t_b = (long long)(b);                                        \
    t_checks++;                                                                                  \
    if (t_a != t_b) {                                                                            \
      t_failures++;                                                                              \
      fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b, t_a, t_b); \
    }                                                                                            \
  } while (0)

#define CHECK_STR(a, b)                                                                               \
  do {                                                                                                \
    const char *t_a = (a), *t_b = (b);                                                                \
    t_checks++;                                                                                       \
    if (!t_a || !t_b || strcmp(t_a, t_b) != 0) {                                                     \
      t_failures++;                                                                                   \
      fprintf(stderr, "%s:%d: %s == %s failed:\n  got:  \"%s\"\n  want: \"%s\"\n", __FILE__, __LINE__, #a, #b, \
              t_a ? t_a : "(null)", t_b ? t_b : "(null)");                                            \
    }                                                                                                 \
  } while (0)

#define T_DONE()                                                                         \
  (fprintf(stderr, "%s: %d checks, %d failed\n", __FILE__, t_checks, t_failures), t_failures ? 1 : 0)

#endif
