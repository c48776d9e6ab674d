/* server.c: gRPC C-core server: workers, request slots, unary and streaming call state machines. */
#include "grpc/server.h"

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "grpc/health/v1/health.pb-c.h"
#include "grpc/reflection.h"

extern const unsigned char ds_descriptor_set[];
extern const unsigned char ds_descriptor_set_end[];

enum method { M_EXECUTE, M_HEALTH, M_REFLECT_V1ALPHA, M_REFLECT_V1, M__COUNT, M_GENERIC = -1 };

static const struct {
  const char *path;
  int streaming;
  int slots; /* request slots kept posted per completion queue */
} methods[M__COUNT] = {
    {"/keboola.storageDriver.service.StorageDriverService/Execute", 0, 32},
    {"/grpc.health.v1.Health/Check", 0, 8},
    {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", 1, 2},
    {"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", 1, 2},
};
#define GENERIC_SLOTS 2

static const char *const services[] = {"keboola.storageDriver.service.StorageDriverService", "grpc.health.v1.Health",
                                       "grpc.reflection.v1alpha.ServerReflection",
                                       "grpc.reflection.v1.ServerReflection", NULL};

enum state { S_REQUESTED, S_FINISHING, S_READING, S_WRITING };

struct worker {
  struct ds_grpc *g;
  grpc_completion_queue *cq;
  pthread_t thread;
  int started;
};

/* A slow Execute waiting for a command thread: the call, and the request already read into its pool. */
struct job {
  struct call *c;
  ds_pool *pool;
  void *req;
  size_t len;
  struct job *next;
};

struct ds_grpc {
  grpc_server *server;
  grpc_completion_queue *shutdown_cq;
  void *handles[M__COUNT];
  struct worker *workers;
  int n_workers;
  ds_driver *driver;
  ds_reflection *reflection;
  atomic_int stopping;
  /* the command threads and their queue */
  pthread_t *cmd_threads;
  int n_cmd, n_cmd_started;
  pthread_mutex_t jobs_lock;
  pthread_cond_t jobs_cond;
  struct job *head, *tail;
  int jobs_stop;
};

/* One call, from its request slot to its final batch. */
struct call {
  struct worker *w;
  int method;
  enum state state;
  grpc_call *call;
  gpr_timespec deadline;
  grpc_metadata_array request_md;
  grpc_call_details details; /* generic slots only */
  grpc_byte_buffer *payload; /* the request (unary) or the last message read (stream) */
  grpc_byte_buffer *response;
  grpc_slice status_details;
  int has_status_details;
  grpc_metadata trailers[2];
  size_t n_trailers;
  int cancelled;
};

static void post_slot(struct worker *w, int method);

static void call_free(struct call *c) {
  if (c->payload) grpc_byte_buffer_destroy(c->payload);
  if (c->response) grpc_byte_buffer_destroy(c->response);
  if (c->has_status_details) grpc_slice_unref(c->status_details);
  for (size_t i = 0; i < c->n_trailers; i++) {
    grpc_slice_unref(c->trailers[i].key);
    grpc_slice_unref(c->trailers[i].value);
  }
  grpc_metadata_array_destroy(&c->request_md);
  if (c->method == M_GENERIC) grpc_call_details_destroy(&c->details);
  if (c->call) grpc_call_unref(c->call);
  ds_free(c);
}

/* Starts a batch whose completion comes back to c; frees c when the batch cannot even start. */
static void start_batch(struct call *c, const grpc_op *ops, size_t n, enum state next) {
  c->state = next;
  grpc_call_error e = grpc_call_start_batch(c->call, ops, n, c, NULL);
  if (e != GRPC_CALL_OK) {
    DS_LOG(DS_LOG_WARN, "grpc", "grpc_call_start_batch failed (%d)", (int)e);
    call_free(c);
  }
}

static grpc_byte_buffer *buffer_of(const void *data, size_t len) {
  grpc_slice s = grpc_slice_from_copied_buffer(data, len);
  grpc_byte_buffer *b = grpc_raw_byte_buffer_create(&s, 1);
  grpc_slice_unref(s);
  return b;
}

/* Reads a whole byte buffer into pool memory. */
static void *read_buffer(ds_pool *pool, grpc_byte_buffer *b, size_t *len) {
  *len = 0;
  if (!b) return ds_pool_alloc(pool, 1);
  grpc_byte_buffer_reader r;
  if (!grpc_byte_buffer_reader_init(&r, b)) return NULL;
  grpc_slice s = grpc_byte_buffer_reader_readall(&r);
  grpc_byte_buffer_reader_destroy(&r);
  *len = GRPC_SLICE_LENGTH(s);
  void *data = ds_pool_memdup(pool, GRPC_SLICE_START_PTR(s), *len);
  grpc_slice_unref(s);
  return data;
}

/* Sends the final batch of a call: initial metadata (unless sent_initial), an optional message, the status
 * with the Keboola trailers when kind is an error, and RECV_CLOSE_ON_SERVER. */
static void finish_call(struct call *c, int sent_initial, const void *msg, size_t len, grpc_status_code status,
                        const char *details, int kind) {
  grpc_op ops[4];
  size_t n = 0;
  memset(ops, 0, sizeof ops);
  if (!sent_initial) {
    ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[n].data.send_initial_metadata.count = 0;
    n++;
  }
  if (msg) {
    c->response = buffer_of(msg, len);
    ops[n].op = GRPC_OP_SEND_MESSAGE;
    ops[n].data.send_message.send_message = c->response;
    n++;
  }
  if (kind) {
    char code[16];
    snprintf(code, sizeof code, "%d", ds_err_keboola_code(kind));
    c->trailers[0].key = grpc_slice_from_static_string("x-keboola-error-code");
    c->trailers[0].value = grpc_slice_from_copied_string(code);
    c->trailers[1].key = grpc_slice_from_static_string("x-keboola-retryable");
    c->trailers[1].value = grpc_slice_from_static_string(ds_err_retryable(kind) ? "1" : "0");
    c->n_trailers = 2;
  }
  ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  ops[n].data.send_status_from_server.status = status;
  ops[n].data.send_status_from_server.trailing_metadata_count = c->n_trailers;
  ops[n].data.send_status_from_server.trailing_metadata = c->n_trailers ? c->trailers : NULL;
  if (details) {
    c->status_details = grpc_slice_from_copied_string(details);
    c->has_status_details = 1;
    ops[n].data.send_status_from_server.status_details = &c->status_details;
  }
  n++;
  ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  ops[n].data.recv_close_on_server.cancelled = &c->cancelled;
  n++;
  start_batch(c, ops, n, S_FINISHING);
}

/* Runs one Execute and sends its final batch; frees the pool. Any thread. */
static void run_execute(struct call *c, ds_pool *pool, void *req, size_t len) {
  ds_error err;
  size_t resp_len = 0;
  void *resp = NULL;
  int rc = req ? ds_driver_execute_pb(c->w->g->driver, pool, "grpc", NULL, req, len, &resp, &resp_len, &err)
               : ds_error_set(&err, DS_E_VALIDATION, "Cannot read the request message.");
  if (rc)
    finish_call(c, 0, NULL, 0, (grpc_status_code)ds_err_grpc_status(rc), err.msg, rc);
  else
    finish_call(c, 0, resp, resp_len, GRPC_STATUS_OK, NULL, 0);
  ds_pool_free(pool);
}

static void serve_execute(struct call *c) {
  struct ds_grpc *g = c->w->g;
  ds_pool *pool = ds_pool_new();
  size_t len = 0;
  void *req = read_buffer(pool, c->payload, &len);
  if (!req || g->n_cmd_started == 0 || !ds_driver_is_slow(req, len)) {
    run_execute(c, pool, req, len);
    return;
  }
  struct job *j = ds_calloc(1, sizeof *j);
  *j = (struct job){c, pool, req, len, NULL};
  pthread_mutex_lock(&g->jobs_lock);
  if (g->tail) g->tail->next = j;
  else g->head = j;
  g->tail = j;
  pthread_cond_signal(&g->jobs_cond);
  pthread_mutex_unlock(&g->jobs_lock);
}

static void *command_main(void *arg) {
  struct ds_grpc *g = arg;
  for (;;) {
    pthread_mutex_lock(&g->jobs_lock);
    while (!g->head && !g->jobs_stop) pthread_cond_wait(&g->jobs_cond, &g->jobs_lock);
    struct job *j = g->head;
    if (j) {
      g->head = j->next;
      if (!g->head) g->tail = NULL;
    }
    pthread_mutex_unlock(&g->jobs_lock);
    if (!j) return NULL; /* stopping, and the queue is empty */
    run_execute(j->c, j->pool, j->req, j->len);
    ds_free(j);
  }
}

static void serve_health(struct call *c) {
  ds_pool *pool = ds_pool_new();
  size_t len;
  void *req = read_buffer(pool, c->payload, &len);
  Grpc__Health__V1__HealthCheckRequest *hr =
      req ? grpc__health__v1__health_check_request__unpack(ds_pool_pb_allocator(pool), len, req) : NULL;
  if (!hr) {
    finish_call(c, 0, NULL, 0, GRPC_STATUS_INVALID_ARGUMENT, "The request is not a HealthCheckRequest.", 0);
  } else if (hr->service && *hr->service && strcmp(hr->service, services[0]) != 0) {
    finish_call(c, 0, NULL, 0, GRPC_STATUS_NOT_FOUND, "unknown service", 0);
  } else {
    Grpc__Health__V1__HealthCheckResponse r = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    r.status = atomic_load(&c->w->g->stopping) ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING
                                               : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
    uint8_t out[16];
    size_t n = grpc__health__v1__health_check_response__pack(&r, out);
    finish_call(c, 0, out, n, GRPC_STATUS_OK, NULL, 0);
  }
  ds_pool_free(pool);
}

static void stream_read(struct call *c, int first) {
  grpc_op ops[2];
  size_t n = 0;
  memset(ops, 0, sizeof ops);
  if (first) {
    ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
    n++;
  }
  ops[n].op = GRPC_OP_RECV_MESSAGE;
  ops[n].data.recv_message.recv_message = &c->payload;
  n++;
  start_batch(c, ops, n, S_READING);
}

/* A reflection message arrived (or the client closed its side: payload NULL). */
static void stream_on_read(struct call *c) {
  if (!c->payload) {
    finish_call(c, 1, NULL, 0, GRPC_STATUS_OK, NULL, 0);
    return;
  }
  ds_pool *pool = ds_pool_new();
  size_t len, resp_len = 0;
  void *resp = NULL;
  ds_error err;
  void *req = read_buffer(pool, c->payload, &len);
  grpc_byte_buffer_destroy(c->payload);
  c->payload = NULL;
  int rc = req ? ds_reflection_answer(c->w->g->reflection, req, len, &resp, &resp_len, &err)
               : ds_error_set(&err, DS_E_VALIDATION, "Cannot read the request message.");
  ds_pool_free(pool);
  if (rc) {
    finish_call(c, 1, NULL, 0, GRPC_STATUS_INVALID_ARGUMENT, err.msg, 0);
    return;
  }
  c->response = buffer_of(resp, resp_len);
  ds_free(resp);
  grpc_op op;
  memset(&op, 0, sizeof op);
  op.op = GRPC_OP_SEND_MESSAGE;
  op.data.send_message.send_message = c->response;
  start_batch(c, &op, 1, S_WRITING);
}

static void on_event(struct call *c, int ok) {
  switch (c->state) {
  case S_REQUESTED:
    if (!ok) { /* the server is shutting down and took the slot back */
      call_free(c);
      return;
    }
    if (!atomic_load(&c->w->g->stopping)) post_slot(c->w, c->method);
    if (c->method == M_EXECUTE) serve_execute(c);
    else if (c->method == M_HEALTH) serve_health(c);
    else if (c->method == M_GENERIC) finish_call(c, 0, NULL, 0, GRPC_STATUS_UNIMPLEMENTED, "Method not found.", 0);
    else stream_read(c, 1);
    return;
  case S_READING:
    if (!ok) finish_call(c, 1, NULL, 0, GRPC_STATUS_CANCELLED, NULL, 0);
    else stream_on_read(c);
    return;
  case S_WRITING:
    grpc_byte_buffer_destroy(c->response);
    c->response = NULL;
    if (!ok) finish_call(c, 1, NULL, 0, GRPC_STATUS_CANCELLED, NULL, 0);
    else stream_read(c, 0);
    return;
  case S_FINISHING:
    call_free(c);
    return;
  }
}

static void post_slot(struct worker *w, int method) {
  struct call *c = ds_calloc(1, sizeof *c);
  grpc_call_error e;
  c->w = w;
  c->method = method;
  c->state = S_REQUESTED;
  grpc_metadata_array_init(&c->request_md);
  if (method == M_GENERIC) {
    grpc_call_details_init(&c->details);
    e = grpc_server_request_call(w->g->server, &c->call, &c->details, &c->request_md, w->cq, w->cq, c);
  } else {
    e = grpc_server_request_registered_call(w->g->server, w->g->handles[method], &c->call, &c->deadline,
                                            &c->request_md, methods[method].streaming ? NULL : &c->payload, w->cq,
                                            w->cq, c);
  }
  if (e != GRPC_CALL_OK) {
    DS_LOG(DS_LOG_WARN, "grpc", "cannot post a request slot (%d)", (int)e);
    call_free(c);
  }
}

static void *worker_main(void *arg) {
  struct worker *w = arg;
  for (;;) {
    grpc_event ev = grpc_completion_queue_next(w->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (ev.type == GRPC_QUEUE_SHUTDOWN) break;
    if (ev.type == GRPC_OP_COMPLETE) on_event(ev.tag, ev.success);
  }
  return NULL;
}

static int read_file(const char *path, char **out, ds_error *err) {
  FILE *f = fopen(path, "re");
  if (!f) return ds_error_set(err, DS_E_VALIDATION, "Cannot read %s.", path);
  ds_buf b;
  ds_buf_init(&b, 1 << 20);
  char chunk[4096];
  size_t n;
  int rc = 0;
  while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0) rc = ds_buf_append(&b, chunk, n);
  fclose(f);
  if (rc) {
    ds_buf_release(&b);
    return ds_error_set(err, DS_E_VALIDATION, "%s is larger than 1 MiB.", path);
  }
  *out = ds_buf_detach(&b, NULL);
  return 0;
}

int ds_grpc_start(const ds_grpc_opts *opts, ds_driver *driver, ds_grpc **out, int *bound_port, ds_error *err) {
  ds_grpc *g = ds_calloc(1, sizeof *g);
  grpc_server_credentials *creds = NULL;
  char *cert = NULL, *key = NULL, addr[300];
  int rc = 0;
  g->driver = driver;
  pthread_mutex_init(&g->jobs_lock, NULL);
  pthread_cond_init(&g->jobs_cond, NULL);
  if ((rc = ds_reflection_new(ds_descriptor_set, (size_t)(ds_descriptor_set_end - ds_descriptor_set), services,
                              &g->reflection, err)))
    goto out;

  grpc_arg args[3];
  memset(args, 0, sizeof args);
  args[0].type = GRPC_ARG_INTEGER;
  args[0].key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
  args[0].value.integer = (int)DS_MAX_MESSAGE + (1 << 20); /* room for the envelope around a 64 MiB payload */
  args[1].type = GRPC_ARG_INTEGER;
  args[1].key = (char *)GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
  args[1].value.integer = (int)DS_MAX_MESSAGE + (1 << 20);
  args[2].type = GRPC_ARG_INTEGER;
  args[2].key = (char *)GRPC_ARG_ALLOW_REUSEPORT; /* a second server on the same port must fail, not share it */
  args[2].value.integer = 0;
  grpc_channel_args chargs = {3, args};
  g->server = grpc_server_create(&chargs, NULL);
  for (int m = 0; m < M__COUNT; m++)
    g->handles[m] = grpc_server_register_method(
        g->server, methods[m].path, NULL,
        methods[m].streaming ? GRPC_SRM_PAYLOAD_NONE : GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);

  g->n_workers = opts->threads > 0 ? opts->threads : 2;
  g->workers = ds_calloc((size_t)g->n_workers, sizeof *g->workers);
  for (int i = 0; i < g->n_workers; i++) {
    g->workers[i].g = g;
    g->workers[i].cq = grpc_completion_queue_create_for_next(NULL);
    grpc_server_register_completion_queue(g->server, g->workers[i].cq, NULL);
  }
  g->shutdown_cq = grpc_completion_queue_create_for_next(NULL);
  grpc_server_register_completion_queue(g->server, g->shutdown_cq, NULL);

  if (opts->tls_cert_file) {
    if ((rc = read_file(opts->tls_cert_file, &cert, err)) || (rc = read_file(opts->tls_key_file, &key, err))) goto out;
    grpc_ssl_pem_key_cert_pair pair = {key, cert};
    creds = grpc_ssl_server_credentials_create_ex(NULL, &pair, 1, GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE, NULL);
  } else {
    creds = grpc_insecure_server_credentials_create();
  }
  snprintf(addr, sizeof addr, strchr(opts->host, ':') ? "[%s]:%d" : "%s:%d", opts->host, opts->port);
  *bound_port = grpc_server_add_http2_port(g->server, addr, creds);
  if (*bound_port <= 0) {
    rc = ds_error_set(err, DS_E_CONNECTION, "Cannot listen for gRPC on %s (in use, or not a local address).", addr);
    goto out;
  }
  grpc_server_start(g->server);
  g->n_cmd = opts->command_threads > 0 ? opts->command_threads : 0;
  g->cmd_threads = ds_calloc((size_t)(g->n_cmd ? g->n_cmd : 1), sizeof *g->cmd_threads);
  for (; g->n_cmd_started < g->n_cmd; g->n_cmd_started++)
    if (pthread_create(&g->cmd_threads[g->n_cmd_started], NULL, command_main, g)) {
      rc = ds_error_set(err, DS_E_INTERNAL, "Cannot start a command thread.");
      goto out;
    }
  for (int i = 0; i < g->n_workers; i++) {
    struct worker *w = &g->workers[i];
    for (int m = 0; m < M__COUNT; m++)
      for (int k = 0; k < methods[m].slots; k++) post_slot(w, m);
    for (int k = 0; k < GENERIC_SLOTS; k++) post_slot(w, M_GENERIC);
    if (pthread_create(&w->thread, NULL, worker_main, w)) {
      rc = ds_error_set(err, DS_E_INTERNAL, "Cannot start a gRPC worker thread.");
      goto out;
    }
    w->started = 1;
  }
out:
  if (creds) grpc_server_credentials_release(creds);
  if (key) {
    memset(key, 0, strlen(key));
    ds_free(key);
  }
  ds_free(cert);
  if (rc) {
    ds_grpc_stop(g, 0);
    g = NULL;
  }
  *out = g;
  return rc;
}

void ds_grpc_stop(ds_grpc *g, int grace_seconds) {
  if (!g) return;
  atomic_store(&g->stopping, 1);
  if (g->server) {
    grpc_server_shutdown_and_notify(g->server, g->shutdown_cq, NULL);
    gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_REALTIME), gpr_time_from_seconds(grace_seconds, GPR_TIMESPAN));
    grpc_event ev = grpc_completion_queue_next(g->shutdown_cq, deadline, NULL);
    if (ev.type == GRPC_QUEUE_TIMEOUT) {
      DS_LOG(DS_LOG_WARN, "grpc", "calls still running after %d s; cancelling them", grace_seconds);
      grpc_server_cancel_all_calls(g->server);
      grpc_completion_queue_next(g->shutdown_cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    }
  }
  /* every call is done (the shutdown tag came), so the job queue is empty: let the command threads go */
  pthread_mutex_lock(&g->jobs_lock);
  g->jobs_stop = 1;
  pthread_cond_broadcast(&g->jobs_cond);
  pthread_mutex_unlock(&g->jobs_lock);
  for (int i = 0; i < g->n_cmd_started; i++) pthread_join(g->cmd_threads[i], NULL);
  for (int i = 0; i < g->n_workers; i++) {
    grpc_completion_queue_shutdown(g->workers[i].cq);
    if (g->workers[i].started) pthread_join(g->workers[i].thread, NULL);
    else /* never started: drain the slots posted before the failure ourselves */
      worker_main(&g->workers[i]);
  }
  if (g->server) grpc_server_destroy(g->server);
  for (int i = 0; i < g->n_workers; i++) grpc_completion_queue_destroy(g->workers[i].cq);
  if (g->shutdown_cq) {
    grpc_completion_queue_shutdown(g->shutdown_cq);
    while (grpc_completion_queue_next(g->shutdown_cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(g->shutdown_cq);
  }
  ds_reflection_free(g->reflection);
  ds_free(g->cmd_threads);
  pthread_mutex_destroy(&g->jobs_lock);
  pthread_cond_destroy(&g->jobs_cond);
  ds_free(g->workers);
  ds_free(g);
}
