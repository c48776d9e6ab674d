/*
 * names.h: the naming rules of driver-contract.md §5, and safe quoting for SQL.
 *
 * Every name that reaches SQL or a path is checked here first. A bad name is a DS_E_VALIDATION (3000) error,
 * never a SQL fragment or a path. Pure functions; thread safe.
 */
#ifndef DS_NAMES_H
#define DS_NAMES_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define DS_NAME_MAX 255
#define DS_PROJECT_ID_MAX 64

/* An object name (schema, table, column, view): 1..255 bytes, valid UTF-8, no NUL, no '/', no control
 * characters. `what` names the field in the error ("Table name"). */
int ds_name_check(const char *what, const char *name, ds_error *err);

/* A bucket, table, view or column name: ds_name_check, and none of the characters " ' ` ; \ either. They
 * would be safe (names are always quoted) but no Keboola backend accepts them, and they are a sign of an
 * injection attempt rather than of a real name. */
int ds_object_name_check(const char *what, const char *name, ds_error *err);

/* A project id: 1..64 characters of [A-Za-z0-9_-], and not one of DuckDB's reserved database names. It
 * becomes a file name and a database alias, so the rule is stricter than for other names. */
int ds_project_id_check(const char *id, ds_error *err);

/* A dev-branch id: 1..64 characters of [A-Za-z0-9_-]. */
int ds_branch_id_check(const char *id, ds_error *err);

/* The schema name of a bucket: bucketId with '.' and '-' replaced by '_', prefixed "<branchId>_" when
 * branchId is not empty and is_branch_default is false. Writes into out (out_size bytes). */
int ds_bucket_schema_name(const char *bucket_id, const char *branch_id, int is_branch_default, char *out,
                          size_t out_size, ds_error *err);

/* Appends name as a double-quoted SQL identifier ("a""b"). */
int ds_sql_ident(ds_buf *b, const char *name);
/* Appends s as a single-quoted SQL string literal ('it''s'). */
int ds_sql_literal(ds_buf *b, const char *s);

/* 1 when s is valid UTF-8 of n bytes with no NUL. */
int ds_utf8_valid(const char *s, size_t n);

#endif
