/*
 * rpc_load.c: a unary gRPC load generator on the gRPC C core, for bench/rpc.sh.
 *
 * Keeps N calls in flight on one channel (or --channels K), driven by one completion queue on one thread,
 * and re-issues each call as it finishes. After --warmup seconds it records every call's latency for
 * --seconds, then prints one JSON line: calls, calls/s, p50/p99 in ms, errors.
 *
 * usage: rpc_load --target HOST:PORT --method /pkg.Svc/Method --payload FILE [--concurrency N] [--seconds S]
 *                 [--warmup S] [--channels K]
 */
#include <grpc/byte_buffer.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slot {
  grpc_call *call;
  grpc_byte_buffer *request;
  grpc_byte_buffer *response;
  grpc_metadata_array initial_md, trailing_md;
  grpc_status_code status;
  grpc_slice details;
  double started;
  int channel;
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static grpc_channel **channels;
static grpc_completion_queue *cq;
static grpc_slice method, payload;

static void start(struct slot *s) {
  s->call = grpc_channel_create_call(channels[s->channel], NULL, GRPC_PROPAGATE_DEFAULTS, cq, method, NULL,
                                     gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
  s->request = grpc_raw_byte_buffer_create(&payload, 1);
  s->response = NULL;
  grpc_metadata_array_init(&s->initial_md);
  grpc_metadata_array_init(&s->trailing_md);
  grpc_op ops[6];
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[1].op = GRPC_OP_SEND_MESSAGE;
  ops[1].data.send_message.send_message = s->request;
  ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
  ops[3].data.recv_initial_metadata.recv_initial_metadata = &s->initial_md;
  ops[4].op = GRPC_OP_RECV_MESSAGE;
  ops[4].data.recv_message.recv_message = &s->response;
  ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  ops[5].data.recv_status_on_client.trailing_metadata = &s->trailing_md;
  ops[5].data.recv_status_on_client.status = &s->status;
  ops[5].data.recv_status_on_client.status_details = &s->details;
  s->started = now();
  if (grpc_call_start_batch(s->call, ops, 6, s, NULL) != GRPC_CALL_OK) {
    fprintf(stderr, "rpc_load: grpc_call_start_batch failed\n");
    exit(1);
  }
}

static void finish(struct slot *s) {
  grpc_byte_buffer_destroy(s->request);
  if (s->response) grpc_byte_buffer_destroy(s->response);
  grpc_metadata_array_destroy(&s->initial_md);
  grpc_metadata_array_destroy(&s->trailing_md);
  grpc_slice_unref(s->details);
  grpc_call_unref(s->call);
}

int main(int argc, char **argv) {
  const char *target = NULL, *meth = NULL, *payload_file = NULL;
  int concurrency = 1, n_channels = 1;
  double seconds = 5, warmup = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--target")) target = argv[i + 1];
    else if (!strcmp(argv[i], "--method")) meth = argv[i + 1];
    else if (!strcmp(argv[i], "--payload")) payload_file = argv[i + 1];
    else if (!strcmp(argv[i], "--concurrency")) concurrency = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--warmup")) warmup = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--channels")) n_channels = atoi(argv[i + 1]);
    else {
      fprintf(stderr, "rpc_load: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (!target || !meth || !payload_file || concurrency < 1 || n_channels < 1) {
    fprintf(stderr, "usage: rpc_load --target H:P --method /pkg.Svc/M --payload FILE [--concurrency N] "
                    "[--seconds S] [--warmup S] [--channels K]\n");
    return 2;
  }
  FILE *f = fopen(payload_file, "rb");
  if (!f) {
    perror(payload_file);
    return 2;
  }
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);

  grpc_init();
  method = grpc_slice_from_static_string(meth);
  payload = grpc_slice_from_copied_buffer(buf, n);
  grpc_channel_credentials *creds = grpc_insecure_credentials_create();
  channels = calloc((size_t)n_channels, sizeof *channels);
  for (int c = 0; c < n_channels; c++) {
    grpc_arg arg = {GRPC_ARG_INTEGER, (char *)"grpc.channel_id", {.integer = c}}; /* distinct channels */
    grpc_channel_args args = {1, &arg};
    channels[c] = grpc_channel_create(target, creds, &args);
  }
  cq = grpc_completion_queue_create_for_next(NULL);

  size_t cap = 1 << 20, count = 0;
  double *lat = malloc(cap * sizeof *lat);
  long errors = 0;
  char first_error[256] = "";
  struct slot *slots = calloc((size_t)concurrency, sizeof *slots);
  double t0 = now(), measure_from = t0 + warmup, end = measure_from + seconds;
  for (int i = 0; i < concurrency; i++) {
    slots[i].channel = i % n_channels;
    start(&slots[i]);
  }
  int outstanding = concurrency;
  while (outstanding > 0) {
    grpc_event ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (ev.type != GRPC_OP_COMPLETE) continue;
    struct slot *s = ev.tag;
    double t = now();
    if (s->started >= measure_from && t <= end) {
      if (s->status != GRPC_STATUS_OK || !ev.success) {
        if (!errors) {
          char *d = grpc_slice_to_c_string(s->details);
          snprintf(first_error, sizeof first_error, "status %d: %s", (int)s->status, d);
          gpr_free(d);
        }
        errors++;
      }
      if (count == cap) {
        cap *= 2;
        lat = realloc(lat, cap * sizeof *lat);
      }
      lat[count++] = (t - s->started) * 1e3;
    }
    finish(s);
    if (t < end) start(s);
    else outstanding--;
  }
  qsort(lat, count, sizeof *lat, cmp_double);
  double p50 = count ? lat[count / 2] : 0, p99 = count ? lat[(size_t)((double)count * 0.99)] : 0;
  for (char *p = first_error; *p; p++)
    if (*p == '"' || *p == '\\') *p = '\'';
  printf("{\"calls\":%zu,\"seconds\":%.3f,\"calls_per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"errors\":%ld,"
         "\"first_error\":\"%s\"}\n",
         count, seconds, (double)count / seconds, p50, p99, errors, first_error);
  free(lat);
  free(slots);
  grpc_completion_queue_shutdown(cq);
  while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN) {
  }
  grpc_completion_queue_destroy(cq);
  for (int c = 0; c < n_channels; c++) grpc_channel_destroy(channels[c]);
  free(channels);
  grpc_channel_credentials_release(creds);
  grpc_slice_unref(payload);
  grpc_shutdown();
  return errors ? 1 : 0;
}
