/*
 * ops.c: the S3 operations, run once a request is authenticated, routed, authorised and (for writes) its
 * body is on disk in a temporary file (see s3.c and s3_int.h).
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "s3/list.h"
#include "s3/multipart.h"
#include "s3/objects.h"
#include "s3/s3_int.h"
#include "s3/xml.h"

#define XMLNS "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""

static void http_date(long long mtime_ns, char *out, size_t size) {
  time_t t = (time_t)(mtime_ns / 1000000000LL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void iso_date(long long mtime_ns, char *out, size_t size) {
  time_t t = (time_t)(mtime_ns / 1000000000LL);
  struct tm tm;
  gmtime_r(&t, &tm);
  int n = (int)strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + n, size - (size_t)n, ".%03dZ", (int)(mtime_ns / 1000000 % 1000));
}

static enum MHD_Result fail(ds_s3req *r, int rc) { return ds_s3__send_error(r, rc, r->err.msg); }

static enum MHD_Result empty(ds_s3req *r, unsigned status, const char *etag) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
  if (etag) {
    char q[100];
    snprintf(q, sizeof q, "\"%s\"", etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, q);
  }
  return ds_s3__queue(r, status, resp);
}

static enum MHD_Result xml_done(ds_s3req *r, ds_buf *b) {
  enum MHD_Result ret = ds_s3__send_xml(r, 200, b);
  ds_buf_release(b);
  return ret;
}

/* Content-MD5, when sent, must be the base64 MD5 of the body. */
static int check_md5(ds_s3req *r, const unsigned char md5[16]) {
  const char *h = ds_s3__header(r, "Content-MD5");
  unsigned char want[20];
  if (!h) return 0;
  if (ds_base64_decode(h, want, sizeof want) != 16)
    return ds_s3_fail(&r->err, DS_S3E_INVALID_ARGUMENT, "The Content-MD5 you specified is not valid.");
  if (!ds_secure_equal_n(want, md5, 16))
    return ds_s3_fail(&r->err, DS_S3E_BAD_DIGEST, "The Content-MD5 you specified did not match what we received.");
  return 0;
}

static void add_user_meta(struct MHD_Response *resp, json_t *user) {
  const char *k;
  json_t *v;
  if (!user) return;
  json_object_foreach(user, k, v) {
    char name[300];
    snprintf(name, sizeof name, "x-amz-meta-%s", k);
    if (json_is_string(v)) MHD_add_response_header(resp, name, json_string_value(v));
  }
}

/* 1 when an If-Match / If-None-Match list names etag (or is "*"). */
static int etag_listed(const char *list, const char *etag) {
  if (strstr(list, "*")) return 1;
  const char *p = strstr(list, etag);
  return p != NULL;
}

/* "bytes=a-b", "bytes=a-", "bytes=-n": 1 with the range set, 0 to serve the whole object (no or unusable
 * header), -1 when it cannot be satisfied. */
static int parse_range(const char *h, unsigned long long size, unsigned long long *off, unsigned long long *len) {
  if (!h || strncmp(h, "bytes=", 6) != 0 || strchr(h, ',')) return 0;
  const char *s = h + 6;
  char *end = NULL;
  unsigned long long a, b;
  if (*s == '-') {
    if (!isdigit((unsigned char)s[1])) return 0;
    b = strtoull(s + 1, &end, 10);
    if (*end) return 0;
    if (b == 0 || size == 0) return -1;
    *off = b >= size ? 0 : size - b;
    *len = size - *off;
    return 1;
  }
  if (!isdigit((unsigned char)*s)) return 0;
  a = strtoull(s, &end, 10);
  if (*end != '-') return 0;
  s = end + 1;
  if (*s) {
    if (!isdigit((unsigned char)*s)) return 0;
    b = strtoull(s, &end, 10);
    if (*end || b < a) return 0;
  } else {
    b = size ? size - 1 : 0;
  }
  if (a >= size) return -1;
  if (b >= size) b = size - 1;
  *off = a;
  *len = b - a + 1;
  return 1;
}

enum MHD_Result ds_s3__op_get(ds_s3req *r, int head) {
  int fd = -1, rc;
  ds_s3meta m;
  char etag[100], date[64], cr[128];
  unsigned long long off = 0, len;
  if ((rc = ds_s3store_open(r->s3->data_dir, r->project, r->key, &fd, &m, &r->err))) return fail(r, rc);
  snprintf(etag, sizeof etag, "\"%s\"", m.etag);
  http_date(m.mtime_ns, date, sizeof date);
  len = m.size;
  const char *im = ds_s3__header(r, "If-Match"), *inm = ds_s3__header(r, "If-None-Match");
  enum MHD_Result ret;
  if (im && !etag_listed(im, m.etag)) {
    close(fd);
    rc = ds_s3_fail(&r->err, DS_S3E_PRECONDITION, "At least one of the pre-conditions you specified did not hold.");
    ret = fail(r, rc);
    goto out;
  }
  if (inm && etag_listed(inm, m.etag)) {
    close(fd);
    ret = empty(r, 304, m.etag);
    goto out;
  }
  unsigned status = 200;
  int range = parse_range(ds_s3__header(r, "Range"), m.size, &off, &len);
  if (range < 0) {
    close(fd);
    struct MHD_Response *resp = NULL;
    ds_buf b;
    ds_buf_init(&b, 4096);
    ds_buf_printf(&b, DS_S3XML_HEAD "<Error><Code>InvalidRange</Code><Message>The requested range is not satisfiable"
                      "</Message><RangeRequested>");
    ds_s3xml_escape(&b, ds_s3__header(r, "Range"));
    ds_buf_printf(&b, "</RangeRequested><ActualObjectSize>%llu</ActualObjectSize><RequestId>%s</RequestId></Error>",
                  m.size, r->request_id);
    resp = MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_COPY);
    ds_buf_release(&b);
    snprintf(cr, sizeof cr, "bytes */%llu", m.size);
    MHD_add_response_header(resp, "Content-Range", cr);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/xml");
    ret = ds_s3__queue(r, 416, resp);
    goto out;
  }
  if (range) status = 206;
  struct MHD_Response *resp;
  if (len) {
    resp = MHD_create_response_from_fd_at_offset64(len, fd, (int64_t)off); /* takes the fd */
  } else {
    close(fd);
    resp = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
  }
  (void)head; /* libmicrohttpd sends no body for HEAD, and reads nothing from the fd */
  const char *ctype = ds_s3__query(r, "response-content-type");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                          ctype ? ctype : *m.content_type ? m.content_type : "binary/octet-stream");
  const char *cd = ds_s3__query(r, "response-content-disposition");
  if (cd) MHD_add_response_header(resp, "Content-Disposition", cd);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, date);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
  if (range) {
    snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", off, off + len - 1, m.size);
    MHD_add_response_header(resp, "Content-Range", cr);
  }
  add_user_meta(resp, m.user);
  ret = ds_s3__queue(r, status, resp);
out:
  ds_s3meta_release(&m);
  return ret;
}

static void fill_meta(ds_s3req *r, ds_s3meta *m) {
  const char *ct = ds_s3__header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
  snprintf(m->content_type, sizeof m->content_type, "%s", ct ? ct : "");
  m->user = ds_s3__user_meta(r);
}

enum MHD_Result ds_s3__op_put_finish(ds_s3req *r) {
  unsigned char md5[16];
  ds_s3meta m;
  int rc;
  memset(&m, 0, sizeof m);
  if ((rc = ds_s3sink_finish(&r->sink, md5, &r->err)) || (rc = check_md5(r, md5)) ||
      (rc = ds_s3sink_commit(&r->sink, &r->err)))
    return fail(r, rc); /* ds_s3_done removes the temporary file */
  ds_hex(md5, 16, m.etag);
  fill_meta(r, &m);
  ds_s3store_meta_put(r->s3->data_dir, r->project, r->key, r->path, &m);
  enum MHD_Result ret = empty(r, 200, m.etag);
  ds_s3meta_release(&m);
  return ret;
}

static char *url_decode(const char *s) {
  size_t n = strlen(s);
  char *out = ds_malloc(n + 1), *o = out;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%' && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
      char hex[3] = {s[i + 1], s[i + 2], 0};
      char c = (char)strtol(hex, NULL, 16);
      if (!c) break;
      *o++ = c;
      i += 2;
    } else {
      *o++ = s[i];
    }
  }
  *o = '\0';
  return out;
}

enum MHD_Result ds_s3__op_copy(ds_s3req *r) {
  char src_project[DS_PROJECT_ID_MAX + 1], *src = NULL;
  unsigned char md5[16];
  ds_s3meta sm, m;
  ds_s3sink sink;
  ds_error kerr;
  int fd = -1, rc;
  enum MHD_Result ret;
  memset(&sm, 0, sizeof sm);
  memset(&m, 0, sizeof m);
  memset(&sink, 0, sizeof sink);
  src = url_decode(ds_s3__header(r, "x-amz-copy-source"));
  char *q = strchr(src, '?');
  if (q) *q = '\0';
  char *b = src + (src[0] == '/'), *slash = strchr(b, '/');
  if (!slash || !slash[1]) {
    rc = ds_s3_fail(&r->err, DS_S3E_INVALID_ARGUMENT, "Copy Source must mention the source bucket and key: "
                                                      "sourcebucket/sourcekey.");
    goto out;
  }
  *slash = '\0';
  const char *skey = slash + 1;
  if ((rc = ds_s3__bucket_access(r, b, src_project, sizeof src_project, &r->err))) goto out;
  if ((rc = ds_s3__key_check(skey, &r->err))) goto out;
  const char *directive = ds_s3__header(r, "x-amz-metadata-directive");
  int replace = directive && strcasecmp(directive, "REPLACE") == 0;
  if (!replace && !strcmp(src_project, r->project) && !strcmp(skey, r->key)) {
    rc = ds_s3_fail(&r->err, DS_S3E_INVALID_REQUEST,
                    "This copy request is illegal because it is trying to copy an object to itself without changing "
                    "the object's metadata.");
    goto out;
  }
  if ((rc = ds_s3store_open(r->s3->data_dir, src_project, skey, &fd, &sm, &r->err))) goto out;
  if (ds_objects_path(r->s3->data_dir, r->project, r->key, r->path, sizeof r->path, &kerr)) {
    rc = ds_s3_fail(&r->err, DS_S3E_INVALID_ARGUMENT, "%s", kerr.msg);
    goto out;
  }
  /* a single-part source's ETag is the MD5 of its bytes already: then the kernel copies them */
  int plain = strchr(sm.etag, '-') == NULL;
  if ((rc = ds_s3sink_open(&sink, r->path, DS_S3_MAX_OBJECT, &r->err)) ||
      (rc = ds_s3sink_copy_fd(&sink, fd, !plain, &r->err)) || (rc = ds_s3sink_finish(&sink, md5, &r->err)) ||
      (rc = ds_s3sink_commit(&sink, &r->err)))
    goto out;
  if (plain) snprintf(m.etag, sizeof m.etag, "%s", sm.etag);
  else ds_hex(md5, 16, m.etag);
  if (replace) {
    fill_meta(r, &m);
  } else {
    snprintf(m.content_type, sizeof m.content_type, "%s", sm.content_type);
    m.user = sm.user ? json_incref(sm.user) : NULL;
  }
  ds_s3store_meta_put(r->s3->data_dir, r->project, r->key, r->path, &m);
out:
  if (fd >= 0) close(fd);
  ds_s3sink_abort(&sink);
  ds_free(src);
  if (rc) {
    ret = fail(r, rc);
  } else {
    struct stat st;
    char date[40];
    ds_buf x;
    iso_date(stat(r->path, &st) ? 0 : (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec, date,
             sizeof date);
    ds_buf_init(&x, 4096);
    ds_buf_printf(&x, DS_S3XML_HEAD "<CopyObjectResult " XMLNS "><LastModified>%s</LastModified>"
                      "<ETag>&quot;%s&quot;</ETag></CopyObjectResult>",
                  date, m.etag);
    ret = xml_done(r, &x);
  }
  ds_s3meta_release(&sm);
  ds_s3meta_release(&m);
  return ret;
}

enum MHD_Result ds_s3__op_delete(ds_s3req *r) {
  int rc = ds_s3store_delete(r->s3->data_dir, r->project, r->key, &r->err);
  return rc ? fail(r, rc) : empty(r, 204, NULL);
}

enum MHD_Result ds_s3__op_delete_multi(ds_s3req *r) {
  unsigned char md5[16];
  ds_digest *d = ds_digest_new(DS_DIGEST_MD5);
  ds_digest_update(d, r->small.data, r->small.len);
  ds_digest_final(d, md5);
  ds_digest_free(d);
  int rc = check_md5(r, md5);
  if (rc) return fail(r, rc);
  const char *p = r->small.data ? r->small.data : "", *end = p + r->small.len, *inner;
  size_t n;
  const char *qp = p;
  int quiet = 0, count = 0;
  if (!ds_s3xml_next(&qp, end, "Quiet", &inner, &n)) quiet = n >= 4 && strncmp(inner, "true", 4) == 0;
  ds_buf x;
  ds_buf_init(&x, 16u << 20);
  ds_buf_puts(&x, DS_S3XML_HEAD "<DeleteResult " XMLNS ">");
  while (!ds_s3xml_next(&p, end, "Object", &inner, &n)) {
    const char *op = inner, *kin;
    size_t kn;
    if (++count > 1000 || ds_s3xml_next(&op, inner + n, "Key", &kin, &kn)) {
      ds_buf_release(&x);
      rc = ds_s3_fail(&r->err, DS_S3E_MALFORMED_XML, "The XML you provided was not well-formed or did not validate "
                                                     "against our published schema (Object needs a Key; at most 1000).");
      return fail(r, rc);
    }
    char *key = ds_s3xml_text(kin, kn);
    ds_error kerr;
    int krc = key ? ds_s3__key_check(key, &kerr) : ds_s3_fail(&kerr, DS_S3E_INVALID_ARGUMENT, "Bad key text.");
    if (!krc) krc = ds_s3store_delete(r->s3->data_dir, r->project, key, &kerr);
    if (krc) {
      ds_buf_puts(&x, "<Error>");
      ds_s3xml_elem(&x, "Key", key ? key : "", 0);
      ds_s3xml_elem(&x, "Code", ds_s3err_code(krc), 0);
      ds_s3xml_elem(&x, "Message", kerr.msg, 0);
      ds_buf_puts(&x, "</Error>");
    } else if (!quiet) {
      ds_buf_puts(&x, "<Deleted>");
      ds_s3xml_elem(&x, "Key", key, 0);
      ds_buf_puts(&x, "</Deleted>");
    }
    ds_free(key);
  }
  ds_buf_puts(&x, "</DeleteResult>");
  return xml_done(r, &x);
}

enum MHD_Result ds_s3__op_list(ds_s3req *r, int v2) {
  const char *prefix = ds_s3__query(r, "prefix"), *delim = ds_s3__query(r, "delimiter"),
             *mk = ds_s3__query(r, "max-keys"), *enc = ds_s3__query(r, "encoding-type"),
             *token = v2 ? ds_s3__query(r, "continuation-token") : NULL,
             *after = v2 ? ds_s3__query(r, "start-after") : ds_s3__query(r, "marker");
  char marker[DS_OBJECT_KEY_MAX + 2] = "";
  int url = enc && strcmp(enc, "url") == 0, rc, max = 1000;
  ds_s3list_result res;
  if (mk) {
    char *end = NULL;
    long v = strtol(mk, &end, 10);
    if (!*mk || *end || v < 0) {
      rc = ds_s3_fail(&r->err, DS_S3E_INVALID_ARGUMENT, "Provided max-keys not an integer or within integer range.");
      return fail(r, rc);
    }
    max = v > 1000 ? 1000 : (int)v;
  }
  if (token) {
    long n = ds_base64_decode(token, marker, sizeof marker - 1);
    if (n <= 0) {
      rc = ds_s3_fail(&r->err, DS_S3E_INVALID_ARGUMENT, "The continuation token provided is incorrect.");
      return fail(r, rc);
    }
    marker[n] = '\0';
  } else if (after) {
    snprintf(marker, sizeof marker, "%s", after);
  }
  ds_s3list_opts o = {prefix ? prefix : "", delim ? delim : "", marker, max};
  if ((rc = ds_s3list_run(r->s3->data_dir, r->project, &o, &res, &r->err))) return fail(r, rc);
  ds_buf x;
  ds_buf_init(&x, 64u << 20);
  ds_buf_puts(&x, DS_S3XML_HEAD "<ListBucketResult " XMLNS ">");
  ds_s3xml_elem(&x, "Name", r->bucket, 0);
  ds_s3xml_elem(&x, "Prefix", o.prefix, url);
  if (*o.delimiter) ds_s3xml_elem(&x, "Delimiter", o.delimiter, url);
  ds_buf_printf(&x, "<MaxKeys>%d</MaxKeys>", max);
  if (url) ds_buf_puts(&x, "<EncodingType>url</EncodingType>");
  ds_buf_printf(&x, "<IsTruncated>%s</IsTruncated>", res.truncated ? "true" : "false");
  const char *last = res.n ? res.entries[res.n - 1].key : "";
  if (v2) {
    ds_buf_printf(&x, "<KeyCount>%d</KeyCount>", res.n);
    if (token) ds_s3xml_elem(&x, "ContinuationToken", token, 0);
    if (after) ds_s3xml_elem(&x, "StartAfter", after, url);
    if (res.truncated) {
      char next[2 * DS_OBJECT_KEY_MAX];
      ds_base64_encode(last, strlen(last), next, sizeof next);
      ds_s3xml_elem(&x, "NextContinuationToken", next, 0);
    }
  } else {
    ds_s3xml_elem(&x, "Marker", after ? after : "", url);
    if (res.truncated) ds_s3xml_elem(&x, "NextMarker", last, url);
  }
  for (int i = 0; i < res.n; i++) {
    const ds_s3list_entry *e = &res.entries[i];
    if (e->is_prefix) continue;
    char date[40];
    iso_date(e->mtime_ns, date, sizeof date);
    ds_buf_puts(&x, "<Contents>");
    ds_s3xml_elem(&x, "Key", e->key, url);
    ds_buf_printf(&x, "<LastModified>%s</LastModified><ETag>&quot;%s&quot;</ETag><Size>%llu</Size>"
                      "<StorageClass>STANDARD</StorageClass></Contents>",
                  date, e->etag, e->size);
  }
  for (int i = 0; i < res.n; i++) {
    if (!res.entries[i].is_prefix) continue;
    ds_buf_puts(&x, "<CommonPrefixes>");
    ds_s3xml_elem(&x, "Prefix", res.entries[i].key, url);
    ds_buf_puts(&x, "</CommonPrefixes>");
  }
  ds_buf_puts(&x, "</ListBucketResult>");
  ds_s3list_result_release(&res);
  return xml_done(r, &x);
}

struct ids {
  char **v;
  size_t n, cap;
};

static void collect_id(const char *id, void *arg) {
  struct ids *s = arg;
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 16;
    s->v = ds_realloc(s->v, s->cap * sizeof *s->v);
  }
  s->v[s->n++] = ds_strdup(id);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

enum MHD_Result ds_s3__op_list_buckets(ds_s3req *r) {
  struct ids ids = {0};
  if (r->is_admin) ds_catalog_project_each(r->s3->catalog, collect_id, &ids);
  else if (ds_catalog_project_exists(r->s3->catalog, r->who)) collect_id(r->who, &ids);
  if (ids.n) qsort(ids.v, ids.n, sizeof *ids.v, cmp_str);
  ds_buf x;
  ds_buf_init(&x, 64u << 20);
  ds_buf_puts(&x, DS_S3XML_HEAD "<ListAllMyBucketsResult " XMLNS "><Owner>");
  ds_s3xml_elem(&x, "ID", r->is_admin ? "admin" : r->who, 0);
  ds_s3xml_elem(&x, "DisplayName", r->is_admin ? "admin" : r->who, 0);
  ds_buf_puts(&x, "</Owner><Buckets>");
  for (size_t i = 0; i < ids.n; i++) {
    char root[PATH_MAX], date[40];
    struct stat st;
    ds_error kerr;
    long long t = time(NULL) * 1000000000LL;
    if (!ds_objects_root(r->s3->data_dir, ids.v[i], root, sizeof root, &kerr) && !stat(root, &st))
      t = (long long)st.st_mtim.tv_sec * 1000000000LL;
    iso_date(t, date, sizeof date);
    ds_buf_printf(&x, "<Bucket><Name>" DS_BUCKET_PREFIX);
    ds_s3xml_escape(&x, ids.v[i]);
    ds_buf_printf(&x, "</Name><CreationDate>%s</CreationDate></Bucket>", date);
    ds_free(ids.v[i]);
  }
  ds_free(ids.v);
  ds_buf_puts(&x, "</Buckets></ListAllMyBucketsResult>");
  return xml_done(r, &x);
}

enum MHD_Result ds_s3__op_mp_create(ds_s3req *r) {
  char id[33];
  const char *ct = ds_s3__header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
  json_t *user = ds_s3__user_meta(r);
  int rc = ds_s3mp_create(r->s3->data_dir, r->project, r->key, ct, user, id, &r->err);
  if (user) json_decref(user);
  if (rc) return fail(r, rc);
  ds_buf x;
  ds_buf_init(&x, 8192);
  ds_buf_puts(&x, DS_S3XML_HEAD "<InitiateMultipartUploadResult " XMLNS ">");
  ds_s3xml_elem(&x, "Bucket", r->bucket, 0);
  ds_s3xml_elem(&x, "Key", r->key, 0);
  ds_s3xml_elem(&x, "UploadId", id, 0);
  ds_buf_puts(&x, "</InitiateMultipartUploadResult>");
  return xml_done(r, &x);
}

enum MHD_Result ds_s3__op_mp_part_finish(ds_s3req *r) {
  unsigned char md5[16];
  char hex[33];
  int rc;
  if ((rc = ds_s3sink_finish(&r->sink, md5, &r->err)) || (rc = check_md5(r, md5)) ||
      (rc = ds_s3sink_commit(&r->sink, &r->err)))
    return fail(r, rc);
  ds_hex(md5, 16, hex);
  if ((rc = ds_s3mp_part_done(r->path, hex, r->sink.n, &r->err))) return fail(r, rc);
  return empty(r, 200, hex);
}

enum MHD_Result ds_s3__op_mp_complete(ds_s3req *r) {
  const char *p = r->small.data ? r->small.data : "", *end = p + r->small.len, *inner;
  size_t n;
  int count = 0, cap = 0, rc = 0;
  ds_s3mp_part *parts = NULL;
  char etag[80];
  while (!rc && !ds_s3xml_next(&p, end, "Part", &inner, &n)) {
    const char *q = inner, *v;
    size_t vn;
    char *num = NULL, *tag = NULL;
    if (count == DS_S3MP_MAX_PARTS) {
      rc = ds_s3_fail(&r->err, DS_S3E_MALFORMED_XML, "At most 10000 parts.");
      break;
    }
    if (!ds_s3xml_next(&q, inner + n, "PartNumber", &v, &vn)) num = ds_s3xml_text(v, vn);
    q = inner;
    if (!ds_s3xml_next(&q, inner + n, "ETag", &v, &vn)) tag = ds_s3xml_text(v, vn);
    if (!num || !tag) {
      rc = ds_s3_fail(&r->err, DS_S3E_MALFORMED_XML, "Each Part needs a PartNumber and an ETag.");
    } else {
      if (count == cap) {
        cap = cap ? cap * 2 : 16;
        parts = ds_realloc(parts, (size_t)cap * sizeof *parts);
      }
      char *t = tag;
      size_t tl = strlen(t);
      if (tl >= 2 && t[0] == '"' && t[tl - 1] == '"') t[tl - 1] = '\0', t++;
      parts[count].number = atoi(num);
      snprintf(parts[count].etag, sizeof parts[count].etag, "%s", t);
      count++;
    }
    ds_free(num);
    ds_free(tag);
  }
  const char *id = ds_s3__query(r, "uploadId");
  if (!rc) rc = ds_s3mp_complete(r->s3->data_dir, r->project, id ? id : "", r->key, parts, count, etag, &r->err);
  ds_free(parts);
  if (rc) return fail(r, rc);
  ds_buf x;
  ds_buf_init(&x, 8192);
  ds_buf_puts(&x, DS_S3XML_HEAD "<CompleteMultipartUploadResult " XMLNS ">");
  ds_buf_puts(&x, "<Location>/");
  ds_s3xml_escape(&x, r->bucket);
  ds_buf_puts(&x, "/");
  ds_s3xml_escape(&x, r->key);
  ds_buf_puts(&x, "</Location>");
  ds_s3xml_elem(&x, "Bucket", r->bucket, 0);
  ds_s3xml_elem(&x, "Key", r->key, 0);
  ds_buf_printf(&x, "<ETag>&quot;%s&quot;</ETag></CompleteMultipartUploadResult>", etag);
  return xml_done(r, &x);
}

enum MHD_Result ds_s3__op_mp_abort(ds_s3req *r) {
  const char *id = ds_s3__query(r, "uploadId");
  int rc = ds_s3mp_abort(r->s3->data_dir, r->project, id ? id : "", r->key, &r->err);
  return rc ? fail(r, rc) : empty(r, 204, NULL);
}
