/*
 * reflection.h: the logic of gRPC server reflection (grpc.reflection.v1alpha and v1, identical on the wire),
 * without the transport: one serialized ServerReflectionRequest in, one serialized ServerReflectionResponse
 * out. The answers come from the FileDescriptorSet embedded at build time (our protos, health, reflection),
 * so `grpcurl list` and `describe` work.
 *
 * Threads: immutable after ds_reflection_new; ds_reflection_answer may run on many threads at once.
 */
#ifndef DS_REFLECTION_H
#define DS_REFLECTION_H

#include <stddef.h>

#include "core/err.h"

typedef struct ds_reflection ds_reflection;

/* Indexes every file of the descriptor set by name and every symbol it defines (messages and enums, nested
 * ones too, services and their methods). `services` (NULL-terminated) is what list_services reports. */
int ds_reflection_new(const void *data, size_t len, const char *const *services, ds_reflection **out, ds_error *err);
void ds_reflection_free(ds_reflection *r);

/* Answers one request. *resp is the serialized response, which the caller frees with ds_free. A symbol or
 * file that does not exist is an ErrorResponse (NOT_FOUND) inside a successful answer, as in gRPC's C++
 * server; only bytes that do not parse are an error (DS_E_VALIDATION). */
int ds_reflection_answer(const ds_reflection *r, const void *req, size_t req_len, void **resp, size_t *resp_len,
                         ds_error *err);

#endif
