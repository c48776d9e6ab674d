/* driver.c: one driver call from envelope to response: auth, dispatch, metrics, the call log line. */
#include "driver/driver.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/metrics.h"
#include "core/names.h"
#include "driver/commands.h"
#include "table/cache.h"
#include "google/protobuf/any.pb-c.h"
#include "proto/credentials.pb-c.h"
#include "proto/pbjson.h"
#include "proto/registry.h"
#include "proto/wire.h"

typedef Keboola__StorageDriver__Command__Common__DriverRequest DriverRequest;
typedef Keboola__StorageDriver__Command__Common__DriverResponse DriverResponse;
typedef Keboola__StorageDriver__Credentials__GenericBackendCredentials Credentials;

#define TYPE_URL_PREFIX "type.googleapis.com/"
#define CREDENTIALS_NAME "keboola.storageDriver.credentials.GenericBackendCredentials"

struct ds_driver {
  ds_catalog *catalog;
  ds_store *store;
  ds_auth *auth;
  struct timespec started;
  const char *cmd_names[DS_METRICS_MAX_COMMANDS];
};

/* What the call log line and the metrics need to know about a call, filled as the call goes. */
struct call {
  const char *transport;
  int cmd; /* dispatch index or -1 */
  const char *cmd_name;
  const char *project;
  const char *run_id;
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

ds_driver *ds_driver_new(ds_catalog *catalog, ds_store *store, ds_auth *auth) {
  ds_driver *d = ds_calloc(1, sizeof *d);
  d->catalog = catalog;
  d->store = store;
  d->auth = auth;
  clock_gettime(CLOCK_MONOTONIC, &d->started);
  for (size_t i = 0; i < ds_commands_count && i < DS_METRICS_MAX_COMMANDS; i++) d->cmd_names[i] = ds_commands[i].name;
  ds_metrics_init(d->cmd_names, ds_commands_count);
  return d;
}

void ds_driver_free(ds_driver *d) { ds_free(d); }

/* Packs msg into an Any allocated from the pool. */
static Google__Protobuf__Any *pack_any(ds_pool *pool, const ProtobufCMessage *msg) {
  Google__Protobuf__Any *any = ds_pool_alloc(pool, sizeof *any);
  google__protobuf__any__init(any);
  size_t len = protobuf_c_message_get_packed_size(msg);
  uint8_t *bytes = ds_pool_alloc(pool, len ? len : 1);
  protobuf_c_message_pack(msg, bytes);
  any->type_url = ds_pool_printf(pool, TYPE_URL_PREFIX "%s", msg->descriptor->name);
  any->value.data = bytes;
  any->value.len = len;
  return any;
}

static const char *type_name(const char *type_url) {
  const char *slash = strrchr(type_url, '/');
  return slash ? slash + 1 : type_url;
}

/* Reads the key and the project named by the credentials. */
static int read_credentials(ds_pool *pool, const DriverRequest *req, const char *bearer, const char **key,
                            const char **host, ds_error *err) {
  *key = bearer && *bearer ? bearer : NULL;
  *host = NULL;
  if (!req->credentials || !req->credentials->type_url || !*req->credentials->type_url) return 0;
  if (strcmp(type_name(req->credentials->type_url), CREDENTIALS_NAME) != 0) {
    DS_LOG(DS_LOG_DEBUG, "auth", "credentials of type %.200s refused", req->credentials->type_url);
    return ds_error_set(err, DS_E_AUTH, "Authentication failed.");
  }
  if (ds_pb_check_strings(&keboola__storage_driver__credentials__generic_backend_credentials__descriptor,
                          req->credentials->value.data, req->credentials->value.len, err))
    return ds_error_set(err, DS_E_AUTH, "Authentication failed.");
  Credentials *c = (Credentials *)protobuf_c_message_unpack(
      &keboola__storage_driver__credentials__generic_backend_credentials__descriptor, ds_pool_pb_allocator(pool),
      req->credentials->value.len, req->credentials->value.data);
  if (!c) return ds_error_set(err, DS_E_AUTH, "Authentication failed.");
  if (!*key && c->principal && *c->principal) *key = c->principal;
  if (c->host && *c->host) *host = c->host;
  return 0;
}

static int run(ds_driver *d, ds_pool *pool, const DriverRequest *req, const char *bearer, struct call *call,
               DriverResponse **out, ds_error *err) {
  const char *key, *host;
  ds_identity who;
  int rc;
  if (req->runtimeoptions && req->runtimeoptions->runid && *req->runtimeoptions->runid)
    call->run_id = req->runtimeoptions->runid;
  if (!req->command || !req->command->type_url || !*req->command->type_url)
    return ds_error_set(err, DS_E_VALIDATION, "DriverRequest.command is required.");
  const char *name = type_name(req->command->type_url);
  call->cmd_name = name;
  if ((rc = read_credentials(pool, req, bearer, &key, &host, err))) return rc;
  if ((rc = ds_auth_identify(d->auth, key, &who, err))) return rc;
  call->project = who.is_admin ? NULL : ds_pool_strdup(pool, who.key_project);

  int idx = ds_command_find(name);
  call->cmd = idx;
  if (idx >= 0) call->cmd_name = ds_commands[idx].name;
  if (idx < 0 || !ds_commands[idx].fn)
    return ds_error_set(err, DS_E_NOT_SUPPORTED, "Command \"%.300s\" not supported.", name);
  const ds_command *cmd = &ds_commands[idx];
  if ((cmd->flags & DS_CMD_ADMIN) && !who.is_admin)
    return ds_error_set(err, DS_E_PERMISSION, "Permission denied: command \"%s\" needs the admin key.", cmd->desc->name);
  if (host) {
    if ((rc = ds_project_id_check(host, err))) return ds_error_prefix(err, "Credentials host: ");
    if (!who.is_admin && strcmp(host, who.key_project) != 0)
      return ds_error_set(err, DS_E_PERMISSION, "Permission denied: the API key does not belong to project \"%s\".",
                          host);
    call->project = host;
  }

  if ((rc = ds_pb_check_strings(cmd->desc, req->command->value.data, req->command->value.len, err))) return rc;
  ProtobufCMessage *msg = protobuf_c_message_unpack(cmd->desc, ds_pool_pb_allocator(pool), req->command->value.len,
                                                    req->command->value.data);
  if (!msg)
    return ds_error_set(err, DS_E_VALIDATION, "Cannot decode the command: the bytes are not a valid %s message.",
                        cmd->desc->name);

  ds_ctx ctx = {0};
  ctx.pool = pool;
  ctx.catalog = d->catalog;
  ctx.store = d->store;
  ctx.command = cmd->desc->name;
  ctx.project_id = call->project;
  ctx.key_project = who.is_admin ? NULL : who.key_project;
  ctx.run_id = call->run_id ? call->run_id : "";
  ProtobufCMessage *resp = NULL;
  rc = cmd->fn(&ctx, msg, &resp, err);
  if (ctx.project_id) call->project = ctx.project_id; /* the handler may have resolved it */
  /* after the handler's commit: cached metadata answers of this project are stale now (table/cache.h) */
  if ((cmd->flags & DS_CMD_WRITE) && ctx.project_id) ds_cache_bump(ctx.project_id);
  if (rc) return rc;

  DriverResponse *r = ds_pool_alloc(pool, sizeof *r);
  keboola__storage_driver__command__common__driver_response__init(r);
  if (resp) r->commandresponse = pack_any(pool, resp);
  r->messages = ctx.messages;
  r->n_messages = ctx.n_messages;
  *out = r;
  return 0;
}

static void finish(struct call *call, int rc, const ds_error *err, double t0) {
  double secs = now_s() - t0;
  int status = ds_err_grpc_status(rc);
  ds_metrics_inflight(-1);
  ds_metrics_observe(call->cmd, strcmp(call->transport, "http") == 0, status, secs);
  if (rc)
    DS_LOG(rc == DS_E_INTERNAL ? DS_LOG_ERROR : DS_LOG_INFO, "call",
           "transport=%s command=%s project=%s runId=%s status=%s code=%d ms=%.3f error=\"%s\"", call->transport,
           call->cmd_name ? call->cmd_name : "-", call->project ? call->project : "-",
           call->run_id ? call->run_id : "-", ds_grpc_status_name(status), ds_err_keboola_code(rc), secs * 1e3,
           err->msg);
  else
    DS_LOG(DS_LOG_INFO, "call", "transport=%s command=%s project=%s runId=%s status=OK ms=%.3f", call->transport,
           call->cmd_name, call->project ? call->project : "-", call->run_id ? call->run_id : "-", secs * 1e3);
}

int ds_driver_execute_pb(ds_driver *d, ds_pool *pool, const char *transport, const char *bearer, const void *req,
                         size_t len, void **resp, size_t *resp_len, ds_error *err) {
  struct call call = {transport, -1, NULL, NULL, NULL};
  double t0 = now_s();
  DriverResponse *r = NULL;
  int rc;
  ds_metrics_inflight(1);
  if ((rc = ds_pb_check_strings(&keboola__storage_driver__command__common__driver_request__descriptor, req, len,
                                err)))
    goto out;
  DriverRequest *dr = keboola__storage_driver__command__common__driver_request__unpack(ds_pool_pb_allocator(pool),
                                                                                      len, req);
  if (!dr) {
    rc = ds_error_set(err, DS_E_VALIDATION, "The request is not a valid DriverRequest message.");
    goto out;
  }
  if ((rc = run(d, pool, dr, bearer, &call, &r, err))) goto out;
  *resp_len = keboola__storage_driver__command__common__driver_response__get_packed_size(r);
  if (*resp_len > DS_MAX_MESSAGE) {
    rc = ds_error_set(err, DS_E_TOO_BIG, "The response is larger than %u bytes.", DS_MAX_MESSAGE);
    goto out;
  }
  *resp = ds_pool_alloc(pool, *resp_len ? *resp_len : 1);
  keboola__storage_driver__command__common__driver_response__pack(r, *resp);
out:
  finish(&call, rc, err, t0);
  return rc;
}

int ds_driver_execute_json(ds_driver *d, ds_pool *pool, const char *transport, const char *bearer,
                           const json_t *req, json_t **resp, ds_error *err) {
  struct call call = {transport, -1, NULL, NULL, NULL};
  double t0 = now_s();
  ProtobufCMessage *msg = NULL;
  DriverResponse *r = NULL;
  int rc;
  ds_metrics_inflight(1);
  *resp = NULL;
  if ((rc = ds_pbjson_decode(pool, &keboola__storage_driver__command__common__driver_request__descriptor, req, &msg,
                             err)))
    goto out;
  if ((rc = run(d, pool, (DriverRequest *)msg, bearer, &call, &r, err))) goto out;
  rc = ds_pbjson_encode(&r->base, resp, err);
out:
  finish(&call, rc, err, t0);
  return rc;
}

static double uptime(const ds_driver *d) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - d->started.tv_sec) + (double)(t.tv_nsec - d->started.tv_nsec) / 1e9;
}

int ds_driver_metrics(ds_driver *d, ds_buf *out) {
  return ds_metrics_render(out, (long long)ds_catalog_project_count(d->catalog), DS_VERSION,
                           ds_store_duckdb_version(), uptime(d));
}

int ds_driver_health(ds_driver *d, json_t **report) {
  ds_error e1, e2;
  int layout = ds_store_check_layout(d->store, &e1);
  int catalog = ds_catalog_ping(d->catalog, &e2);
  int healthy = !layout && !catalog;
  json_t *data_dir = json_pack("{s:b,s:s}", "ok", !layout, "path", ds_store_data_dir(d->store));
  if (layout) json_object_set_new(data_dir, "error", json_string(e1.msg));
  json_t *cat = json_pack("{s:b,s:i}", "ok", !catalog, "schema_version", ds_catalog_schema_version(d->catalog));
  if (catalog) json_object_set_new(cat, "error", json_string(e2.msg));
  *report = json_pack("{s:s,s:s,s:s,s:f,s:I,s:{s:o,s:o}}", "status", healthy ? "healthy" : "unhealthy", "version",
                      DS_VERSION, "duckdb_version", ds_store_duckdb_version(), "uptime_seconds", uptime(d), "projects",
                      (json_int_t)ds_catalog_project_count(d->catalog), "checks", "data_dir", data_dir, "catalog", cat);
  return healthy ? 0 : DS_E_CONNECTION;
}

int ds_driver_project_json(ds_driver *d, const char *bearer, const char *project_id, json_t **out, ds_error *err) {
  ds_identity who;
  ds_project_info info;
  int rc = ds_auth_identify(d->auth, bearer, &who, err);
  if (rc) return rc;
  if ((rc = ds_project_id_check(project_id, err))) return rc;
  if (!who.is_admin && strcmp(who.key_project, project_id) != 0)
    return ds_error_set(err, DS_E_PERMISSION, "Permission denied: the API key does not belong to project \"%s\".",
                        project_id);
  if ((rc = ds_catalog_project_get(d->catalog, project_id, &info, err))) return rc;
  *out = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:s}", "id", info.id, "stack_prefix", info.stack_prefix, "file_storage",
                   info.file_storage, "data_retention_time", info.data_retention_time, "region", info.region,
                   "timezone", info.timezone, "created_at", info.created_at);
  ds_project_info_release(&info);
  return 0;
}

int ds_driver_is_slow(const void *req, size_t len) {
  const void *any, *url;
  size_t any_len, url_len;
  char name[256];
  /* DriverRequest.command = 2 (an Any), Any.type_url = 1 */
  if (ds_pb_find_bytes(req, len, 2, &any, &any_len) || ds_pb_find_bytes(any, any_len, 1, &url, &url_len)) return 0;
  if (url_len >= sizeof name) return 0;
  memcpy(name, url, url_len);
  name[url_len] = 0;
  int idx = ds_command_find(type_name(name));
  return idx >= 0 && (ds_commands[idx].flags & DS_CMD_SLOW);
}
