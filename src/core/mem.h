/*
 * mem.h: allocation wrappers and the out-of-memory policy.
 *
 * Policy: small allocations whose size the program chooses never fail: on exhaustion the process logs and
 * aborts (as h2o_mem_alloc does), so callers write no dead NULL checks. Sizes that come from a request
 * (bodies, result sets) are bounded before they are allocated (see buf.h) and fail with DS_E_TOO_BIG.
 */
#ifndef DS_MEM_H
#define DS_MEM_H

#include <stddef.h>

void *ds_malloc(size_t n) __attribute__((malloc, alloc_size(1)));
void *ds_calloc(size_t count, size_t size) __attribute__((malloc));
void *ds_realloc(void *p, size_t n);
char *ds_strdup(const char *s) __attribute__((malloc));
char *ds_strndup(const char *s, size_t n) __attribute__((malloc));
/* Returns a new string the caller frees with ds_free(). */
char *ds_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2), malloc));
void ds_free(void *p);

#endif
