/* types.c: the column type table and its parsers (see types.h). */
#include "table/types.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LEN_NONE 0    /* takes no length */
#define LEN_STRING 1  /* optional maximum length */
#define LEN_DECIMAL 2 /* optional "p" or "p,s" */

struct alias {
  const char *alias; /* what a client may send */
  const char *name;  /* DuckDB's canonical name */
  ds_type_kind kind;
  int length;
};

/* Sorted by nothing: about sixty rows, looked up once per column of a DDL command. */
static const struct alias ALIASES[] = {
    /* strings */
    {"VARCHAR", "VARCHAR", DS_TK_STRING, LEN_STRING},
    {"STRING", "VARCHAR", DS_TK_STRING, LEN_STRING},
    {"TEXT", "VARCHAR", DS_TK_STRING, LEN_STRING},
    {"CHAR", "VARCHAR", DS_TK_STRING, LEN_STRING},
    {"BPCHAR", "VARCHAR", DS_TK_STRING, LEN_STRING},
    {"NVARCHAR", "VARCHAR", DS_TK_STRING, LEN_STRING},
    /* integers: Keboola's INTEGER is 64-bit */
    {"INTEGER", "BIGINT", DS_TK_INTEGER, LEN_NONE},
    {"INT64", "BIGINT", DS_TK_INTEGER, LEN_NONE},
    {"BIGINT", "BIGINT", DS_TK_INTEGER, LEN_NONE},
    {"INT8", "BIGINT", DS_TK_INTEGER, LEN_NONE},
    {"LONG", "BIGINT", DS_TK_INTEGER, LEN_NONE},
    {"INT", "INTEGER", DS_TK_INTEGER, LEN_NONE},
    {"INT4", "INTEGER", DS_TK_INTEGER, LEN_NONE},
    {"INT32", "INTEGER", DS_TK_INTEGER, LEN_NONE},
    {"SIGNED", "INTEGER", DS_TK_INTEGER, LEN_NONE},
    {"SMALLINT", "SMALLINT", DS_TK_INTEGER, LEN_NONE},
    {"INT2", "SMALLINT", DS_TK_INTEGER, LEN_NONE},
    {"SHORT", "SMALLINT", DS_TK_INTEGER, LEN_NONE},
    {"TINYINT", "TINYINT", DS_TK_INTEGER, LEN_NONE},
    {"INT1", "TINYINT", DS_TK_INTEGER, LEN_NONE},
    {"HUGEINT", "HUGEINT", DS_TK_INTEGER, LEN_NONE},
    {"INT128", "HUGEINT", DS_TK_INTEGER, LEN_NONE},
    {"UTINYINT", "UTINYINT", DS_TK_INTEGER, LEN_NONE},
    {"USMALLINT", "USMALLINT", DS_TK_INTEGER, LEN_NONE},
    {"UINTEGER", "UINTEGER", DS_TK_INTEGER, LEN_NONE},
    {"UBIGINT", "UBIGINT", DS_TK_INTEGER, LEN_NONE},
    {"UHUGEINT", "UHUGEINT", DS_TK_INTEGER, LEN_NONE},
    /* floating point: Keboola's FLOAT is double precision */
    {"FLOAT", "DOUBLE", DS_TK_FLOAT, LEN_NONE},
    {"FLOAT64", "DOUBLE", DS_TK_FLOAT, LEN_NONE},
    {"DOUBLE", "DOUBLE", DS_TK_FLOAT, LEN_NONE},
    {"FLOAT8", "DOUBLE", DS_TK_FLOAT, LEN_NONE},
    {"DOUBLE PRECISION", "DOUBLE", DS_TK_FLOAT, LEN_NONE},
    {"REAL", "FLOAT", DS_TK_FLOAT, LEN_NONE},
    {"FLOAT4", "FLOAT", DS_TK_FLOAT, LEN_NONE},
    /* fixed point */
    {"DECIMAL", "DECIMAL", DS_TK_DECIMAL, LEN_DECIMAL},
    {"NUMERIC", "DECIMAL", DS_TK_DECIMAL, LEN_DECIMAL},
    {"BIGNUMERIC", "DECIMAL", DS_TK_DECIMAL, LEN_DECIMAL},
    /* booleans */
    {"BOOLEAN", "BOOLEAN", DS_TK_BOOLEAN, LEN_NONE},
    {"BOOL", "BOOLEAN", DS_TK_BOOLEAN, LEN_NONE},
    {"LOGICAL", "BOOLEAN", DS_TK_BOOLEAN, LEN_NONE},
    /* dates and times */
    {"DATE", "DATE", DS_TK_OTHER, LEN_NONE},
    {"TIME", "TIME", DS_TK_OTHER, LEN_NONE},
    {"TIMESTAMP", "TIMESTAMP", DS_TK_OTHER, LEN_NONE},
    {"DATETIME", "TIMESTAMP", DS_TK_OTHER, LEN_NONE},
    {"TIMESTAMP_NTZ", "TIMESTAMP", DS_TK_OTHER, LEN_NONE},
    {"TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE", DS_TK_OTHER, LEN_NONE},
    {"TIMESTAMP_TZ", "TIMESTAMP WITH TIME ZONE", DS_TK_OTHER, LEN_NONE},
    {"TIMESTAMP WITH TIME ZONE", "TIMESTAMP WITH TIME ZONE", DS_TK_OTHER, LEN_NONE},
    {"TIMESTAMP_S", "TIMESTAMP_S", DS_TK_OTHER, LEN_NONE},
    {"TIMESTAMP_MS", "TIMESTAMP_MS", DS_TK_OTHER, LEN_NONE},
    {"TIMESTAMP_NS", "TIMESTAMP_NS", DS_TK_OTHER, LEN_NONE},
    {"INTERVAL", "INTERVAL", DS_TK_OTHER, LEN_NONE},
    /* others */
    {"BLOB", "BLOB", DS_TK_OTHER, LEN_NONE},
    {"BYTES", "BLOB", DS_TK_OTHER, LEN_NONE},
    {"BYTEA", "BLOB", DS_TK_OTHER, LEN_NONE},
    {"BINARY", "BLOB", DS_TK_OTHER, LEN_NONE},
    {"VARBINARY", "BLOB", DS_TK_OTHER, LEN_NONE},
    {"UUID", "UUID", DS_TK_OTHER, LEN_NONE},
    {"JSON", "JSON", DS_TK_OTHER, LEN_NONE},
};

static const struct alias *find_alias(const char *name) {
  for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++)
    if (strcasecmp(ALIASES[i].alias, name) == 0) return &ALIASES[i];
  return NULL;
}

static const char *skip_space(const char *p) {
  while (*p == ' ' || *p == '\t') p++;
  return p;
}

/* Reads a run of decimal digits (at most 10) into *v. Returns the end or NULL. */
static const char *read_uint(const char *p, long long *v) {
  p = skip_space(p);
  const char *start = p;
  long long x = 0;
  while (*p >= '0' && *p <= '9') {
    if (p - start >= 10) return NULL;
    x = x * 10 + (*p - '0');
    p++;
  }
  if (p == start) return NULL;
  *v = x;
  return skip_space(p);
}

long long ds_type_parse_string_length(const char *length) {
  long long v;
  const char *end = read_uint(length, &v);
  if (!end || *end || v < 1 || v > 2147483647LL) return -1;
  return v;
}

int ds_type_parse_decimal(const char *length, int *precision, int *scale) {
  long long p, s = 0;
  const char *end = read_uint(length, &p);
  if (!end) return -1;
  if (*end == ',') {
    end = read_uint(end + 1, &s);
    if (!end) return -1;
  }
  if (*end || p < 1 || p > 38 || s < 0 || s > p) return -1;
  *precision = (int)p;
  *scale = (int)s;
  return 0;
}

int ds_type_resolve(const char *type, const char *length, ds_type *out, ds_error *err) {
  char name[DS_TYPE_SQL_MAX];
  memset(out, 0, sizeof *out);
  if (!type) type = "";
  const char *p = skip_space(type);
  size_t n = strlen(p);
  while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
  if (n == 0) return ds_error_set(err, DS_E_VALIDATION, "Type must not be empty.");
  if (n >= sizeof name) return ds_error_set(err, DS_E_VALIDATION, "Unknown type \"%.80s\".", type);
  memcpy(name, p, n);
  name[n] = 0;
  const struct alias *a = find_alias(name);
  if (!a) return ds_error_set(err, DS_E_VALIDATION, "Unknown type \"%s\".", name);
  out->kind = a->kind;
  snprintf(out->name, sizeof out->name, "%s", a->name);
  int has_length = length && *skip_space(length);
  switch (a->length) {
  case LEN_STRING:
    if (has_length) {
      out->max_length = ds_type_parse_string_length(length);
      if (out->max_length < 0)
        return ds_error_set(err, DS_E_VALIDATION,
                            "Invalid length \"%.40s\" for type %s: expected a whole number from 1 to 2147483647.",
                            length, name);
    }
    snprintf(out->sql, sizeof out->sql, "VARCHAR");
    break;
  case LEN_DECIMAL:
    if (has_length) {
      if (ds_type_parse_decimal(length, &out->precision, &out->scale))
        return ds_error_set(err, DS_E_VALIDATION,
                            "Invalid length \"%.40s\" for type %s: expected \"precision\" or \"precision,scale\" with "
                            "1 <= precision <= 38 and 0 <= scale <= precision.",
                            length, name);
    } else if (strcasecmp(name, "DECIMAL") == 0) {
      out->precision = 18, out->scale = 3; /* DuckDB's default */
    } else {
      out->precision = 38, out->scale = 9; /* Keboola NUMERIC / BigQuery NUMERIC */
    }
    snprintf(out->sql, sizeof out->sql, "DECIMAL(%d,%d)", out->precision, out->scale);
    break;
  default:
    if (has_length)
      return ds_error_set(err, DS_E_VALIDATION, "Type %s does not take a length, got \"%.40s\".", name, length);
    snprintf(out->sql, sizeof out->sql, "%s", a->name);
  }
  return 0;
}

void ds_type_split(const char *described, char *name, char *params) {
  const char *open = strchr(described, '(');
  size_t n = open ? (size_t)(open - described) : strlen(described);
  if (n >= DS_TYPE_SQL_MAX) n = DS_TYPE_SQL_MAX - 1;
  memcpy(name, described, n);
  name[n] = 0;
  params[0] = 0;
  if (open) {
    const char *close = strrchr(open, ')');
    size_t m = close ? (size_t)(close - open - 1) : strlen(open + 1);
    if (m >= DS_TYPE_SQL_MAX) m = DS_TYPE_SQL_MAX - 1;
    memcpy(params, open + 1, m);
    params[m] = 0;
  }
}

ds_type_kind ds_type_kind_of(const char *name) {
  const struct alias *a = find_alias(name);
  if (a && strcasecmp(a->name, name) == 0) return a->kind;
  for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++)
    if (strcasecmp(ALIASES[i].name, name) == 0) return ALIASES[i].kind;
  return DS_TK_OTHER;
}

int ds_type_width(const char *described) {
  char name[DS_TYPE_SQL_MAX], params[DS_TYPE_SQL_MAX];
  ds_type_split(described, name, params);
  static const struct {
    const char *name;
    int width;
  } W[] = {{"BOOLEAN", 1},   {"TINYINT", 1},  {"UTINYINT", 1}, {"SMALLINT", 2}, {"USMALLINT", 2},
           {"INTEGER", 4},   {"UINTEGER", 4}, {"DATE", 4},     {"FLOAT", 4},    {"BIGINT", 8},
           {"UBIGINT", 8},   {"DOUBLE", 8},   {"TIME", 8},     {"TIMESTAMP", 8}, {"HUGEINT", 16},
           {"UHUGEINT", 16}, {"UUID", 16},    {"INTERVAL", 16}};
  for (size_t i = 0; i < sizeof W / sizeof W[0]; i++)
    if (strcasecmp(W[i].name, name) == 0) return W[i].width;
  if (strncasecmp(name, "TIMESTAMP", 9) == 0) return 8;
  if (strcasecmp(name, "DECIMAL") == 0) {
    int p = 18, s = 3;
    ds_type_parse_decimal(params, &p, &s);
    return p <= 4 ? 2 : p <= 9 ? 4 : p <= 18 ? 8 : 16;
  }
  return 16;
}
