/*
 * wire.h: checks on protobuf wire bytes that protobuf-c's unpacker does not make.
 *
 * proto3 requires string fields to hold valid UTF-8; protobuf-c copies them as they are and cuts them at the
 * first NUL when they are used as C strings, so "nul\0x" would silently become "nul". ds_pb_check_strings
 * walks the bytes with the message's descriptor and refuses any string field that is not valid UTF-8 or
 * holds a NUL, recursing into nested messages. Pure; thread safe.
 */
#ifndef DS_PB_WIRE_H
#define DS_PB_WIRE_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

#include "core/err.h"

/* Returns 0, or DS_E_VALIDATION naming the field (e.g. `Field "projectId" of CreateProjectCommand is not
 * valid UTF-8 or contains a NUL character.`), also for bytes that are not a valid encoding. */
int ds_pb_check_strings(const ProtobufCMessageDescriptor *d, const void *data, size_t len, ds_error *err);

/* Finds the last top-level length-delimited field `number` in data (the value proto3 keeps for a scalar
 * string; for an embedded message such as an Any, the last one holds its type URL in practice). 0 and the
 * field's bytes in out and out_len, or -1 when absent or the bytes are malformed. Never allocates. */
int ds_pb_find_bytes(const void *data, size_t len, unsigned number, const void **out, size_t *out_len);

#endif
