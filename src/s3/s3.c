/*
 * s3.c: the S3 API's request lifecycle on libmicrohttpd: authentication (SigV4), routing to an operation,
 * authorisation, and streaming of request bodies to disk (see s3.h). The operations are in ops.c.
 *
 * A request is decided on libmicrohttpd's first call, before any body byte is read: a refused request (bad
 * signature, another project's bucket, a bad key) is answered at once, so its body is never read (clients
 * that sent `Expect: 100-continue` do not even send it). Failures while a body streams are remembered and
 * answered after the last byte, as libmicrohttpd allows answering only then.
 */
#include "s3/s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "s3/multipart.h"
#include "s3/objects.h"
#include "s3/s3_int.h"
#include "s3/sigv4.h"
#include "s3/xml.h"

#define XML_BODY_MAX (4u << 20) /* CompleteMultipartUpload with 10,000 parts is ~1 MB */

ds_s3 *ds_s3_new(const char *data_dir, ds_auth *auth, ds_catalog *catalog) {
  ds_s3 *s3 = ds_calloc(1, sizeof *s3);
  snprintf(s3->data_dir, sizeof s3->data_dir, "%s", data_dir);
  s3->auth = auth;
  s3->catalog = catalog;
  return s3;
}

void ds_s3_free(ds_s3 *s3) { ds_free(s3); }

int ds_s3_claims(struct MHD_Connection *conn, const char *url) {
  if (strncmp(url, "/" DS_BUCKET_PREFIX, 1 + strlen(DS_BUCKET_PREFIX)) == 0) return 1;
  const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
  if (auth && strncmp(auth, "AWS4-HMAC-SHA256 ", 17) == 0) return 1;
  return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "X-Amz-Algorithm") != NULL;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- responses ------------------------------------------------------------------------------------------ */

enum MHD_Result ds_s3__queue(ds_s3req *r, unsigned status, struct MHD_Response *resp) {
  MHD_add_response_header(resp, "x-amz-request-id", r->request_id);
  MHD_add_response_header(resp, "Server", "duckstore");
  enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
  MHD_destroy_response(resp);
  r->status = status;
  r->answered = 1;
  return ret;
}

enum MHD_Result ds_s3__send_xml(ds_s3req *r, unsigned status, const ds_buf *xml) {
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(xml->len, xml->data ? xml->data : (char *)"", MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/xml");
  return ds_s3__queue(r, status, resp);
}

enum MHD_Result ds_s3__send_error(ds_s3req *r, int code, const char *message) {
  ds_buf b;
  if (r->sink_open) { /* a refused body leaves nothing behind, not even until the request is cleaned up */
    ds_s3sink_abort(&r->sink);
    r->sink_open = 0;
  }
  ds_buf_init(&b, 64 << 10);
  ds_buf_puts(&b, DS_S3XML_HEAD "<Error>");
  ds_s3xml_elem(&b, "Code", ds_s3err_code(code), 0);
  ds_s3xml_elem(&b, "Message", message, 0);
  if (r->key) ds_s3xml_elem(&b, "Key", r->key, 0);
  if (*r->bucket) ds_s3xml_elem(&b, "BucketName", r->bucket, 0);
  ds_s3xml_elem(&b, "RequestId", r->request_id, 0);
  ds_buf_puts(&b, "</Error>");
  enum MHD_Result ret = ds_s3__send_xml(r, ds_s3err_http(code), &b);
  ds_buf_release(&b);
  if (code == DS_S3E_INTERNAL) DS_LOG(DS_LOG_ERROR, "s3", "%s %s: %s", r->op_name, r->bucket, message);
  return ret;
}

/* ---- request helpers ------------------------------------------------------------------------------------ */

const char *ds_s3__header(const ds_s3req *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *ds_s3__query(const ds_s3req *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

static int has_query(const ds_s3req *r, const char *name) {
  /* a parameter without '=' (?uploads) has a NULL value: look for the key itself */
  return MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name), NULL, NULL) == MHD_YES;
}

int ds_s3__key_check(const char *key, ds_error *err) {
  ds_error kerr;
  if (strlen(key) > DS_OBJECT_KEY_MAX) return ds_s3_fail(err, DS_S3E_KEY_TOO_LONG, "Your key is too long.");
  if (ds_objects_key_check(key, 0, &kerr)) return ds_s3_fail(err, DS_S3E_INVALID_ARGUMENT, "%s", kerr.msg);
  for (const char *seg = key; seg; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL)
    if (strncmp(seg, DS_S3_TMP_PREFIX, strlen(DS_S3_TMP_PREFIX)) == 0)
      return ds_s3_fail(err, DS_S3E_INVALID_ARGUMENT, "Object key \"%.200s\" uses the reserved name " DS_S3_TMP_PREFIX ".",
                        key);
  return 0;
}

int ds_s3__bucket_access(const ds_s3req *r, const char *bucket, char *project, size_t size, ds_error *err) {
  ds_error kerr;
  if (ds_objects_bucket_project(bucket, project, size, &kerr))
    return ds_s3_fail(err, DS_S3E_NO_SUCH_BUCKET, "The specified bucket does not exist.");
  if (!r->is_admin && strcmp(project, r->who) != 0)
    return ds_s3_fail(err, DS_S3E_ACCESS_DENIED, "Access Denied: the key of project %s cannot use bucket %.100s.",
                      r->who, bucket);
  if (!ds_catalog_project_exists(r->s3->catalog, project))
    return ds_s3_fail(err, DS_S3E_NO_SUCH_BUCKET, "The specified bucket does not exist.");
  return 0;
}

struct meta_scan {
  json_t *obj;
};

static enum MHD_Result collect_meta(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  struct meta_scan *m = cls;
  if (strncasecmp(key, "x-amz-meta-", 11) == 0 && key[11] && value) {
    char name[256];
    snprintf(name, sizeof name, "%s", key + 11);
    for (char *p = name; *p; p++)
      if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    if (!m->obj) m->obj = json_object();
    json_object_set_new(m->obj, name, json_string(value));
  }
  return MHD_YES;
}

json_t *ds_s3__user_meta(const ds_s3req *r) {
  struct meta_scan m = {NULL};
  MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_meta, &m);
  return m.obj;
}

/* ---- authentication ------------------------------------------------------------------------------------- */

struct kvs {
  ds_sigv4_kv *v;
  size_t n, cap;
};

static enum MHD_Result collect_kv(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  struct kvs *k = cls;
  if (k->n == k->cap) {
    k->cap = k->cap ? k->cap * 2 : 32;
    k->v = ds_realloc(k->v, k->cap * sizeof *k->v);
  }
  k->v[k->n].name = key;
  k->v[k->n].value = value;
  k->n++;
  return MHD_YES;
}

/* Verifies the signature and sets the caller's identity; *a receives the parsed auth, key the signing key. */
static int authenticate(ds_s3req *r, const char *url, const char *method, ds_sigv4_auth *a, unsigned char key[32]) {
  struct kvs h = {0}, q = {0};
  char secret[512];
  ds_error aerr;
  int rc;
  MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_kv, &h);
  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_kv, &q);
  ds_sigv4_request req = {method, url, q.v, q.n, h.v, h.n};
  rc = ds_sigv4_parse(&req, a, &r->err);
  if (rc == 1) {
    rc = ds_s3_fail(&r->err, DS_S3E_ACCESS_DENIED,
                    "Access Denied: anonymous requests are not allowed; sign them with AWS Signature Version 4.");
    goto out;
  }
  if (rc) goto out;
  if ((rc = ds_auth_s3_secret(r->s3->auth, a->access_key, secret, sizeof secret, &aerr))) {
    rc = ds_s3_fail(&r->err,
                    rc == DS_E_AUTH         ? DS_S3E_INVALID_ACCESS_KEY
                    : rc == DS_E_PERMISSION ? DS_S3E_ACCESS_DENIED
                                            : DS_S3E_INTERNAL,
                    "%s", aerr.msg);
    goto out;
  }
  if ((rc = ds_sigv4_verify(&req, a, secret, time(NULL), key, &r->err))) goto out;
  r->is_admin = strcmp(a->access_key, "admin") == 0;
  if (!r->is_admin) snprintf(r->who, sizeof r->who, "%.64s", a->access_key);
out:
  memset(secret, 0, sizeof secret);
  ds_free(h.v);
  ds_free(q.v);
  return rc;
}

/* ---- routing -------------------------------------------------------------------------------------------- */

static const char *const unsupported_sub[] = {"acl",     "policy",   "cors",     "lifecycle",     "tagging",
                                              "versions", "versioning", "website", "logging",     "notification",
                                              "encryption", "replication", "object-lock", "retention", "legal-hold",
                                              "torrent",  "restore",  "select",   "ownershipControls",
                                              "publicAccessBlock", "uploads", "accelerate", "requestPayment", NULL};

static int unsupported(const ds_s3req *r, int allow_uploads) {
  for (int i = 0; unsupported_sub[i]; i++) {
    if (allow_uploads && strcmp(unsupported_sub[i], "uploads") == 0) continue;
    if (has_query(r, unsupported_sub[i])) return 1;
  }
  return 0;
}

static int route(ds_s3req *r, const char *method) {
  int get = !strcmp(method, "GET"), head = !strcmp(method, "HEAD"), put = !strcmp(method, "PUT"),
      del = !strcmp(method, "DELETE"), post = !strcmp(method, "POST");
  if (!*r->bucket) {
    if (get) return r->op = DS_S3OP_LIST_BUCKETS, 0;
    return ds_s3_fail(&r->err, DS_S3E_METHOD_NOT_ALLOWED, "The specified method is not allowed against this resource.");
  }
  if (!r->key) {
    if (get && has_query(r, "location")) return r->op = DS_S3OP_LOCATION, 0;
    if (post && has_query(r, "delete")) return r->op = DS_S3OP_DELETE_MULTI, 0;
    if (unsupported(r, 0)) return ds_s3_fail(&r->err, DS_S3E_NOT_IMPLEMENTED, "This bucket operation is not implemented.");
    if (get) {
      const char *lt = ds_s3__query(r, "list-type");
      return r->op = lt && !strcmp(lt, "2") ? DS_S3OP_LIST_V2 : DS_S3OP_LIST_V1, 0;
    }
    if (head) return r->op = DS_S3OP_HEAD_BUCKET, 0;
    if (put) return ds_s3_fail(&r->err, DS_S3E_BUCKET_EXISTS, "Buckets are made with their project (CreateProject).");
    return ds_s3_fail(&r->err, DS_S3E_METHOD_NOT_ALLOWED, "Buckets are removed with their project (DropProject).");
  }
  int upload = has_query(r, "uploadId");
  if (post && has_query(r, "uploads")) return r->op = DS_S3OP_MP_CREATE, 0;
  if (unsupported(r, 0)) return ds_s3_fail(&r->err, DS_S3E_NOT_IMPLEMENTED, "This object operation is not implemented.");
  if ((get || head) && upload) return ds_s3_fail(&r->err, DS_S3E_NOT_IMPLEMENTED, "ListParts is not implemented.");
  if (get) return r->op = DS_S3OP_GET, 0;
  if (head) return r->op = DS_S3OP_HEAD, 0;
  if (post && upload) return r->op = DS_S3OP_MP_COMPLETE, 0;
  if (del) return r->op = upload ? DS_S3OP_MP_ABORT : DS_S3OP_DELETE, 0;
  if (put && upload) {
    if (ds_s3__header(r, "x-amz-copy-source"))
      return ds_s3_fail(&r->err, DS_S3E_NOT_IMPLEMENTED, "UploadPartCopy is not implemented.");
    return r->op = DS_S3OP_MP_PART, 0;
  }
  if (put) return r->op = ds_s3__header(r, "x-amz-copy-source") ? DS_S3OP_COPY : DS_S3OP_PUT, 0;
  return ds_s3_fail(&r->err, DS_S3E_METHOD_NOT_ALLOWED, "The specified method is not allowed against this resource.");
}

static const char *op_name(int op) {
  static const char *const names[] = {"-",          "ListBuckets", "HeadBucket",  "GetBucketLocation", "ListObjects",
                                      "ListObjectsV2", "DeleteObjects", "GetObject", "HeadObject",   "PutObject",
                                      "CopyObject", "DeleteObject", "CreateMultipartUpload", "UploadPart",
                                      "CompleteMultipartUpload", "AbortMultipartUpload"};
  return op >= 0 && op < (int)(sizeof names / sizeof names[0]) ? names[op] : "-";
}

/* ---- bodies --------------------------------------------------------------------------------------------- */

static int body_bytes(void *arg, const void *p, size_t n, ds_error *err) {
  ds_s3req *r = arg;
  if (r->sha && !r->chunked) ds_digest_update(r->sha, p, n);
  if (r->sink_open) return ds_s3sink_write(&r->sink, p, n, err);
  if (ds_buf_append(&r->small, p, n)) return ds_s3_fail(err, DS_S3E_MALFORMED_XML, "The XML body is too large.");
  return 0;
}

static int feed(ds_s3req *r, const char *p, size_t n) {
  r->received += n;
  if (r->chunked) {
    if (r->sha) ds_digest_update(r->sha, p, n); /* the hash of a streaming body covers the framing */
    return ds_chunked_feed(r->chunked, p, n, body_bytes, r, &r->err);
  }
  return body_bytes(r, p, n, &r->err);
}

/* Checks what only the whole body can tell: the framing ended, the claimed SHA-256 matches. */
static int body_end(ds_s3req *r) {
  int rc;
  if (r->chunked) {
    if ((rc = ds_chunked_finish(r->chunked, &r->err))) return rc;
    if (r->decoded_len >= 0 && (unsigned long long)r->decoded_len != ds_chunked_decoded(r->chunked))
      return ds_s3_fail(&r->err, DS_S3E_INCOMPLETE_BODY,
                        "You did not provide the number of bytes specified by the x-amz-decoded-content-length header.");
  }
  if (r->sha) {
    unsigned char md[32];
    char hex[65];
    ds_digest_final(r->sha, md);
    ds_hex(md, 32, hex);
    if (strcasecmp(hex, r->want_sha) != 0)
      return ds_s3_fail(&r->err, DS_S3E_SHA256_MISMATCH,
                        "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return 0;
}

/* Prepares the body of an operation that takes one: where it goes and how it is checked. */
static int body_begin(ds_s3req *r, const ds_sigv4_auth *a, const unsigned char key[32]) {
  const char *dl = ds_s3__header(r, "x-amz-decoded-content-length");
  const char *cl = ds_s3__header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
  unsigned long long limit = r->op == DS_S3OP_PUT || r->op == DS_S3OP_MP_PART ? DS_S3_MAX_OBJECT : XML_BODY_MAX;
  int rc;
  if (dl) r->decoded_len = strtoll(dl, NULL, 10);
  unsigned long long declared = dl ? (unsigned long long)r->decoded_len : cl ? strtoull(cl, NULL, 10) : 0;
  if (declared > limit)
    return ds_s3_fail(&r->err, DS_S3E_ENTITY_TOO_LARGE, "Your proposed upload exceeds the maximum allowed size.");
  if (strncmp(a->payload_hash, "STREAMING-", 10) == 0) {
    int sig = strncmp(a->payload_hash, DS_SIGV4_STREAMING, strlen(DS_SIGV4_STREAMING)) == 0;
    r->chunked = ds_chunked_new(sig ? key : NULL, a->amz_date, a->scope, a->signature);
  } else if (strlen(a->payload_hash) == 64) {
    memcpy(r->want_sha, a->payload_hash, 65); /* 64 hex and the NUL */
    r->sha = ds_digest_new(DS_DIGEST_SHA256);
  } else if (strcmp(a->payload_hash, DS_SIGV4_UNSIGNED) != 0) {
    return ds_s3_fail(&r->err, DS_S3E_INVALID_ARGUMENT, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                                                        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD or a SHA-256 in hex.");
  }
  if (r->op == DS_S3OP_PUT) {
    ds_error kerr;
    if (ds_objects_path(r->s3->data_dir, r->project, r->key, r->path, sizeof r->path, &kerr))
      return ds_s3_fail(&r->err, DS_S3E_INVALID_ARGUMENT, "%s", kerr.msg);
  } else if (r->op == DS_S3OP_MP_PART) {
    const char *pn = ds_s3__query(r, "partNumber"), *id = ds_s3__query(r, "uploadId");
    char *end = NULL;
    long n = pn ? strtol(pn, &end, 10) : 0;
    if (!pn || *end || n < 1 || n > 10000)
      return ds_s3_fail(&r->err, DS_S3E_INVALID_ARGUMENT, "Part number must be an integer between 1 and 10000, inclusive.");
    r->part_number = (int)n;
    snprintf(r->upload_id, sizeof r->upload_id, "%s", id ? id : "");
    if ((rc = ds_s3mp_part_path(r->s3->data_dir, r->project, r->upload_id, r->key, r->part_number, r->path,
                                sizeof r->path, &r->err)))
      return rc;
  } else {
    return 0; /* an XML body: into r->small */
  }
  if ((rc = ds_s3sink_open(&r->sink, r->path, limit, &r->err))) return rc;
  r->sink_open = 1;
  return 0;
}

/* ---- the handler ---------------------------------------------------------------------------------------- */

static int parse_url(ds_s3req *r, const char *url) {
  const char *p = url[0] == '/' ? url + 1 : url;
  const char *slash = strchr(p, '/');
  size_t bl = slash ? (size_t)(slash - p) : strlen(p);
  if (bl >= sizeof r->bucket) return ds_s3_fail(&r->err, DS_S3E_NO_SUCH_BUCKET, "The specified bucket does not exist.");
  memcpy(r->bucket, p, bl);
  r->bucket[bl] = '\0';
  if (slash && slash[1]) r->key = ds_strdup(slash + 1);
  return 0;
}

static int begin(ds_s3req *r, const char *url, const char *method) {
  ds_sigv4_auth a;
  unsigned char key[32];
  int rc;
  if ((rc = parse_url(r, url))) return rc;
  if ((rc = authenticate(r, url, method, &a, key))) return rc;
  if ((rc = route(r, method))) goto out;
  r->op_name = op_name(r->op);
  if (*r->bucket && (rc = ds_s3__bucket_access(r, r->bucket, r->project, sizeof r->project, &r->err))) goto out;
  if (r->key && (rc = ds_s3__key_check(r->key, &r->err))) goto out;
  if (r->op == DS_S3OP_PUT || r->op == DS_S3OP_MP_PART || r->op == DS_S3OP_MP_COMPLETE ||
      r->op == DS_S3OP_DELETE_MULTI)
    rc = body_begin(r, &a, key);
out:
  memset(key, 0, sizeof key);
  return rc;
}

static enum MHD_Result run(ds_s3req *r) {
  switch (r->op) {
  case DS_S3OP_LIST_BUCKETS: return ds_s3__op_list_buckets(r);
  case DS_S3OP_HEAD_BUCKET: {
    ds_buf empty;
    ds_buf_init(&empty, 0);
    return ds_s3__send_xml(r, 200, &empty);
  }
  case DS_S3OP_LOCATION: {
    ds_buf b;
    ds_buf_init(&b, 4096);
    ds_buf_puts(&b, DS_S3XML_HEAD "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>");
    enum MHD_Result ret = ds_s3__send_xml(r, 200, &b);
    ds_buf_release(&b);
    return ret;
  }
  case DS_S3OP_LIST_V1: return ds_s3__op_list(r, 0);
  case DS_S3OP_LIST_V2: return ds_s3__op_list(r, 1);
  case DS_S3OP_DELETE_MULTI: return ds_s3__op_delete_multi(r);
  case DS_S3OP_GET: return ds_s3__op_get(r, 0);
  case DS_S3OP_HEAD: return ds_s3__op_get(r, 1);
  case DS_S3OP_PUT: return ds_s3__op_put_finish(r);
  case DS_S3OP_COPY: return ds_s3__op_copy(r);
  case DS_S3OP_DELETE: return ds_s3__op_delete(r);
  case DS_S3OP_MP_CREATE: return ds_s3__op_mp_create(r);
  case DS_S3OP_MP_PART: return ds_s3__op_mp_part_finish(r);
  case DS_S3OP_MP_COMPLETE: return ds_s3__op_mp_complete(r);
  case DS_S3OP_MP_ABORT: return ds_s3__op_mp_abort(r);
  default: return ds_s3__send_error(r, DS_S3E_NOT_IMPLEMENTED, "Not implemented.");
  }
}

enum MHD_Result ds_s3_handle(ds_s3 *s3, struct MHD_Connection *conn, const char *url, const char *method,
                             const char *upload_data, size_t *upload_data_size, void **state) {
  ds_s3req *r = *state;
  int rc;
  if (!r) {
    unsigned char rnd[8];
    r = ds_calloc(1, sizeof *r);
    r->s3 = s3;
    r->conn = conn;
    r->decoded_len = -1;
    r->t0_ms = now_ms();
    r->op_name = "-";
    ds_buf_init(&r->small, XML_BODY_MAX);
    ds_random_bytes(rnd, sizeof rnd);
    ds_hex(rnd, sizeof rnd, r->request_id);
    *state = r;
    if ((rc = begin(r, url, method))) return ds_s3__send_error(r, rc, r->err.msg);
    return MHD_YES;
  }
  if (r->answered) { /* refused before its body: drop whatever still arrives */
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (*upload_data_size) {
    if (!r->failed && (rc = feed(r, upload_data, *upload_data_size))) {
      r->failed = rc;
      if (r->sink_open) ds_s3sink_abort(&r->sink);
      r->sink_open = 0;
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (!r->failed && (r->sink_open || r->chunked || r->sha || r->small.len)) r->failed = body_end(r);
  if (r->failed) return ds_s3__send_error(r, r->failed, r->err.msg);
  return run(r);
}

void ds_s3_done(void *state) {
  ds_s3req *r = state;
  if (!r) return;
  if (r->sink_open) ds_s3sink_abort(&r->sink);
  DS_LOG(DS_LOG_INFO, "s3", "%s project=%s status=%u %lldms%s", r->op_name, *r->project ? r->project : "-",
         r->status, now_ms() - r->t0_ms, r->answered ? "" : " (broken off)");
  ds_chunked_free(r->chunked);
  ds_digest_free(r->sha);
  ds_buf_release(&r->small);
  ds_free(r->key);
  ds_free(r);
}
