/* wire.c: a descriptor-driven walk over protobuf wire bytes that validates string fields (see wire.h). */
#include "proto/wire.h"

#include <stdint.h>

#include "core/names.h"

#define MAX_DEPTH 64

static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && *p < end; shift += 7) {
    uint8_t b = *(*p)++;
    v |= (uint64_t)(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return 0;
    }
  }
  return -1;
}

static int walk(const ProtobufCMessageDescriptor *d, const uint8_t *p, const uint8_t *end, int depth, ds_error *err) {
  if (depth > MAX_DEPTH) return ds_error_set(err, DS_E_VALIDATION, "The message is nested too deeply.");
  while (p < end) {
    uint64_t key, n;
    if (read_varint(&p, end, &key) || (key >> 3) == 0 || (key >> 3) > 0x1FFFFFFF) goto bad;
    unsigned number = (unsigned)(key >> 3), wire = (unsigned)(key & 7);
    const ProtobufCFieldDescriptor *f = d ? protobuf_c_message_descriptor_get_field(d, number) : NULL;
    switch (wire) {
    case 0:
      if (read_varint(&p, end, &n)) goto bad;
      break;
    case 1:
      if (end - p < 8) goto bad;
      p += 8;
      break;
    case 5:
      if (end - p < 4) goto bad;
      p += 4;
      break;
    case 2:
      if (read_varint(&p, end, &n) || n > (uint64_t)(end - p)) goto bad;
      if (f && f->type == PROTOBUF_C_TYPE_STRING && !ds_utf8_valid((const char *)p, (size_t)n))
        return ds_error_set(err, DS_E_VALIDATION,
                            "Field \"%s\" of %s is not valid UTF-8 or contains a NUL character.", f->name,
                            d->short_name);
      if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
        int rc = walk(f->descriptor, p, p + n, depth + 1, err);
        if (rc) return rc;
      }
      p += n;
      break;
    default: /* groups (3, 4) do not exist in proto3; 6 and 7 are not wire types */
      goto bad;
    }
  }
  return 0;
bad:
  return ds_error_set(err, DS_E_VALIDATION, "The bytes are not a valid %s message.", d ? d->name : "protobuf");
}

int ds_pb_check_strings(const ProtobufCMessageDescriptor *d, const void *data, size_t len, ds_error *err) {
  const uint8_t *p = data;
  return walk(d, p, p + len, 0, err);
}

int ds_pb_find_bytes(const void *data, size_t len, unsigned number, const void **out, size_t *out_len) {
  const uint8_t *p = data, *end = p + len;
  int found = -1;
  while (p < end) {
    uint64_t key, n;
    if (read_varint(&p, end, &key)) return -1;
    switch (key & 7) {
    case 0:
      if (read_varint(&p, end, &n)) return -1;
      break;
    case 1:
      if (end - p < 8) return -1;
      p += 8;
      break;
    case 5:
      if (end - p < 4) return -1;
      p += 4;
      break;
    case 2:
      if (read_varint(&p, end, &n) || n > (uint64_t)(end - p)) return -1;
      if ((key >> 3) == number) {
        *out = p;
        *out_len = (size_t)n;
        found = 0;
      }
      p += n;
      break;
    default: return -1;
    }
  }
  return found;
}
