/* reflection.c: descriptor-set index and reflection answers (see reflection.h). */
#include "grpc/reflection.h"

#include <stdint.h>
#include <string.h>

#include "core/map.h"
#include "core/mem.h"
#include "core/pool.h"
#include "google/protobuf/descriptor.pb-c.h"
#include "grpc/reflection/v1alpha/reflection.pb-c.h"

typedef Google__Protobuf__FileDescriptorProto FileProto;
typedef Google__Protobuf__DescriptorProto MessageProto;
typedef Grpc__Reflection__V1alpha__ServerReflectionRequest Request;
typedef Grpc__Reflection__V1alpha__ServerReflectionResponse Response;

enum { NOT_FOUND = 5, INVALID_ARGUMENT = 3 };

struct file {
  char *name;
  ProtobufCBinaryData bytes; /* the serialized FileDescriptorProto */
  size_t *deps;              /* indexes of its direct dependencies */
  size_t n_deps;
};

struct ds_reflection {
  struct file *files;
  size_t n_files;
  ds_map *by_name;   /* file name -> index + 1 */
  ds_map *by_symbol; /* full symbol -> index + 1 */
  ds_map *types;     /* message full names -> 1, for all_extension_numbers_of_type */
  char **services;
  size_t n_services;
};

static void *idx_value(size_t i) { return (void *)(uintptr_t)(i + 1); }
static long idx_of(const ds_map *m, const char *key) {
  uintptr_t v = (uintptr_t)ds_map_get(m, key);
  return v ? (long)v - 1 : -1;
}

static void add_symbol(ds_reflection *r, const char *prefix, const char *name, size_t file, int is_type) {
  char *full = *prefix ? ds_asprintf("%s.%s", prefix, name) : ds_strdup(name);
  ds_map_put(r->by_symbol, full, idx_value(file));
  if (is_type) ds_map_put(r->types, full, (void *)1);
  ds_free(full);
}

static void add_message(ds_reflection *r, const char *prefix, const MessageProto *m, size_t file) {
  add_symbol(r, prefix, m->name, file, 1);
  char *full = *prefix ? ds_asprintf("%s.%s", prefix, m->name) : ds_strdup(m->name);
  for (size_t i = 0; i < m->n_nested_type; i++) add_message(r, full, m->nested_type[i], file);
  for (size_t i = 0; i < m->n_enum_type; i++) add_symbol(r, full, m->enum_type[i]->name, file, 0);
  for (size_t i = 0; i < m->n_extension; i++) add_symbol(r, full, m->extension[i]->name, file, 0);
  ds_free(full);
}

static void index_file(ds_reflection *r, const FileProto *f, size_t idx) {
  const char *pkg = f->package ? f->package : "";
  for (size_t i = 0; i < f->n_message_type; i++) add_message(r, pkg, f->message_type[i], idx);
  for (size_t i = 0; i < f->n_enum_type; i++) add_symbol(r, pkg, f->enum_type[i]->name, idx, 0);
  for (size_t i = 0; i < f->n_extension; i++) add_symbol(r, pkg, f->extension[i]->name, idx, 0);
  for (size_t i = 0; i < f->n_service; i++) {
    add_symbol(r, pkg, f->service[i]->name, idx, 0);
    char *svc = *pkg ? ds_asprintf("%s.%s", pkg, f->service[i]->name) : ds_strdup(f->service[i]->name);
    for (size_t k = 0; k < f->service[i]->n_method; k++) add_symbol(r, svc, f->service[i]->method[k]->name, idx, 0);
    ds_free(svc);
  }
}

int ds_reflection_new(const void *data, size_t len, const char *const *services, ds_reflection **out, ds_error *err) {
  int rc = 0;
  ds_reflection *r = ds_calloc(1, sizeof *r);
  r->by_name = ds_map_new();
  r->by_symbol = ds_map_new();
  r->types = ds_map_new();
  Google__Protobuf__FileDescriptorSet *set = google__protobuf__file_descriptor_set__unpack(NULL, len, data);
  if (!set) {
    rc = ds_error_set(err, DS_E_INTERNAL, "The embedded descriptor set does not parse.");
    goto out;
  }
  r->n_files = set->n_file;
  r->files = ds_calloc(set->n_file ? set->n_file : 1, sizeof *r->files);
  for (size_t i = 0; i < set->n_file; i++) {
    const FileProto *f = set->file[i];
    struct file *rf = &r->files[i];
    rf->name = ds_strdup(f->name);
    rf->bytes.len = google__protobuf__file_descriptor_proto__get_packed_size(f);
    rf->bytes.data = ds_malloc(rf->bytes.len ? rf->bytes.len : 1);
    google__protobuf__file_descriptor_proto__pack(f, rf->bytes.data);
    ds_map_put(r->by_name, f->name, idx_value(i));
    index_file(r, f, i);
  }
  /* a set made with --include_imports lists every dependency before its dependents */
  for (size_t i = 0; i < set->n_file; i++) {
    const FileProto *f = set->file[i];
    struct file *rf = &r->files[i];
    rf->deps = ds_calloc(f->n_dependency ? f->n_dependency : 1, sizeof *rf->deps);
    for (size_t k = 0; k < f->n_dependency; k++) {
      long d = idx_of(r->by_name, f->dependency[k]);
      if (d < 0) {
        rc = ds_error_set(err, DS_E_INTERNAL, "Descriptor set: %s imports %s, which is missing.", f->name,
                          f->dependency[k]);
        goto out;
      }
      rf->deps[rf->n_deps++] = (size_t)d;
    }
  }
  for (const char *const *s = services; s && *s; s++) r->n_services++;
  r->services = ds_calloc(r->n_services ? r->n_services : 1, sizeof *r->services);
  for (size_t i = 0; i < r->n_services; i++) r->services[i] = ds_strdup(services[i]);
out:
  if (set) google__protobuf__file_descriptor_set__free_unpacked(set, NULL);
  if (rc) {
    ds_reflection_free(r);
    r = NULL;
  }
  *out = r;
  return rc;
}

void ds_reflection_free(ds_reflection *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n_files; i++) {
    ds_free(r->files[i].name);
    ds_free(r->files[i].bytes.data);
    ds_free(r->files[i].deps);
  }
  ds_free(r->files);
  for (size_t i = 0; i < r->n_services; i++) ds_free(r->services[i]);
  ds_free(r->services);
  ds_map_free(r->by_name, NULL);
  ds_map_free(r->by_symbol, NULL);
  ds_map_free(r->types, NULL);
  ds_free(r);
}

/* Appends file i and then its transitive dependencies, each once, to the response. */
static void collect(const ds_reflection *r, size_t i, unsigned char *seen,
                    Grpc__Reflection__V1alpha__FileDescriptorResponse *fdr) {
  if (seen[i]) return;
  seen[i] = 1;
  fdr->file_descriptor_proto[fdr->n_file_descriptor_proto++] = r->files[i].bytes;
  for (size_t k = 0; k < r->files[i].n_deps; k++) collect(r, r->files[i].deps[k], seen, fdr);
}

static void answer_file(ds_pool *pool, const ds_reflection *r, long idx, const char *missing, Response *resp) {
  if (idx < 0) {
    Grpc__Reflection__V1alpha__ErrorResponse *e = ds_pool_alloc(pool, sizeof *e);
    grpc__reflection__v1alpha__error_response__init(e);
    e->error_code = NOT_FOUND;
    e->error_message = (char *)missing;
    resp->message_response_case = GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE;
    resp->error_response = e;
    return;
  }
  Grpc__Reflection__V1alpha__FileDescriptorResponse *fdr = ds_pool_alloc(pool, sizeof *fdr);
  grpc__reflection__v1alpha__file_descriptor_response__init(fdr);
  fdr->file_descriptor_proto = ds_pool_alloc(pool, r->n_files * sizeof *fdr->file_descriptor_proto);
  unsigned char *seen = ds_pool_calloc(pool, r->n_files);
  collect(r, (size_t)idx, seen, fdr);
  resp->message_response_case =
      GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE;
  resp->file_descriptor_response = fdr;
}

static void answer_error(ds_pool *pool, int code, const char *msg, Response *resp) {
  Grpc__Reflection__V1alpha__ErrorResponse *e = ds_pool_alloc(pool, sizeof *e);
  grpc__reflection__v1alpha__error_response__init(e);
  e->error_code = code;
  e->error_message = (char *)msg;
  resp->message_response_case = GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE;
  resp->error_response = e;
}

int ds_reflection_answer(const ds_reflection *r, const void *req, size_t req_len, void **resp_out, size_t *resp_len,
                         ds_error *err) {
  ds_pool *pool = ds_pool_new();
  int rc = 0;
  Request *q = grpc__reflection__v1alpha__server_reflection_request__unpack(ds_pool_pb_allocator(pool), req_len, req);
  if (!q) {
    rc = ds_error_set(err, DS_E_VALIDATION, "The request is not a ServerReflectionRequest.");
    goto out;
  }
  Response resp = GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_RESPONSE__INIT;
  resp.valid_host = q->host;
  resp.original_request = q;
  switch (q->message_request_case) {
  case GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_BY_FILENAME:
    answer_file(pool, r, idx_of(r->by_name, q->file_by_filename), "File not found.", &resp);
    break;
  case GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL: {
    const char *sym = q->file_containing_symbol;
    if (*sym == '.') sym++;
    answer_file(pool, r, idx_of(r->by_symbol, sym), "Symbol not found.", &resp);
    break;
  }
  case GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_EXTENSION:
    answer_error(pool, NOT_FOUND, "Extension not found.", &resp); /* our protos define no extensions */
    break;
  case GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_ALL_EXTENSION_NUMBERS_OF_TYPE: {
    const char *type = q->all_extension_numbers_of_type;
    if (*type == '.') type++;
    if (!ds_map_get(r->types, type)) {
      answer_error(pool, NOT_FOUND, "Type not found.", &resp);
      break;
    }
    Grpc__Reflection__V1alpha__ExtensionNumberResponse *en = ds_pool_alloc(pool, sizeof *en);
    grpc__reflection__v1alpha__extension_number_response__init(en);
    en->base_type_name = (char *)type;
    resp.message_response_case =
        GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ALL_EXTENSION_NUMBERS_RESPONSE;
    resp.all_extension_numbers_response = en;
    break;
  }
  case GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES: {
    Grpc__Reflection__V1alpha__ListServiceResponse *ls = ds_pool_alloc(pool, sizeof *ls);
    grpc__reflection__v1alpha__list_service_response__init(ls);
    ls->service = ds_pool_alloc(pool, (r->n_services ? r->n_services : 1) * sizeof *ls->service);
    for (size_t i = 0; i < r->n_services; i++) {
      Grpc__Reflection__V1alpha__ServiceResponse *s = ds_pool_alloc(pool, sizeof *s);
      grpc__reflection__v1alpha__service_response__init(s);
      s->name = r->services[i];
      ls->service[ls->n_service++] = s;
    }
    resp.message_response_case =
        GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_LIST_SERVICES_RESPONSE;
    resp.list_services_response = ls;
    break;
  }
  default:
    answer_error(pool, INVALID_ARGUMENT, "The request names no question.", &resp);
    break;
  }
  *resp_len = grpc__reflection__v1alpha__server_reflection_response__get_packed_size(&resp);
  *resp_out = ds_malloc(*resp_len ? *resp_len : 1);
  grpc__reflection__v1alpha__server_reflection_response__pack(&resp, *resp_out);
out:
  ds_pool_free(pool);
  return rc;
}
