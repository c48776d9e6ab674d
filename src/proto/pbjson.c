/* pbjson.c: proto3 JSON <-> protobuf-c, driven by the message descriptors (see pbjson.h). */
#include "proto/pbjson.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "google/protobuf/any.pb-c.h"
#include "google/protobuf/struct.pb-c.h"
#include "proto/registry.h"

#define MAX_DEPTH 64
#define TYPE_PREFIX "type.googleapis.com/"

enum wkt { WKT_NONE, WKT_ANY, WKT_VALUE, WKT_STRUCT, WKT_LIST, WKT_WRAPPER };

static enum wkt wkt_of(const ProtobufCMessageDescriptor *d) {
  const char *n = d->name;
  if (strncmp(n, "google.protobuf.", 16) != 0) return WKT_NONE;
  n += 16;
  if (!strcmp(n, "Any")) return WKT_ANY;
  if (!strcmp(n, "Value")) return WKT_VALUE;
  if (!strcmp(n, "Struct")) return WKT_STRUCT;
  if (!strcmp(n, "ListValue")) return WKT_LIST;
  static const char *wrappers[] = {"DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value",
                                   "UInt32Value", "BoolValue",  "StringValue", "BytesValue", NULL};
  for (int i = 0; wrappers[i]; i++)
    if (!strcmp(n, wrappers[i])) return WKT_WRAPPER;
  return WKT_NONE;
}

/* lowerCamelCase of a field name, as protoc computes json_name. */
static void json_name(const char *name, char *out, size_t size) {
  size_t o = 0;
  int up = 0;
  for (const char *p = name; *p && o + 1 < size; p++) {
    if (*p == '_') {
      up = 1;
      continue;
    }
    out[o++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
    up = 0;
  }
  out[o] = '\0';
}

/* A map field is a repeated message field whose entry type protoc named <CamelCaseField>Entry, with key=1 and
 * value=2. protobuf-c does not keep the map_entry option, so the shape is checked instead. */
static int is_map(const ProtobufCFieldDescriptor *f) {
  if (f->label != PROTOBUF_C_LABEL_REPEATED || f->type != PROTOBUF_C_TYPE_MESSAGE) return 0;
  const ProtobufCMessageDescriptor *e = f->descriptor;
  if (e->n_fields != 2 || e->fields[0].id != 1 || e->fields[1].id != 2 || strcmp(e->fields[0].name, "key") ||
      strcmp(e->fields[1].name, "value"))
    return 0;
  char want[256];
  json_name(f->name, want, sizeof want - 5);
  if (want[0] >= 'a' && want[0] <= 'z') want[0] = (char)(want[0] - 32);
  strcat(want, "Entry");
  return strcmp(e->short_name, want) == 0;
}

static size_t elem_size(ProtobufCType t) {
  switch (t) {
  case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
  case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_FLOAT:
    return 4;
  case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
  case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
    return 8;
  case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
  case PROTOBUF_C_TYPE_ENUM: return sizeof(int);
  case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
  case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
  case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
  }
  return 8;
}

#define AT(m, off) ((void *)((char *)(m) + (off)))

/* ---------------------------------------------------------------- base64 */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static json_t *b64_encode(const uint8_t *p, size_t n) {
  size_t out_len = 4 * ((n + 2) / 3);
  char *s = ds_malloc(out_len + 1), *o = s;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    *o++ = b64[(v >> 18) & 63];
    *o++ = b64[(v >> 12) & 63];
    *o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
    *o++ = i + 2 < n ? b64[v & 63] : '=';
  }
  *o = '\0';
  json_t *j = json_stringn(s, out_len);
  ds_free(s);
  return j;
}

static int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

/* Standard or URL-safe alphabet, padding optional. */
static int b64_decode(ds_pool *pool, const char *s, size_t n, ProtobufCBinaryData *out) {
  while (n && s[n - 1] == '=') n--;
  if (n % 4 == 1) return -1;
  uint8_t *buf = ds_pool_alloc(pool, n * 3 / 4 + 1);
  size_t o = 0;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    int v = b64_value(s[i]);
    if (v < 0) return -1;
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      buf[o++] = (uint8_t)(acc >> bits);
    }
  }
  out->data = buf;
  out->len = o;
  return 0;
}

/* ---------------------------------------------------------------- encode */

static json_t *enc_message(const ProtobufCMessage *m, int depth, ds_error *err);

static json_t *enc_double(double v) {
  if (isnan(v)) return json_string("NaN");
  if (isinf(v)) return json_string(v > 0 ? "Infinity" : "-Infinity");
  return json_real(v);
}

static json_t *enc_scalar(const ProtobufCFieldDescriptor *f, const void *p, int depth, ds_error *err) {
  char buf[32];
  switch (f->type) {
  case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
    return json_integer(*(const int32_t *)p);
  case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
    return json_integer(*(const uint32_t *)p);
  case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
    snprintf(buf, sizeof buf, "%" PRId64, *(const int64_t *)p);
    return json_string(buf);
  case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
    snprintf(buf, sizeof buf, "%" PRIu64, *(const uint64_t *)p);
    return json_string(buf);
  case PROTOBUF_C_TYPE_FLOAT: return enc_double(*(const float *)p);
  case PROTOBUF_C_TYPE_DOUBLE: return enc_double(*(const double *)p);
  case PROTOBUF_C_TYPE_BOOL: return json_boolean(*(const protobuf_c_boolean *)p);
  case PROTOBUF_C_TYPE_ENUM: {
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)p);
    return ev ? json_string(ev->name) : json_integer(*(const int *)p);
  }
  case PROTOBUF_C_TYPE_STRING: {
    const char *s = *(char *const *)p;
    json_t *j = json_string(s ? s : "");
    if (!j) ds_error_set(err, DS_E_INTERNAL, "Field \"%s\" holds a string that is not valid UTF-8.", f->name);
    return j;
  }
  case PROTOBUF_C_TYPE_BYTES: {
    const ProtobufCBinaryData *b = p;
    return b64_encode(b->data, b->len);
  }
  case PROTOBUF_C_TYPE_MESSAGE: {
    const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;
    if (!sub) return json_null();
    return enc_message(sub, depth + 1, err);
  }
  }
  ds_error_set(err, DS_E_INTERNAL, "Field \"%s\" has an unknown type.", f->name);
  return NULL;
}

/* A map key as JSON object key. */
static void map_key(const ProtobufCFieldDescriptor *kf, const void *p, char *out, size_t size) {
  switch (kf->type) {
  case PROTOBUF_C_TYPE_STRING: snprintf(out, size, "%s", *(char *const *)p ? *(char *const *)p : ""); return;
  case PROTOBUF_C_TYPE_BOOL: snprintf(out, size, "%s", *(const protobuf_c_boolean *)p ? "true" : "false"); return;
  case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
    snprintf(out, size, "%" PRId64, *(const int64_t *)p); return;
  case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
    snprintf(out, size, "%" PRIu64, *(const uint64_t *)p); return;
  case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: snprintf(out, size, "%" PRIu32, *(const uint32_t *)p); return;
  default: snprintf(out, size, "%" PRId32, *(const int32_t *)p); return;
  }
}

static int is_default(const ProtobufCFieldDescriptor *f, const void *p) {
  switch (f->type) {
  case PROTOBUF_C_TYPE_STRING: return !*(char *const *)p || !**(char *const *)p;
  case PROTOBUF_C_TYPE_BYTES: return ((const ProtobufCBinaryData *)p)->len == 0;
  case PROTOBUF_C_TYPE_MESSAGE: return *(ProtobufCMessage *const *)p == NULL;
  case PROTOBUF_C_TYPE_FLOAT: return *(const float *)p == 0 && !signbit(*(const float *)p);
  case PROTOBUF_C_TYPE_DOUBLE: return *(const double *)p == 0 && !signbit(*(const double *)p);
  default: {
    size_t n = elem_size(f->type);
    static const unsigned char zero[8];
    return memcmp(p, zero, n) == 0;
  }
  }
}

static json_t *enc_field(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f, int depth, ds_error *err) {
  const void *p = AT(m, f->offset);
  if (f->label != PROTOBUF_C_LABEL_REPEATED) return enc_scalar(f, p, depth, err);
  size_t n = *(const size_t *)AT(m, f->quantifier_offset);
  const char *arr = *(char *const *)p;
  if (is_map(f)) {
    json_t *obj = json_object();
    const ProtobufCMessageDescriptor *e = f->descriptor;
    for (size_t i = 0; i < n; i++) {
      const ProtobufCMessage *entry = ((ProtobufCMessage *const *)arr)[i];
      char key[256];
      map_key(&e->fields[0], AT(entry, e->fields[0].offset), key, sizeof key);
      json_t *v = enc_scalar(&e->fields[1], AT(entry, e->fields[1].offset), depth, err);
      if (!v) {
        json_decref(obj);
        return NULL;
      }
      json_object_set_new(obj, key, v);
    }
    return obj;
  }
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *v = enc_scalar(f, arr + i * elem_size(f->type), depth, err);
    if (!v) {
      json_decref(a);
      return NULL;
    }
    json_array_append_new(a, v);
  }
  return a;
}

static json_t *enc_any(const Google__Protobuf__Any *any, int depth, ds_error *err) {
  if ((!any->type_url || !*any->type_url) && any->value.len == 0) return json_object();
  const ProtobufCMessageDescriptor *d = ds_pb_find(ds_pb_type_url_name(any->type_url ? any->type_url : ""));
  if (!d) {
    ds_error_set(err, DS_E_INTERNAL, "Cannot write Any of unknown type \"%s\" as JSON.", any->type_url);
    return NULL;
  }
  ProtobufCMessage *inner = protobuf_c_message_unpack(d, NULL, any->value.len, any->value.data);
  if (!inner) {
    ds_error_set(err, DS_E_INTERNAL, "An Any of type \"%s\" holds bytes that do not parse.", any->type_url);
    return NULL;
  }
  json_t *body = enc_message(inner, depth + 1, err), *out = NULL;
  if (body) {
    out = json_object();
    json_object_set_new(out, "@type", json_string(any->type_url));
    if (wkt_of(d) != WKT_NONE) {
      json_object_set_new(out, "value", body);
    } else {
      json_object_update(out, body);
      json_decref(body);
    }
  }
  protobuf_c_message_free_unpacked(inner, NULL);
  return out;
}

static json_t *enc_message(const ProtobufCMessage *m, int depth, ds_error *err) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  if (depth > MAX_DEPTH) {
    ds_error_set(err, DS_E_INTERNAL, "The message is nested too deeply for JSON.");
    return NULL;
  }
  switch (wkt_of(d)) {
  case WKT_ANY: return enc_any((const Google__Protobuf__Any *)m, depth, err);
  case WKT_WRAPPER: return enc_scalar(&d->fields[0], AT(m, d->fields[0].offset), depth, err);
  case WKT_STRUCT: return enc_field(m, &d->fields[0], depth, err);
  case WKT_LIST: return enc_field(m, &d->fields[0], depth, err);
  case WKT_VALUE: {
    const Google__Protobuf__Value *v = (const Google__Protobuf__Value *)m;
    switch (v->kind_case) {
    case GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE: return enc_double(v->number_value);
    case GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE: return json_string(v->string_value ? v->string_value : "");
    case GOOGLE__PROTOBUF__VALUE__KIND_BOOL_VALUE: return json_boolean(v->bool_value);
    case GOOGLE__PROTOBUF__VALUE__KIND_STRUCT_VALUE:
      return v->struct_value ? enc_message(&v->struct_value->base, depth + 1, err) : json_object();
    case GOOGLE__PROTOBUF__VALUE__KIND_LIST_VALUE:
      return v->list_value ? enc_message(&v->list_value->base, depth + 1, err) : json_array();
    default: return json_null();
    }
  }
  case WKT_NONE: break;
  }
  json_t *obj = json_object();
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    const void *p = AT(m, f->offset);
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
      if (*(const uint32_t *)AT(m, f->quantifier_offset) != f->id) continue;
    } else if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      if (*(const size_t *)AT(m, f->quantifier_offset) == 0) continue;
    } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
               f->type != PROTOBUF_C_TYPE_MESSAGE) {
      if (!*(const protobuf_c_boolean *)AT(m, f->quantifier_offset)) continue;
    } else if (is_default(f, p)) {
      continue;
    }
    json_t *v = enc_field(m, f, depth, err);
    if (!v) {
      json_decref(obj);
      return NULL;
    }
    char name[256];
    json_name(f->name, name, sizeof name);
    json_object_set_new(obj, name, v);
  }
  return obj;
}

int ds_pbjson_encode(const ProtobufCMessage *msg, json_t **out, ds_error *err) {
  *out = enc_message(msg, 0, err);
  return *out ? 0 : err->kind ? err->kind : DS_E_INTERNAL;
}

/* ---------------------------------------------------------------- decode */

/* The dotted path of the field being decoded, for error messages. */
struct path {
  char text[512];
  size_t len;
};

static size_t path_push(struct path *p, const char *name) {
  size_t old = p->len;
  int n = snprintf(p->text + p->len, sizeof p->text - p->len, "%s%s", p->len ? "." : "", name);
  if (n > 0) p->len = p->len + (size_t)n < sizeof p->text ? p->len + (size_t)n : sizeof p->text - 1;
  return old;
}

static void path_pop(struct path *p, size_t old) {
  p->len = old;
  p->text[old] = '\0';
}

static int bad(ds_error *err, const struct path *p, const char *why) {
  return ds_error_set(err, DS_E_VALIDATION, "Invalid JSON for field \"%s\": %s.", p->len ? p->text : "(root)", why);
}

static int dec_message(ds_pool *pool, const ProtobufCMessageDescriptor *d, const json_t *j, ProtobufCMessage **out,
                       struct path *path, int depth, int skip_type, ds_error *err);

static int parse_int(const json_t *j, int is_unsigned, long long *s_out, unsigned long long *u_out) {
  if (json_is_integer(j)) {
    long long v = json_integer_value(j);
    if (is_unsigned && v < 0) return -1;
    *s_out = v;
    *u_out = (unsigned long long)v;
    return 0;
  }
  if (json_is_real(j)) {
    double v = json_real_value(j);
    if (v != floor(v) || fabs(v) > 9007199254740992.0 || (is_unsigned && v < 0)) return -1;
    *s_out = (long long)v;
    *u_out = (unsigned long long)v;
    return 0;
  }
  if (!json_is_string(j)) return -1;
  const char *s = json_string_value(j);
  char *end;
  errno = 0;
  if (!*s || (is_unsigned && *s == '-')) return -1;
  if (is_unsigned) {
    *u_out = strtoull(s, &end, 10);
    *s_out = (long long)*u_out;
  } else {
    *s_out = strtoll(s, &end, 10);
    *u_out = (unsigned long long)*s_out;
  }
  return errno || *end ? -1 : 0;
}

static int parse_double(const json_t *j, double *out) {
  if (json_is_number(j)) {
    *out = json_number_value(j);
    return 0;
  }
  if (!json_is_string(j)) return -1;
  const char *s = json_string_value(j);
  if (!strcmp(s, "NaN")) *out = NAN;
  else if (!strcmp(s, "Infinity")) *out = INFINITY;
  else if (!strcmp(s, "-Infinity")) *out = -INFINITY;
  else {
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    if (!*s || *end || errno) return -1;
  }
  return 0;
}

/* Decodes one value of field f (not a repeated container) into p. */
static int dec_scalar(ds_pool *pool, const ProtobufCFieldDescriptor *f, const json_t *j, void *p, struct path *path,
                      int depth, ds_error *err) {
  long long sv;
  unsigned long long uv;
  double dv;
  switch (f->type) {
  case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
    if (parse_int(j, 0, &sv, &uv) || sv < INT32_MIN || sv > INT32_MAX) return bad(err, path, "expected a 32-bit integer");
    *(int32_t *)p = (int32_t)sv;
    return 0;
  case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
    if (parse_int(j, 1, &sv, &uv) || uv > UINT32_MAX) return bad(err, path, "expected an unsigned 32-bit integer");
    *(uint32_t *)p = (uint32_t)uv;
    return 0;
  case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
    if (parse_int(j, 0, &sv, &uv)) return bad(err, path, "expected a 64-bit integer (a number or a string)");
    *(int64_t *)p = sv;
    return 0;
  case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
    if (parse_int(j, 1, &sv, &uv)) return bad(err, path, "expected an unsigned 64-bit integer");
    *(uint64_t *)p = uv;
    return 0;
  case PROTOBUF_C_TYPE_FLOAT:
    if (parse_double(j, &dv)) return bad(err, path, "expected a number");
    *(float *)p = (float)dv;
    return 0;
  case PROTOBUF_C_TYPE_DOUBLE:
    if (parse_double(j, &dv)) return bad(err, path, "expected a number");
    *(double *)p = dv;
    return 0;
  case PROTOBUF_C_TYPE_BOOL:
    if (!json_is_boolean(j)) return bad(err, path, "expected true or false");
    *(protobuf_c_boolean *)p = json_is_true(j);
    return 0;
  case PROTOBUF_C_TYPE_ENUM: {
    if (json_is_string(j)) {
      const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, json_string_value(j));
      if (!ev) return bad(err, path, "not a value of the enum");
      *(int *)p = ev->value;
      return 0;
    }
    if (parse_int(j, 0, &sv, &uv) || sv < INT32_MIN || sv > INT32_MAX)
      return bad(err, path, "expected an enum value name or number");
    *(int *)p = (int)sv;
    return 0;
  }
  case PROTOBUF_C_TYPE_STRING:
    if (!json_is_string(j)) return bad(err, path, "expected a string");
    if (strlen(json_string_value(j)) != json_string_length(j)) return bad(err, path, "the string holds a NUL character");
    *(char **)p = ds_pool_strndup(pool, json_string_value(j), json_string_length(j));
    return 0;
  case PROTOBUF_C_TYPE_BYTES:
    if (!json_is_string(j) || b64_decode(pool, json_string_value(j), json_string_length(j), p))
      return bad(err, path, "expected base64");
    return 0;
  case PROTOBUF_C_TYPE_MESSAGE:
    return dec_message(pool, f->descriptor, j, (ProtobufCMessage **)p, path, depth + 1, 0, err);
  }
  return bad(err, path, "unsupported field type");
}

static int dec_map(ds_pool *pool, const ProtobufCFieldDescriptor *f, const json_t *j, ProtobufCMessage *m,
                   struct path *path, int depth, ds_error *err) {
  if (!json_is_object(j)) return bad(err, path, "expected an object");
  const ProtobufCMessageDescriptor *e = f->descriptor;
  size_t n = json_object_size(j), i = 0;
  ProtobufCMessage **arr = ds_pool_alloc(pool, (n ? n : 1) * sizeof *arr);
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)j, key, val) {
    ProtobufCMessage *entry = ds_pool_alloc(pool, e->sizeof_message);
    protobuf_c_message_init(e, entry);
    json_t *k = json_string(key);
    const ProtobufCFieldDescriptor *kf = &e->fields[0];
    int rc;
    if (kf->type == PROTOBUF_C_TYPE_BOOL) {
      if (strcmp(key, "true") && strcmp(key, "false")) rc = bad(err, path, "a map key must be true or false");
      else rc = (*(protobuf_c_boolean *)AT(entry, kf->offset) = !strcmp(key, "true"), 0);
    } else {
      rc = dec_scalar(pool, kf, k, AT(entry, kf->offset), path, depth, err);
    }
    json_decref(k);
    if (rc) return rc;
    size_t old = path_push(path, key);
    rc = dec_scalar(pool, &e->fields[1], val, AT(entry, e->fields[1].offset), path, depth, err);
    path_pop(path, old);
    if (rc) return rc;
    arr[i++] = entry;
  }
  *(size_t *)AT(m, f->quantifier_offset) = i;
  *(void **)AT(m, f->offset) = arr;
  return 0;
}

static int dec_field(ds_pool *pool, const ProtobufCFieldDescriptor *f, const json_t *j, ProtobufCMessage *m,
                     struct path *path, int depth, ds_error *err) {
  if (f->label != PROTOBUF_C_LABEL_REPEATED) {
    int rc = dec_scalar(pool, f, j, AT(m, f->offset), path, depth, err);
    if (!rc && f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
        f->type != PROTOBUF_C_TYPE_MESSAGE && !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
      *(protobuf_c_boolean *)AT(m, f->quantifier_offset) = 1;
    return rc;
  }
  if (is_map(f)) return dec_map(pool, f, j, m, path, depth, err);
  if (!json_is_array(j)) return bad(err, path, "expected an array");
  size_t n = json_array_size(j), es = elem_size(f->type);
  char *arr = ds_pool_calloc(pool, (n ? n : 1) * es);
  for (size_t i = 0; i < n; i++) {
    char idx[24];
    snprintf(idx, sizeof idx, "%zu", i);
    size_t old = path_push(path, idx);
    int rc = dec_scalar(pool, f, json_array_get(j, i), arr + i * es, path, depth, err);
    path_pop(path, old);
    if (rc) return rc;
  }
  *(size_t *)AT(m, f->quantifier_offset) = n;
  *(void **)AT(m, f->offset) = arr;
  return 0;
}

static int dec_value(ds_pool *pool, const json_t *j, Google__Protobuf__Value *v, struct path *path, int depth,
                     ds_error *err) {
  if (json_is_null(j)) {
    v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NULL_VALUE;
    v->null_value = GOOGLE__PROTOBUF__NULL_VALUE__NULL_VALUE;
  } else if (json_is_number(j)) {
    v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE;
    v->number_value = json_number_value(j);
  } else if (json_is_string(j)) {
    v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE;
    v->string_value = ds_pool_strndup(pool, json_string_value(j), json_string_length(j));
  } else if (json_is_boolean(j)) {
    v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_BOOL_VALUE;
    v->bool_value = json_is_true(j);
  } else if (json_is_object(j)) {
    v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRUCT_VALUE;
    return dec_message(pool, &google__protobuf__struct__descriptor, j, (ProtobufCMessage **)&v->struct_value, path,
                       depth + 1, 0, err);
  } else {
    v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_LIST_VALUE;
    return dec_message(pool, &google__protobuf__list_value__descriptor, j, (ProtobufCMessage **)&v->list_value, path,
                       depth + 1, 0, err);
  }
  return 0;
}

static int dec_any(ds_pool *pool, const json_t *j, Google__Protobuf__Any *any, struct path *path, int depth,
                   ds_error *err) {
  if (!json_is_object(j)) return bad(err, path, "expected an object with \"@type\"");
  if (json_object_size(j) == 0) return 0;
  const json_t *t = json_object_get(j, "@type");
  if (!json_is_string(t)) return bad(err, path, "an Any needs \"@type\"");
  const char *url = json_string_value(t);
  const ProtobufCMessageDescriptor *d = ds_pb_find(ds_pb_type_url_name(url));
  if (!d) return ds_error_set(err, DS_E_VALIDATION, "Unknown type \"%.200s\" in \"@type\" of \"%s\".", url,
                              path->len ? path->text : "(root)");
  ProtobufCMessage *inner = NULL;
  int rc;
  if (wkt_of(d) != WKT_NONE) {
    if (json_object_size(j) != 2 || !json_object_get(j, "value"))
      return bad(err, path, "an Any of a well-known type holds exactly \"@type\" and \"value\"");
    rc = dec_message(pool, d, json_object_get(j, "value"), &inner, path, depth + 1, 0, err);
  } else {
    rc = dec_message(pool, d, j, &inner, path, depth + 1, 1, err);
  }
  if (rc) return rc;
  any->type_url = ds_pool_strdup(pool, url);
  any->value.len = protobuf_c_message_get_packed_size(inner);
  any->value.data = ds_pool_alloc(pool, any->value.len ? any->value.len : 1);
  protobuf_c_message_pack(inner, any->value.data);
  return 0;
}

static const ProtobufCFieldDescriptor *find_field(const ProtobufCMessageDescriptor *d, const char *key) {
  for (unsigned i = 0; i < d->n_fields; i++) {
    char name[256];
    json_name(d->fields[i].name, name, sizeof name);
    if (!strcmp(name, key) || !strcmp(d->fields[i].name, key)) return &d->fields[i];
  }
  return NULL;
}

static int dec_message(ds_pool *pool, const ProtobufCMessageDescriptor *d, const json_t *j, ProtobufCMessage **out,
                       struct path *path, int depth, int skip_type, ds_error *err) {
  if (depth > MAX_DEPTH) return bad(err, path, "nested too deeply");
  ProtobufCMessage *m = ds_pool_alloc(pool, d->sizeof_message);
  protobuf_c_message_init(d, m);
  *out = m;
  enum wkt w = wkt_of(d);
  if (w == WKT_ANY) return dec_any(pool, j, (Google__Protobuf__Any *)m, path, depth, err);
  if (w == WKT_VALUE) return dec_value(pool, j, (Google__Protobuf__Value *)m, path, depth, err);
  if (w == WKT_WRAPPER) return dec_scalar(pool, &d->fields[0], j, AT(m, d->fields[0].offset), path, depth, err);
  if (w == WKT_STRUCT || w == WKT_LIST) return dec_field(pool, &d->fields[0], j, m, path, depth, err);
  if (!json_is_object(j)) return bad(err, path, "expected an object");
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)j, key, val) {
    if (skip_type && !strcmp(key, "@type")) continue;
    const ProtobufCFieldDescriptor *f = find_field(d, key);
    if (!f)
      return ds_error_set(err, DS_E_VALIDATION, "Unknown field \"%.100s\" in %s%s%s.", key, d->name,
                          path->len ? " at " : "", path->len ? path->text : "");
    size_t old = path_push(path, key);
    int rc = 0;
    if (json_is_null(val) && !(f->type == PROTOBUF_C_TYPE_MESSAGE && wkt_of(f->descriptor) == WKT_VALUE &&
                               f->label != PROTOBUF_C_LABEL_REPEATED)) {
      /* null means "default" for every field but a Value, where it is NULL_VALUE */
    } else {
      if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t *c = AT(m, f->quantifier_offset);
        if (*c && *c != f->id) rc = bad(err, path, "another member of the same oneof is set already");
        else *c = f->id;
      }
      if (!rc) rc = dec_field(pool, f, val, m, path, depth, err);
    }
    path_pop(path, old);
    if (rc) return rc;
  }
  return 0;
}

int ds_pbjson_decode(ds_pool *pool, const ProtobufCMessageDescriptor *d, const json_t *json, ProtobufCMessage **out,
                     ds_error *err) {
  struct path path;
  path.text[0] = '\0';
  path.len = 0;
  return dec_message(pool, d, json, out, &path, 0, 0, err);
}
