/* Unit tests for src/grpc/reflection: answers from the embedded descriptor set, as grpcurl asks them. */
#include <string.h>

#include "core/mem.h"
#include "google/protobuf/descriptor.pb-c.h"
#include "grpc/reflection.h"
#include "grpc/reflection/v1alpha/reflection.pb-c.h"
#include "t.h"

extern const unsigned char ds_descriptor_set[];
extern const unsigned char ds_descriptor_set_end[];

typedef Grpc__Reflection__V1alpha__ServerReflectionRequest Request;
typedef Grpc__Reflection__V1alpha__ServerReflectionResponse Response;

static const char *const services[] = {"keboola.storageDriver.service.StorageDriverService", "grpc.health.v1.Health",
                                       NULL};

static Response *ask(const ds_reflection *r, Request *q) {
  size_t len = grpc__reflection__v1alpha__server_reflection_request__get_packed_size(q), rlen;
  uint8_t *buf = ds_malloc(len + 1);
  grpc__reflection__v1alpha__server_reflection_request__pack(q, buf);
  void *resp = NULL;
  ds_error err;
  CHECK_INT(ds_reflection_answer(r, buf, len, &resp, &rlen, &err), 0);
  Response *out = grpc__reflection__v1alpha__server_reflection_response__unpack(NULL, rlen, resp);
  CHECK(out != NULL);
  ds_free(buf);
  ds_free(resp);
  return out;
}

/* The names of the files in a FileDescriptorResponse, "|"-separated, in order. */
static void file_names(const Response *resp, char *out, size_t size) {
  out[0] = '\0';
  if (resp->message_response_case !=
      GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE)
    return;
  const Grpc__Reflection__V1alpha__FileDescriptorResponse *f = resp->file_descriptor_response;
  for (size_t i = 0; i < f->n_file_descriptor_proto; i++) {
    Google__Protobuf__FileDescriptorProto *fd = google__protobuf__file_descriptor_proto__unpack(
        NULL, f->file_descriptor_proto[i].len, f->file_descriptor_proto[i].data);
    CHECK(fd != NULL);
    if (!fd) continue;
    strncat(out, fd->name, size - strlen(out) - 2);
    strcat(out, "|");
    google__protobuf__file_descriptor_proto__free_unpacked(fd, NULL);
  }
}

static void symbol(const ds_reflection *r, const char *sym, char *names, size_t size, int *error_code) {
  Request q = GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_REQUEST__INIT;
  q.host = (char *)"h";
  q.message_request_case = GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL;
  q.file_containing_symbol = (char *)sym;
  Response *resp = ask(r, &q);
  names[0] = '\0';
  *error_code = 0;
  if (resp) {
    CHECK_STR(resp->valid_host, "h");
    CHECK(resp->original_request && !strcmp(resp->original_request->file_containing_symbol, sym));
    file_names(resp, names, size);
    if (resp->message_response_case ==
        GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE)
      *error_code = resp->error_response->error_code;
    grpc__reflection__v1alpha__server_reflection_response__free_unpacked(resp, NULL);
  }
}

int main(void) {
  ds_reflection *r = NULL;
  ds_error err;
  CHECK_INT(ds_reflection_new(ds_descriptor_set, (size_t)(ds_descriptor_set_end - ds_descriptor_set), services, &r, &err),
            0);
  if (!r) return T_DONE();

  Request q = GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_REQUEST__INIT;
  q.message_request_case = GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES;
  q.list_services = (char *)"";
  Response *resp = ask(r, &q);
  CHECK(resp && resp->message_response_case ==
                    GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_LIST_SERVICES_RESPONSE);
  if (resp && resp->list_services_response) {
    CHECK_INT((long long)resp->list_services_response->n_service, 2);
    CHECK_STR(resp->list_services_response->service[0]->name, services[0]);
  }
  grpc__reflection__v1alpha__server_reflection_response__free_unpacked(resp, NULL);

  char names[4096];
  int code;
  symbol(r, "keboola.storageDriver.service.StorageDriverService", names, sizeof names, &code);
  CHECK_INT(strncmp(names, "proto/service.proto|", 20), 0);
  CHECK(strstr(names, "|proto/common.proto|") != NULL);
  CHECK(strstr(names, "|google/protobuf/any.proto|") != NULL);
  symbol(r, ".keboola.storageDriver.service.StorageDriverService.Execute", names, sizeof names, &code);
  CHECK_INT(strncmp(names, "proto/service.proto|", 20), 0);
  symbol(r, "keboola.storageDriver.command.table.ImportExportShared.ImportOptions", names, sizeof names, &code);
  CHECK_INT(strncmp(names, "proto/table.proto|", 18), 0);
  symbol(r, "keboola.storageDriver.command.table.ImportExportShared.ImportOptions.ImportType", names, sizeof names, &code);
  CHECK_INT(strncmp(names, "proto/table.proto|", 18), 0);
  symbol(r, "grpc.health.v1.Health.Check", names, sizeof names, &code);
  CHECK_INT(strncmp(names, "grpc/health/v1/health.proto|", 28), 0);
  symbol(r, "no.such.Symbol", names, sizeof names, &code);
  CHECK_INT(code, 5);
  CHECK_STR(names, "");

  /* file_by_filename: the file first, then each dependency once */
  q = (Request)GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_REQUEST__INIT;
  q.message_request_case = GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_BY_FILENAME;
  q.file_by_filename = (char *)"proto/workspace.proto";
  resp = ask(r, &q);
  file_names(resp, names, sizeof names);
  CHECK_INT(strncmp(names, "proto/workspace.proto|", 22), 0);
  CHECK(strstr(names, "|proto/backend/bigQuery.proto|") != NULL);
  CHECK(strstr(names, "|proto/info.proto|") != NULL);
  const char *any = strstr(names, "google/protobuf/any.proto");
  CHECK(any && !strstr(any + 1, "google/protobuf/any.proto")); /* once */
  grpc__reflection__v1alpha__server_reflection_response__free_unpacked(resp, NULL);

  /* no question, and garbage */
  q = (Request)GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_REQUEST__INIT;
  resp = ask(r, &q);
  CHECK(resp && resp->message_response_case ==
                    GRPC__REFLECTION__V1ALPHA__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE);
  if (resp && resp->error_response) CHECK_INT(resp->error_response->error_code, 3);
  grpc__reflection__v1alpha__server_reflection_response__free_unpacked(resp, NULL);
  void *out = NULL;
  size_t out_len;
  CHECK_INT(ds_reflection_answer(r, "\xff\xff\xff", 3, &out, &out_len, &err), DS_E_VALIDATION);

  ds_reflection_free(r);
  return T_DONE();
}
