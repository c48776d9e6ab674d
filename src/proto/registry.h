/*
 * registry.h: every protobuf message type of the build, by full name, so that type URLs (Any) and the JSON
 * "@type" field can be resolved. The list is generated at build time (scripts/gen-registry.sh). Thread safe.
 */
#ifndef DS_PB_REGISTRY_H
#define DS_PB_REGISTRY_H

#include <protobuf-c/protobuf-c.h>

/* NULL-terminated; generated into $(BUILD)/gen/registry.c. */
extern const ProtobufCMessageDescriptor *const ds_pb_registry_all[];

/* The descriptor of a message by its full name ("google.protobuf.StringValue"), or NULL. */
const ProtobufCMessageDescriptor *ds_pb_find(const char *full_name);
/* The part of a type URL after its last '/' (the whole string when there is none). */
const char *ds_pb_type_url_name(const char *type_url);

#endif
