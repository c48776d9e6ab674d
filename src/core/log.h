/*
 * log.h: one logging macro for the whole service (c-style-anchors practice 16).
 *
 * Lines go to stderr, one write(2) each, as `<UTC time> <LEVEL> <component>: <text>`. DS_LOG checks the level
 * before it evaluates its arguments. Code below the dispatcher (store, catalog) returns errors instead of
 * logging them, so each failure is logged once, by whoever answers the caller. Never log a secret.
 * Thread safe.
 */
#ifndef DS_LOG_H
#define DS_LOG_H

typedef enum ds_log_level { DS_LOG_ERROR = 0, DS_LOG_WARN = 1, DS_LOG_INFO = 2, DS_LOG_DEBUG = 3 } ds_log_level;

extern int ds_log_threshold; /* lines above this level are skipped; set with ds_log_set_level */

/* Parses "error", "warn", "info" or "debug"; returns -1 for anything else. */
int ds_log_level_parse(const char *s);
void ds_log_set_level(ds_log_level level);
void ds_log_write(ds_log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define DS_LOG(level, component, ...)                              \
  do {                                                             \
    if ((int)(level) <= ds_log_threshold) ds_log_write((level), (component), __VA_ARGS__); \
  } while (0)

#endif
