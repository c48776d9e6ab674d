/* log.c: line-at-a-time logging to stderr (see log.h). */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

int ds_log_threshold = DS_LOG_INFO;

static const char *names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

int ds_log_level_parse(const char *s) {
  static const char *lower[] = {"error", "warn", "info", "debug"};
  for (int i = 0; i < 4; i++)
    if (strcasecmp(s, lower[i]) == 0) return i;
  if (strcasecmp(s, "warning") == 0) return DS_LOG_WARN;
  return -1;
}

void ds_log_set_level(ds_log_level level) { ds_log_threshold = (int)level; }

void ds_log_write(ds_log_level level, const char *component, const char *fmt, ...) {
  char line[4096];
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
  n += snprintf(line + n, sizeof line - (size_t)n, ".%03ldZ %-5s %s: ", ts.tv_nsec / 1000000,
                names[level < 0 || level > 3 ? 0 : level], component);
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  va_end(ap);
  if (m < 0) m = 0;
  n += m;
  if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
  /* one line per record: control characters from user input must not forge new lines */
  for (int i = 0; i < n; i++)
    if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
  line[n++] = '\n';
  ssize_t w = write(2, line, (size_t)n);
  (void)w;
}
