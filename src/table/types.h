/*
 * types.h: column types of CreateTable/AddColumn/AlterColumn (driver-contract.md §6 "Types").
 *
 * A column arrives as (type, length): a DuckDB type name, a Keboola base type or a BigQuery name, plus an
 * optional length string ('50', '38,2'). ds_type_resolve turns it into the DuckDB SQL type to create and
 * says what kind of value it holds. Reflection goes the other way with ds_type_split, which turns DuckDB's
 * DESCRIBE text ("DECIMAL(10,2)") into a name and a length. Pure functions; thread safe.
 *
 * Keboola base types keep Keboola's meaning, which differs from DuckDB's name for two of them:
 * INTEGER → BIGINT (Keboola integers are 64-bit) and FLOAT → DOUBLE (Keboola floats are double precision).
 * DuckDB's 32-bit INTEGER and 4-byte FLOAT are reachable as INT/INT4 and REAL/FLOAT4.
 */
#ifndef DS_TYPES_H
#define DS_TYPES_H

#include <stddef.h>

#include "core/err.h"

typedef enum ds_type_kind {
  DS_TK_STRING,  /* VARCHAR and aliases: the length is a maximum in characters */
  DS_TK_INTEGER, /* whole numbers */
  DS_TK_FLOAT,   /* DOUBLE, REAL */
  DS_TK_DECIMAL, /* fixed point: the length is "p" or "p,s" */
  DS_TK_BOOLEAN,
  DS_TK_OTHER, /* dates, times, BLOB, JSON, UUID, ... */
} ds_type_kind;

#define DS_TYPE_SQL_MAX 64

typedef struct ds_type {
  ds_type_kind kind;
  char sql[DS_TYPE_SQL_MAX];  /* what CREATE TABLE gets: "VARCHAR", "DECIMAL(38,2)", "BIGINT" */
  char name[DS_TYPE_SQL_MAX]; /* DuckDB's canonical name without parameters: "VARCHAR", "DECIMAL" */
  long long max_length;       /* DS_TK_STRING with a length: the maximum; else 0 */
  int precision, scale;       /* DS_TK_DECIMAL */
} ds_type;

/* Resolves a type name (case-insensitive, surrounding spaces ignored) and a length ("" or NULL: none).
 * DS_E_VALIDATION with a message naming the problem ("Unknown type \"X\".", "Invalid length ...") on failure. */
int ds_type_resolve(const char *type, const char *length, ds_type *out, ds_error *err);

/* Splits a DuckDB type as DESCRIBE shows it into the name and its parameters: "DECIMAL(10,2)" → "DECIMAL"
 * and "10,2"; "VARCHAR" → "VARCHAR" and "". Both outputs are DS_TYPE_SQL_MAX bytes. */
void ds_type_split(const char *described, char *name, char *params);

/* The kind of a canonical DuckDB type name (as ds_type_split gives it). */
ds_type_kind ds_type_kind_of(const char *name);

/* Bytes one value of a canonical type takes in DuckDB's vectors (strings: their 16-byte header). Used for
 * the sizeBytes estimate of ObjectInfo. */
int ds_type_width(const char *described);

/* Parses a length string of a string type: 1..2^31-1 in plain decimal digits. -1 when invalid. */
long long ds_type_parse_string_length(const char *length);
/* Parses "p" or "p,s" (spaces allowed around the numbers); 1 <= p <= 38, 0 <= s <= p. */
int ds_type_parse_decimal(const char *length, int *precision, int *scale);

#endif
