/* Unit tests for src/proto: proto3 JSON mapping (pbjson), the message registry and the wire string check. */
#include <jansson.h>
#include <string.h>

#include "core/pool.h"
#include "google/protobuf/any.pb-c.h"
#include "google/protobuf/struct.pb-c.h"
#include "google/protobuf/wrappers.pb-c.h"
#include "proto/common.pb-c.h"
#include "proto/credentials.pb-c.h"
#include "proto/info.pb-c.h"
#include "proto/pbjson.h"
#include "proto/project.pb-c.h"
#include "proto/registry.h"
#include "proto/table.pb-c.h"
#include "proto/wire.h"
#include "t.h"

typedef Keboola__StorageDriver__Command__Common__DriverRequest DriverRequest;

static json_t *parse(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
  if (!j) fprintf(stderr, "bad test JSON: %s\n", e.text);
  return j;
}

/* Decodes text as d, packs it to binary, unpacks it with protobuf-c, encodes it again and compares. */
static void round_trip(const ProtobufCMessageDescriptor *d, const char *text, const char *want_text) {
  ds_pool *pool = ds_pool_new();
  ds_error err;
  json_t *in = parse(text), *want = parse(want_text ? want_text : text), *out = NULL;
  ProtobufCMessage *m = NULL;
  CHECK_INT(ds_pbjson_decode(pool, d, in, &m, &err), 0);
  if (m) {
    size_t len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = ds_pool_alloc(pool, len + 1);
    protobuf_c_message_pack(m, buf);
    ProtobufCMessage *back = protobuf_c_message_unpack(d, NULL, len, buf);
    CHECK(back != NULL);
    CHECK_INT(ds_pbjson_encode(back, &out, &err), 0);
    if (!json_equal(out, want)) {
      char *a = json_dumps(out, JSON_SORT_KEYS), *b = json_dumps(want, JSON_SORT_KEYS);
      CHECK_STR(a, b);
      free(a);
      free(b);
    }
    protobuf_c_message_free_unpacked(back, NULL);
  }
  json_decref(in);
  json_decref(want);
  json_decref(out);
  ds_pool_free(pool);
}

static void expect_error(const ProtobufCMessageDescriptor *d, const char *text, const char *needle) {
  ds_pool *pool = ds_pool_new();
  ds_error err;
  ProtobufCMessage *m = NULL;
  json_t *in = parse(text);
  int rc = ds_pbjson_decode(pool, d, in, &m, &err);
  CHECK_INT(rc, DS_E_VALIDATION);
  if (rc && !strstr(err.msg, needle)) {
    fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.msg, needle);
    CHECK(0);
  }
  json_decref(in);
  ds_pool_free(pool);
}

static void test_driver_request(void) {
  const char *text =
      "{\"credentials\":{\"@type\":\"type.googleapis.com/keboola.storageDriver.credentials.GenericBackendCredentials\","
      "\"host\":\"123\",\"principal\":\"key\",\"port\":5432},"
      "\"command\":{\"@type\":\"type.googleapis.com/keboola.storageDriver.command.project.CreateProjectCommand\","
      "\"projectId\":\"123\",\"fileStorage\":\"ABS\",\"dataRetentionTime\":7},"
      "\"features\":[\"a\",\"b\"],\"runtimeOptions\":{\"runId\":\"r1\",\"queryTags\":{\"branch_id\":\"9\",\"x\":\"y\"}}}";
  round_trip(&keboola__storage_driver__command__common__driver_request__descriptor, text, NULL);

  /* the decoded fields are right, and the command Any holds a real CreateProjectCommand */
  ds_pool *pool = ds_pool_new();
  ds_error err;
  json_t *in = parse(text);
  ProtobufCMessage *m;
  CHECK_INT(ds_pbjson_decode(pool, &keboola__storage_driver__command__common__driver_request__descriptor, in, &m, &err), 0);
  DriverRequest *r = (DriverRequest *)m;
  CHECK_INT((long long)r->n_features, 2);
  CHECK_STR(r->features[1], "b");
  CHECK_STR(r->runtimeoptions->runid, "r1");
  CHECK_INT((long long)r->runtimeoptions->n_querytags, 2);
  CHECK_STR(r->command->type_url, "type.googleapis.com/keboola.storageDriver.command.project.CreateProjectCommand");
  Keboola__StorageDriver__Command__Project__CreateProjectCommand *c =
      keboola__storage_driver__command__project__create_project_command__unpack(NULL, r->command->value.len,
                                                                                 r->command->value.data);
  CHECK(c != NULL);
  if (c) {
    CHECK_STR(c->projectid, "123");
    CHECK_INT(c->filestorage, KEBOOLA__STORAGE_DRIVER__COMMAND__PROJECT__CREATE_PROJECT_COMMAND__FILE_STORAGE_TYPE__ABS);
    CHECK_INT(c->dataretentiontime, 7);
    keboola__storage_driver__command__project__create_project_command__free_unpacked(c, NULL);
  }
  json_decref(in);
  ds_pool_free(pool);
}

static void test_scalars(void) {
  const ProtobufCMessageDescriptor *resp = &keboola__storage_driver__command__table__table_import_response__descriptor;
  /* int64 written as strings; numbers and strings accepted on input */
  round_trip(resp, "{\"importedRowsCount\":\"9007199254740993\",\"tableRowsCount\":5}",
             "{\"importedRowsCount\":\"9007199254740993\",\"tableRowsCount\":\"5\"}");
  round_trip(resp, "{\"importedRowsCount\":\"-3\"}", NULL);
  /* enums accepted as numbers, written as names */
  round_trip(&keboola__storage_driver__command__info__object_info_command__descriptor,
             "{\"path\":[\"a\",\"b\"],\"expectedObjectType\":2}", "{\"path\":[\"a\",\"b\"],\"expectedObjectType\":\"TABLE\"}");
  /* bytes as base64, standard or URL-safe, with or without padding */
  round_trip(&google__protobuf__bytes_value__descriptor, "\"AQID/w==\"", NULL);
  round_trip(&google__protobuf__bytes_value__descriptor, "\"AQID_w\"", "\"AQID/w==\"");
  /* lowerCamelCase names are written; the original names are accepted too */
  round_trip(&keboola__storage_driver__credentials__generic_backend_credentials__big_query_credentials_meta__descriptor,
             "{\"folder_id\":\"f\",\"region\":\"eu\"}", "{\"folderId\":\"f\",\"region\":\"eu\"}");
  round_trip(&keboola__storage_driver__credentials__generic_backend_credentials__big_query_credentials_meta__descriptor,
             "{\"folderId\":\"f\"}", NULL);
  /* defaults are left out */
  round_trip(&keboola__storage_driver__command__project__create_project_response__descriptor,
             "{\"projectUserName\":\"\",\"projectPassword\":\"p\",\"meta\":null}", "{\"projectPassword\":\"p\"}");
  round_trip(&keboola__storage_driver__command__table__import_export_shared__export_filters__descriptor,
             "{\"limit\":0,\"changeSince\":\"\",\"whereFilters\":[]}", "{}");
  round_trip(&google__protobuf__double_value__descriptor, "\"NaN\"", NULL);
  round_trip(&google__protobuf__bool_value__descriptor, "true", NULL);
}

static void test_well_known_types(void) {
  /* a LogMessage context: Any(StringValue) has the "value" form */
  round_trip(&keboola__storage_driver__command__common__driver_response__descriptor,
             "{\"messages\":[{\"level\":\"Warning\",\"message\":\"m\",\"context\":"
             "{\"@type\":\"type.googleapis.com/google.protobuf.StringValue\",\"value\":\"{}\"}}]}",
             NULL);
  /* preview cells: Value as string or null */
  round_trip(&keboola__storage_driver__command__table__preview_table_response__descriptor,
             "{\"columns\":[\"a\",\"b\"],\"rows\":[{\"columns\":[{\"columnName\":\"a\",\"value\":\"x\"},"
             "{\"columnName\":\"b\",\"value\":null,\"isTruncated\":true}]}]}",
             NULL);
  /* Value of every kind, Struct and ListValue */
  round_trip(&google__protobuf__value__descriptor, "{\"a\":[1.0,\"s\",true,null,{\"b\":2.5}],\"c\":{}}", NULL);
  /* an Any holding an ordinary message, nested in a response */
  round_trip(&keboola__storage_driver__command__common__driver_response__descriptor,
             "{\"commandResponse\":{\"@type\":\"type.googleapis.com/keboola.storageDriver.command.info."
             "ObjectInfoResponse\",\"path\":[\"b\",\"t\"],\"objectType\":\"TABLE\",\"tableInfo\":{\"path\":[\"b\"],"
             "\"tableName\":\"t\",\"columns\":[{\"name\":\"id\",\"type\":\"BIGINT\"},{\"name\":\"n\",\"type\":"
             "\"VARCHAR\",\"length\":\"50\",\"nullable\":true,\"default\":\"'x'\"}],\"primaryKeysNames\":[\"id\"],"
             "\"rowsCount\":\"2\",\"sizeBytes\":\"1024\"}}}",
             NULL);
  /* an empty oneof member that is set is still written */
  round_trip(&keboola__storage_driver__command__info__object_info_response__descriptor,
             "{\"objectType\":\"SCHEMA\",\"schemaInfo\":{}}", NULL);
}

static void test_errors(void) {
  const ProtobufCMessageDescriptor *req = &keboola__storage_driver__command__common__driver_request__descriptor;
  expect_error(req, "{\"nope\":1}", "Unknown field \"nope\"");
  expect_error(req, "{\"features\":\"x\"}", "\"features\": expected an array");
  expect_error(req, "{\"features\":[1]}", "\"features.0\": expected a string");
  expect_error(req, "{\"command\":{\"@type\":\"type.googleapis.com/no.Such\"}}", "Unknown type \"type.googleapis.com/no.Such\"");
  expect_error(req, "{\"command\":{\"projectId\":\"1\"}}", "\"@type\"");
  expect_error(req,
               "{\"command\":{\"@type\":\"type.googleapis.com/keboola.storageDriver.command.project.CreateProjectCommand\","
               "\"fileStorage\":\"FTP\"}}",
               "\"command.fileStorage\": not a value of the enum");
  expect_error(req,
               "{\"command\":{\"@type\":\"type.googleapis.com/keboola.storageDriver.command.project.CreateProjectCommand\","
               "\"dataRetentionTime\":3000000000}}",
               "32-bit integer");
  expect_error(req,
               "{\"command\":{\"@type\":\"type.googleapis.com/keboola.storageDriver.command.project.CreateProjectCommand\","
               "\"dataRetentionTime\":1.5}}",
               "32-bit integer");
  expect_error(&keboola__storage_driver__command__table__drop_table_command__descriptor, "{\"ignoreErrors\":\"yes\"}",
               "expected true or false");
  expect_error(&google__protobuf__bytes_value__descriptor, "\"@@@\"", "base64");
  expect_error(&keboola__storage_driver__command__info__object_info_response__descriptor,
               "{\"schemaInfo\":{},\"tableInfo\":{}}", "oneof");
  expect_error(&keboola__storage_driver__command__table__import_export_shared__export_filters__descriptor, "[]",
               "expected an object");
  /* a depth bomb: 200 nested lists */
  char bomb[1000];
  memset(bomb, '[', 200);
  memset(bomb + 200, ']', 200);
  bomb[400] = '\0';
  expect_error(&google__protobuf__value__descriptor, bomb, "nested too deeply");
}

static void test_registry_and_wire(void) {
  CHECK(ds_pb_find("google.protobuf.StringValue") == &google__protobuf__string_value__descriptor);
  CHECK(ds_pb_find("keboola.storageDriver.command.project.CreateProjectCommand") ==
        &keboola__storage_driver__command__project__create_project_command__descriptor);
  CHECK(ds_pb_find("keboola.storageDriver.command.project.Nope") == NULL);
  CHECK(ds_pb_find("") == NULL);
  CHECK_STR(ds_pb_type_url_name("type.googleapis.com/a.B"), "a.B");
  CHECK_STR(ds_pb_type_url_name("a.B"), "a.B");
  ds_error err;
  const ProtobufCMessageDescriptor *cp = &keboola__storage_driver__command__project__create_project_command__descriptor;
  CHECK_INT(ds_pb_check_strings(cp, "\x12\x03" "abc", 5, &err), 0);
  CHECK_INT(ds_pb_check_strings(cp, "\x12\x03" "a\0c", 5, &err), DS_E_VALIDATION);
  CHECK(strstr(err.msg, "projectId") != NULL);
  CHECK_INT(ds_pb_check_strings(cp, "\x12\x02\xc3\x28", 4, &err), DS_E_VALIDATION);
  CHECK_INT(ds_pb_check_strings(cp, "\x12\x09" "abc", 5, &err), DS_E_VALIDATION); /* length past the end */
  CHECK_INT(ds_pb_check_strings(cp, "\x0b", 1, &err), DS_E_VALIDATION);            /* a group */
  /* strings inside nested messages are checked too: DriverRequest.runtimeOptions.runId */
  const ProtobufCMessageDescriptor *dr = &keboola__storage_driver__command__common__driver_request__descriptor;
  CHECK_INT(ds_pb_check_strings(dr, "\x22\x04\x0a\x02\xff\xff", 6, &err), DS_E_VALIDATION);
  CHECK(strstr(err.msg, "runId") != NULL);
  CHECK_INT(ds_pb_check_strings(dr, "\x22\x04\x0a\x02ok", 6, &err), 0);
}

int main(void) {
  test_driver_request();
  test_scalars();
  test_well_known_types();
  test_errors();
  test_registry_and_wire();
  return T_DONE();
}
