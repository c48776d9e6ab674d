/* rest.c: libmicrohttpd server, routing, body collection and the error-to-HTTP mapping (see rest.h). */
#include "http/rest.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "s3/s3.h"

struct ds_rest {
  struct MHD_Daemon *daemon;
  ds_driver *driver;
  ds_s3 *s3;
};

/* What one request has received so far. */
struct request {
  ds_buf body;
  int too_big;
  int s3;         /* an S3 API request: every call goes to ds_s3_handle */
  void *s3_state;
};

static enum MHD_Result send_response(struct MHD_Connection *conn, unsigned status, const char *content_type,
                                     const void *body, size_t len, int kind) {
  struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (kind) {
    char code[16];
    snprintf(code, sizeof code, "%d", ds_err_keboola_code(kind));
    MHD_add_response_header(r, "X-Keboola-Error-Code", code);
    MHD_add_response_header(r, "X-Keboola-Retryable", ds_err_retryable(kind) ? "1" : "0");
  }
  enum MHD_Result ret = MHD_queue_response(conn, status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned status, json_t *body, int kind) {
  char *text = json_dumps(body, JSON_COMPACT);
  enum MHD_Result ret = send_response(conn, status, "application/json", text, strlen(text), kind);
  free(text); /* jansson allocates with malloc */
  json_decref(body);
  return ret;
}

/* The contract's error body: {"error": "<snake_case>", "code": <keboola code>, "message": "..."}. */
static enum MHD_Result send_error(struct MHD_Connection *conn, int kind, const char *message) {
  return send_json(conn, (unsigned)ds_err_http_status(kind),
                   json_pack("{s:s,s:i,s:s}", "error", ds_err_name(kind), "code", ds_err_keboola_code(kind), "message",
                             message),
                   kind);
}

static const char *bearer_of(struct MHD_Connection *conn) {
  const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
  if (!h || strncasecmp(h, "Bearer ", 7) != 0) return NULL;
  h += 7;
  while (*h == ' ') h++;
  return h;
}

static int is_protobuf(const char *content_type) {
  if (!content_type) return 0;
  return strncasecmp(content_type, "application/x-protobuf", 22) == 0 ||
         strncasecmp(content_type, "application/protobuf", 20) == 0 ||
         strncasecmp(content_type, "application/octet-stream", 24) == 0;
}

static enum MHD_Result route_execute(ds_rest *rest, struct MHD_Connection *conn, struct request *req) {
  const char *ctype = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
  const char *bearer = bearer_of(conn);
  ds_pool *pool = ds_pool_new();
  ds_error err;
  enum MHD_Result ret;
  int rc;
  if (is_protobuf(ctype)) {
    void *resp;
    size_t len;
    rc = ds_driver_execute_pb(rest->driver, pool, "http", bearer, req->body.data ? req->body.data : "", req->body.len,
                              &resp, &len, &err);
    ret = rc ? send_error(conn, rc, err.msg) : send_response(conn, MHD_HTTP_OK, "application/x-protobuf", resp, len, 0);
  } else if (ctype && strncasecmp(ctype, "application/json", 16) != 0) {
    ret = send_error(conn, DS_E_VALIDATION,
                     "Unsupported Content-Type: send application/json (proto3 JSON) or application/x-protobuf.");
  } else {
    json_error_t jerr;
    json_t *body = json_loadb(req->body.data ? req->body.data : "", req->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!body || !json_is_object(body)) {
      char msg[300];
      snprintf(msg, sizeof msg, "The body is not a JSON object: %s", body ? "wrong type" : jerr.text);
      json_decref(body);
      ret = send_error(conn, DS_E_VALIDATION, msg);
    } else {
      json_t *resp = NULL;
      rc = ds_driver_execute_json(rest->driver, pool, "http", bearer, body, &resp, &err);
      json_decref(body);
      ret = rc ? send_error(conn, rc, err.msg) : send_json(conn, MHD_HTTP_OK, resp, 0);
    }
  }
  ds_pool_free(pool);
  return ret;
}

static enum MHD_Result route(ds_rest *rest, struct MHD_Connection *conn, const char *url, const char *method,
                             struct request *req) {
  int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
  if (strcmp(url, "/") == 0 && get)
    return send_json(conn, MHD_HTTP_OK,
                     json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s}}", "name", "duckstore", "version", DS_VERSION,
                               "duckdb_version", ds_store_duckdb_version(), "links", "health", "/health", "metrics",
                               "/metrics", "driver", "/driver/execute", "grpc",
                               "keboola.storageDriver.service.StorageDriverService/Execute"),
                     0);
  if (strcmp(url, "/health") == 0 && get) {
    json_t *report = NULL;
    int rc = ds_driver_health(rest->driver, &report);
    return send_json(conn, rc ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK, report, 0);
  }
  if (strcmp(url, "/metrics") == 0 && get) {
    ds_buf b;
    ds_buf_init(&b, 16u << 20);
    ds_driver_metrics(rest->driver, &b);
    enum MHD_Result ret =
        send_response(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", b.data ? b.data : "", b.len, 0);
    ds_buf_release(&b);
    return ret;
  }
  if (strcmp(url, "/driver/execute") == 0) {
    if (strcmp(method, "POST") != 0) return send_error(conn, DS_E_VALIDATION, "Use POST for /driver/execute.");
    return route_execute(rest, conn, req);
  }
  if (strncmp(url, "/projects/", 10) == 0 && get && url[10] && !strchr(url + 10, '/')) {
    ds_error err;
    json_t *out = NULL;
    int rc = ds_driver_project_json(rest->driver, bearer_of(conn), url + 10, &out, &err);
    return rc ? send_error(conn, rc, err.msg) : send_json(conn, MHD_HTTP_OK, out, 0);
  }
  char msg[300];
  snprintf(msg, sizeof msg, "No route for %s %.200s.", method, url);
  return send_json(conn, MHD_HTTP_NOT_FOUND, json_pack("{s:s,s:i,s:s}", "error", "not_found", "code", 2000, "message", msg),
                   0);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
  (void)version;
  ds_rest *rest = cls;
  struct request *req = *con_cls;
  if (!req) {
    req = ds_calloc(1, sizeof *req);
    ds_buf_init(&req->body, DS_MAX_MESSAGE + (1u << 20));
    *con_cls = req;
    req->s3 = rest->s3 && ds_s3_claims(conn, url);
    if (!req->s3) return MHD_YES;
  }
  if (req->s3) return ds_s3_handle(rest->s3, conn, url, method, upload_data, upload_data_size, &req->s3_state);
  if (*upload_data_size) {
    if (!req->too_big && ds_buf_append(&req->body, upload_data, *upload_data_size)) {
      req->too_big = 1;
      ds_buf_release(&req->body);
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (req->too_big) return send_error(conn, DS_E_TOO_BIG, "The request body is larger than 64 MiB.");
  return route(rest, conn, url, method, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)conn;
  (void)toe;
  struct request *req = *con_cls;
  if (!req) return;
  if (req->s3) ds_s3_done(req->s3_state);
  ds_buf_release(&req->body);
  ds_free(req);
  *con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char line[512];
  vsnprintf(line, sizeof line, fmt, ap);
  DS_LOG(DS_LOG_WARN, "rest", "%s", line);
}

int ds_rest_start(const ds_rest_opts *opts, ds_driver *driver, ds_rest **out, int *bound_port, ds_error *err) {
  struct addrinfo hints, *ai = NULL;
  char port[16];
  int rc = 0;
  ds_rest *r = ds_calloc(1, sizeof *r);
  r->driver = driver;
  r->s3 = opts->s3;
  memset(&hints, 0, sizeof hints);
  hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
  hints.ai_socktype = SOCK_STREAM;
  snprintf(port, sizeof port, "%d", opts->port);
  if (getaddrinfo(opts->host, port, &hints, &ai) || !ai) {
    rc = ds_error_set(err, DS_E_VALIDATION, "REST host \"%s\" is not a numeric IP address.", opts->host);
    goto out;
  }
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
  if (ai->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
  r->daemon = MHD_start_daemon(flags, (uint16_t)opts->port, NULL, NULL, on_request, r, MHD_OPTION_EXTERNAL_LOGGER,
                               on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE,
                               (unsigned)(opts->threads > 0 ? opts->threads : 4), MHD_OPTION_NOTIFY_COMPLETED,
                               on_completed, r, MHD_OPTION_CONNECTION_TIMEOUT, 300u,
                               /* larger reads: S3 bodies stream through in bigger pieces */
                               MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256u << 10), MHD_OPTION_END);
  if (!r->daemon) {
    rc = ds_error_set(err, DS_E_CONNECTION, "Cannot listen for REST on %s:%d (in use, or not a local address).",
                      opts->host, opts->port);
    goto out;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(r->daemon, MHD_DAEMON_INFO_BIND_PORT);
  *bound_port = info ? info->port : opts->port;
out:
  if (ai) freeaddrinfo(ai);
  if (rc) {
    ds_rest_stop(r);
    r = NULL;
  }
  *out = r;
  return rc;
}

void ds_rest_stop(ds_rest *r) {
  if (!r) return;
  if (r->daemon) MHD_stop_daemon(r->daemon);
  ds_free(r);
}
