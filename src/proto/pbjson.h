/*
 * pbjson.h: proto3 JSON for protobuf-c messages (https://protobuf.dev/programming-guides/proto3/#json), for
 * the REST driver bridge. Field names are lowerCamelCase (the original names are accepted on input), enums
 * are names, 64-bit integers are strings, bytes are base64, maps are objects, and Any, Value, Struct,
 * ListValue and the wrappers have their special forms. Unknown JSON keys are refused (strict).
 * Pure; thread safe.
 */
#ifndef DS_PBJSON_H
#define DS_PBJSON_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

#include "core/err.h"
#include "core/pool.h"

/* Builds a message of type d from json. All memory comes from pool (never free the result with
 * protobuf_c_message_free_unpacked). Errors are DS_E_VALIDATION naming the field path. */
int ds_pbjson_decode(ds_pool *pool, const ProtobufCMessageDescriptor *d, const json_t *json, ProtobufCMessage **out,
                     ds_error *err);
/* Serialises msg; *out is a new reference the caller json_decref()s. */
int ds_pbjson_encode(const ProtobufCMessage *msg, json_t **out, ds_error *err);

#endif
