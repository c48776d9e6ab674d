/* names.c: name rules and SQL quoting (see names.h). */
#include "core/names.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int ds_utf8_valid(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c == 0) return 0;
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    unsigned int cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return 0;
    }
    if (i + len > n) return 0;
    for (size_t k = 1; k < len; k++) {
      if ((p[i + k] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    i += len;
  }
  return 1;
}

int ds_name_check(const char *what, const char *name, ds_error *err) {
  if (!name || !*name) return ds_error_set(err, DS_E_VALIDATION, "%s must not be empty.", what);
  size_t n = strlen(name);
  if (n > DS_NAME_MAX)
    return ds_error_set(err, DS_E_VALIDATION, "%s is too long: %zu bytes, at most %d are allowed.", what, n,
                        DS_NAME_MAX);
  if (!ds_utf8_valid(name, n)) return ds_error_set(err, DS_E_VALIDATION, "%s is not valid UTF-8.", what);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    if (c == '/' || c < 0x20 || c == 0x7F)
      return ds_error_set(err, DS_E_VALIDATION, "%s \"%.64s\" contains a forbidden character (\"/\" or a control character).",
                          what, name);
  }
  return 0;
}

int ds_object_name_check(const char *what, const char *name, ds_error *err) {
  int rc = ds_name_check(what, name, err);
  if (rc) return rc;
  const char *bad = strpbrk(name, "\"'`;\\");
  if (bad)
    return ds_error_set(err, DS_E_VALIDATION, "%s \"%.64s\" contains a forbidden character (%c).", what, name, *bad);
  return 0;
}

static int id_chars_ok(const char *id, size_t max) {
  size_t n = strlen(id);
  if (n == 0 || n > max) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = id[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

int ds_project_id_check(const char *id, ds_error *err) {
  /* "admin" is the S3 access key id of the admin key (contract §7) */
  static const char *reserved[] = {"system", "temp", "memory", "main", "ds_catalog", "admin", NULL};
  if (!id || !*id) return ds_error_set(err, DS_E_VALIDATION, "Project id must not be empty.");
  if (!id_chars_ok(id, DS_PROJECT_ID_MAX))
    return ds_error_set(err, DS_E_VALIDATION,
                        "Project id \"%.80s\" is not valid: use 1 to %d characters of A-Z, a-z, 0-9, \"_\" and \"-\".",
                        id, DS_PROJECT_ID_MAX);
  for (int i = 0; reserved[i]; i++)
    if (strcasecmp(id, reserved[i]) == 0)
      return ds_error_set(err, DS_E_VALIDATION, "Project id \"%s\" is reserved.", id);
  return 0;
}

int ds_branch_id_check(const char *id, ds_error *err) {
  if (!id || !*id) return ds_error_set(err, DS_E_VALIDATION, "Branch id must not be empty.");
  if (!id_chars_ok(id, 64))
    return ds_error_set(err, DS_E_VALIDATION,
                        "Branch id \"%.80s\" is not valid: use 1 to 64 characters of A-Z, a-z, 0-9, \"_\" and \"-\".", id);
  return 0;
}

int ds_bucket_schema_name(const char *bucket_id, const char *branch_id, int is_branch_default, char *out,
                          size_t out_size, ds_error *err) {
  int rc = ds_name_check("Bucket id", bucket_id, err);
  if (rc) return rc;
  int prefixed = branch_id && *branch_id && !is_branch_default;
  if (prefixed && (rc = ds_branch_id_check(branch_id, err))) return rc;
  int n = prefixed ? snprintf(out, out_size, "%s_%s", branch_id, bucket_id) : snprintf(out, out_size, "%s", bucket_id);
  if (n < 0 || (size_t)n >= out_size || n > DS_NAME_MAX)
    return ds_error_set(err, DS_E_VALIDATION, "Bucket name is too long: at most %d bytes are allowed.", DS_NAME_MAX);
  for (char *p = out + (prefixed ? strlen(branch_id) + 1 : 0); *p; p++)
    if (*p == '.' || *p == '-') *p = '_';
  return 0;
}

static int quoted(ds_buf *b, const char *s, char q) {
  int rc = ds_buf_append(b, &q, 1);
  for (const char *p = s; !rc && *p; p++) {
    if (*p == q) rc = ds_buf_append(b, &q, 1);
    if (!rc) rc = ds_buf_append(b, p, 1);
  }
  if (!rc) rc = ds_buf_append(b, &q, 1);
  return rc;
}

int ds_sql_ident(ds_buf *b, const char *name) { return quoted(b, name, '"'); }
int ds_sql_literal(ds_buf *b, const char *s) { return quoted(b, s, '\''); }
