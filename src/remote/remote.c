/*
 * remote.c: the HTTP client for remote S3 and Azure Blob Storage (see remote.h). One libcurl easy handle per
 * request; bodies stream between a file descriptor / FILE and the socket. A GET's body goes to the file only
 * when the status is 2xx; an error body is kept (bounded) to quote the store's <Code> and <Message>.
 */
#include "remote/remote.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/crypto.h"
#include "proto/table.pb-c.h"
#include "s3/objects.h"
#include "s3/sigv4.h"

#define ENDPOINT_MAX 512
#define URL_MAX (16u << 10)
#define ERRBODY_MAX 4096
#define MAX_SIGNED 16
#define CONNECT_TIMEOUT 10L
#define LOW_SPEED_LIMIT 1024L /* bytes per second ... */
#define LOW_SPEED_TIME 60L    /* ... for this many seconds aborts the transfer */
#define ABS_HOST_SUFFIX ".blob.core.windows.net"
#define ABS_VERSION "2021-08-06"
#define S3_TYPE "keboola.storageDriver.command.table.ImportExportShared.S3Credentials"
#define ABS_TYPE "keboola.storageDriver.command.table.ImportExportShared.ABSCredentials"

typedef Keboola__StorageDriver__Command__Table__ImportExportShared__S3Credentials S3Credentials;
typedef Keboola__StorageDriver__Command__Table__ImportExportShared__ABSCredentials ABSCredentials;

static char g_s3_endpoint[ENDPOINT_MAX]; /* "" = AWS */
static char g_abs_endpoint[ENDPOINT_MAX]; /* "" = Azure */

/* --- set-up --------------------------------------------------------------------------------------------- */

static int set_endpoint(char *slot, const char *v, const char *name, ds_error *err) {
  slot[0] = 0;
  if (!v || !*v) return 0;
  size_t n = strlen(v);
  while (n && v[n - 1] == '/') n--;
  if ((strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) || n >= ENDPOINT_MAX || n <= 8)
    return ds_error_set(err, DS_E_VALIDATION, "%s \"%.200s\" is not an http:// or https:// URL.", name, v);
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)v[i] <= 0x20 || v[i] == 0x7F || v[i] == '?' || v[i] == '#')
      return ds_error_set(err, DS_E_VALIDATION, "%s \"%.200s\" must be a plain URL without a query.", name, v);
  memcpy(slot, v, n);
  slot[n] = 0;
  return 0;
}

int ds_remote_init(const char *s3_endpoint, const char *abs_endpoint, ds_error *err) {
  int rc;
  if ((rc = set_endpoint(g_s3_endpoint, s3_endpoint, "S3_ENDPOINT", err))) return rc;
  if ((rc = set_endpoint(g_abs_endpoint, abs_endpoint, "ABS_ENDPOINT", err))) return rc;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return ds_error_set(err, DS_E_INTERNAL, "libcurl could not be initialised.");
  return 0;
}

void ds_remote_cleanup(void) { curl_global_cleanup(); }

/* --- names ---------------------------------------------------------------------------------------------- */

/* A bucket or container name: 1..255 of [A-Za-z0-9._-] (S3 and ABS are stricter; they answer for themselves). */
static int name_ok(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > 255) return 0;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-') return 0;
  return 1;
}

static int check_bucket(const ds_remote *r, const char *bucket, ds_error *err) {
  if (!name_ok(bucket))
    return ds_error_set(err, DS_E_VALIDATION, "%s name \"%.100s\" is not valid.",
                        r->kind == DS_REMOTE_ABS ? "Container" : "Bucket", bucket ? bucket : "");
  return 0;
}

int ds_remote_from_any(ds_pool *pool, int provider, const char *root, const Google__Protobuf__Any *creds,
                       ds_remote *r, ds_error *err) {
  memset(r, 0, sizeof *r);
  if (provider == 2)
    return ds_error_set(err, DS_E_NOT_SUPPORTED, "File provider GCS is not supported yet; use S3 or ABS.");
  if (provider != 0 && provider != 1) return ds_error_set(err, DS_E_VALIDATION, "Unknown file provider %d.", provider);
  r->kind = provider == 1 ? DS_REMOTE_ABS : DS_REMOTE_S3;
  r->root = root ? root : "";
  const char *want = r->kind == DS_REMOTE_S3 ? S3_TYPE : ABS_TYPE;
  const char *short_name = r->kind == DS_REMOTE_S3 ? "S3Credentials" : "ABSCredentials";
  const char *slash = creds && creds->type_url ? strrchr(creds->type_url, '/') : NULL;
  if (!creds || !creds->type_url || !*creds->type_url)
    return ds_error_set(err, DS_E_VALIDATION, "fileCredentials (%s) are required for %s \"%.100s\".", short_name,
                        r->kind == DS_REMOTE_S3 ? "bucket" : "container", r->root);
  if (strcmp(slash ? slash + 1 : creds->type_url, want) != 0)
    return ds_error_set(err, DS_E_VALIDATION, "fileCredentials must be %s for provider %s, not \"%.200s\".",
                        short_name, r->kind == DS_REMOTE_S3 ? "S3" : "ABS", creds->type_url);
  if (check_bucket(r, r->root, err)) return err->kind;
  if (r->kind == DS_REMOTE_S3) {
    S3Credentials *c = (S3Credentials *)protobuf_c_message_unpack(
        &keboola__storage_driver__command__table__import_export_shared__s3_credentials__descriptor,
        ds_pool_pb_allocator(pool), creds->value.len, creds->value.data);
    if (!c) return ds_error_set(err, DS_E_VALIDATION, "fileCredentials cannot be decoded as S3Credentials.");
    if (!c->key || !*c->key || !c->secret || !*c->secret)
      return ds_error_set(err, DS_E_VALIDATION, "S3Credentials.key and S3Credentials.secret are required.");
    r->key_id = c->key;
    r->secret = c->secret;
    r->token = c->token ? c->token : "";
    r->region = c->region && *c->region ? c->region : "us-east-1";
    for (const char *p = r->key_id; *p; p++)
      if (!isgraph((unsigned char)*p) || *p == '/' || *p == ',')
        return ds_error_set(err, DS_E_VALIDATION, "S3Credentials.key holds a character that cannot be sent.");
    for (const char *p = r->token; *p; p++)
      if (!isgraph((unsigned char)*p))
        return ds_error_set(err, DS_E_VALIDATION, "S3Credentials.token holds a character that cannot be sent.");
    for (const char *p = r->region; *p; p++)
      if (!isalnum((unsigned char)*p) && *p != '-')
        return ds_error_set(err, DS_E_VALIDATION, "S3Credentials.region \"%.60s\" is not a region name.", r->region);
    return 0;
  }
  ABSCredentials *c = (ABSCredentials *)protobuf_c_message_unpack(
      &keboola__storage_driver__command__table__import_export_shared__abscredentials__descriptor,
      ds_pool_pb_allocator(pool), creds->value.len, creds->value.data);
  if (!c) return ds_error_set(err, DS_E_VALIDATION, "fileCredentials cannot be decoded as ABSCredentials.");
  const char *sas = c->sastoken ? c->sastoken : "";
  while (*sas == '?') sas++;
  if (!*sas && c->accountkey && *c->accountkey)
    return ds_error_set(err, DS_E_VALIDATION, "ABS account keys are not supported; use a SAS token.");
  if (!*sas) return ds_error_set(err, DS_E_VALIDATION, "ABSCredentials.sasToken is required.");
  for (const char *p = sas; *p; p++)
    if (!isgraph((unsigned char)*p) || *p == '#')
      return ds_error_set(err, DS_E_VALIDATION, "ABSCredentials.sasToken holds a character that cannot be sent.");
  const char *acct = c->accountname ? c->accountname : "";
  size_t an = strlen(acct);
  int ok = an >= 1 && an <= 64;
  for (size_t i = 0; i < an && ok; i++) ok = isalnum((unsigned char)acct[i]) != 0;
  if (!ok) return ds_error_set(err, DS_E_VALIDATION, "ABSCredentials.accountName \"%.80s\" is not valid.", acct);
  r->account = acct;
  r->sas = sas;
  return 0;
}

/* --- URLs ----------------------------------------------------------------------------------------------- */

/* The endpoint for r: scheme://authority plus an optional base path (no trailing '/'). */
static void endpoint(const ds_remote *r, ds_buf *out) {
  if (r->kind == DS_REMOTE_S3) {
    if (g_s3_endpoint[0]) ds_buf_puts(out, g_s3_endpoint);
    else ds_buf_printf(out, "https://s3.%s.amazonaws.com", r->region);
    return;
  }
  if (!g_abs_endpoint[0]) {
    ds_buf_printf(out, "https://%s" ABS_HOST_SUFFIX, r->account);
    return;
  }
  const char *p = g_abs_endpoint, *ph;
  while ((ph = strstr(p, "{account}"))) {
    ds_buf_append(out, p, (size_t)(ph - p));
    ds_buf_puts(out, r->account);
    p = ph + strlen("{account}");
  }
  ds_buf_puts(out, p);
}

/* Splits the endpoint into where the authority ends and the path begins. */
static const char *endpoint_path(const char *ep) {
  const char *a = strstr(ep, "://");
  a = a ? a + 3 : ep;
  const char *slash = strchr(a, '/');
  return slash ? slash : ep + strlen(ep);
}

/* url: the endpoint's scheme and authority, then the encoded path <base>/<bucket>/<key>; the encoded path
 * (the canonical URI) also goes into uri when it is not NULL. host receives the authority. */
static int build_url(const ds_remote *r, const char *bucket, const char *key, ds_buf *url, ds_buf *uri, ds_buf *host,
                     ds_error *err) {
  ds_buf ep, path, enc;
  int rc = 0;
  if ((rc = check_bucket(r, bucket, err))) return rc;
  if ((rc = ds_objects_key_check(key, 0, err))) return rc;
  ds_buf_init(&ep, ENDPOINT_MAX * 2);
  ds_buf_init(&path, URL_MAX);
  ds_buf_init(&enc, URL_MAX);
  endpoint(r, &ep);
  const char *e = ep.data ? ep.data : "";
  const char *p = endpoint_path(e);
  const char *auth = strstr(e, "://");
  auth = auth ? auth + 3 : e;
  if (ds_buf_printf(&path, "%s/%s/%s", p, bucket, key) || ds_sigv4_uri_encode(&enc, path.data, 1) ||
      ds_buf_append(url, e, (size_t)(p - e)) || ds_buf_append(url, enc.data, enc.len) ||
      (uri && ds_buf_append(uri, enc.data, enc.len)) || (host && ds_buf_append(host, auth, (size_t)(p - auth)))) {
    rc = ds_error_set(err, DS_E_VALIDATION, "The object URL is too long.");
    goto out;
  }
out:
  ds_buf_release(&ep);
  ds_buf_release(&path);
  ds_buf_release(&enc);
  return rc;
}

int ds_remote_object_url(const ds_remote *r, const char *bucket, const char *key, ds_buf *out, ds_error *err) {
  return build_url(r, bucket ? bucket : r->root, key, out, NULL, NULL, err);
}

int ds_remote_manifest_url(const ds_remote *r, const char *key, ds_buf *out) {
  if (r->kind == DS_REMOTE_S3) return ds_buf_printf(out, "s3://%s/%s", r->root, key);
  return ds_buf_printf(out, "azure://%s" ABS_HOST_SUFFIX "/%s/%s", r->account, r->root, key);
}

static int split_bucket_key(const char *rest, const char *url, char *bucket, size_t bucket_size, char *key,
                            size_t key_size, ds_error *err) {
  const char *slash = strchr(rest, '/');
  if (!slash || slash == rest || !slash[1])
    return ds_error_set(err, DS_E_VALIDATION, "Manifest entry \"%.200s\" has no bucket and object key.", url);
  if ((size_t)(slash - rest) >= bucket_size || strlen(slash + 1) >= key_size)
    return ds_error_set(err, DS_E_VALIDATION, "Manifest entry \"%.200s\" is too long.", url);
  snprintf(bucket, bucket_size, "%.*s", (int)(slash - rest), rest);
  snprintf(key, key_size, "%s", slash + 1);
  return 0;
}

int ds_remote_parse_url(const ds_remote *r, const char *url, char *bucket, size_t bucket_size, char *key,
                        size_t key_size, ds_error *err) {
  if (r->kind == DS_REMOTE_S3) {
    if (strncmp(url, "s3://", 5) != 0)
      return ds_error_set(err, DS_E_VALIDATION, "Manifest entry \"%.200s\" is not an s3:// URL.", url);
    return split_bucket_key(url + 5, url, bucket, bucket_size, key, key_size, err);
  }
  const char *rest = strncmp(url, "azure://", 8) == 0 ? url + 8 : strncmp(url, "https://", 8) == 0 ? url + 8 : NULL;
  if (!rest)
    return ds_error_set(err, DS_E_VALIDATION, "Manifest entry \"%.200s\" is not an azure:// or https:// URL.", url);
  size_t an = strlen(r->account), sn = strlen(ABS_HOST_SUFFIX);
  if (strncasecmp(rest, r->account, an) != 0 || strncasecmp(rest + an, ABS_HOST_SUFFIX, sn) != 0 ||
      rest[an + sn] != '/')
    return ds_error_set(err, DS_E_VALIDATION,
                        "Manifest entry \"%.200s\" is not in the storage account \"%s\" of the credentials.", url,
                        r->account);
  return split_bucket_key(rest + an + sn + 1, url, bucket, bucket_size, key, key_size, err);
}

/* What the messages call an object: s3://bucket/key or azure://account.blob.core.windows.net/container/key. */
static void describe(const ds_remote *r, const char *bucket, const char *key, char *out, size_t n) {
  if (r->kind == DS_REMOTE_S3) snprintf(out, n, "s3://%s/%s", bucket, key);
  else snprintf(out, n, "azure://%s" ABS_HOST_SUFFIX "/%s/%s", r->account, bucket, key);
}

/* --- SigV4 ---------------------------------------------------------------------------------------------- */

static int cmp_hdr(const void *a, const void *b) {
  return strcmp(((const ds_remote_hdr *)a)->name, ((const ds_remote_hdr *)b)->name);
}

int ds_remote_sigv4(const char *method, const char *canonical_uri, const char *canonical_query,
                    const ds_remote_hdr *headers, size_t n_headers, const char *payload_hash, const char *key_id,
                    const char *secret, const char *region, const char *amz_date, ds_buf *out, ds_error *err) {
  ds_remote_hdr h[MAX_SIGNED];
  ds_buf creq, names, sts;
  char hash[DS_SHA256_HEX_LEN + 1], sig[65], scope[128];
  unsigned char key[32], mac[32];
  int rc = 0;
  if (n_headers > MAX_SIGNED || strlen(amz_date) != 16)
    return ds_error_set(err, DS_E_INTERNAL, "Too many headers to sign, or a malformed date.");
  memcpy(h, headers, n_headers * sizeof *h);
  qsort(h, n_headers, sizeof *h, cmp_hdr);
  ds_buf_init(&creq, URL_MAX * 2);
  ds_buf_init(&names, 4096);
  ds_buf_init(&sts, 4096);
  rc = ds_buf_printf(&creq, "%s\n%s\n%s\n", method, canonical_uri, canonical_query ? canonical_query : "");
  for (size_t i = 0; i < n_headers && !rc; i++) {
    const char *v = h[i].value ? h[i].value : "";
    while (*v == ' ' || *v == '\t') v++;
    size_t vn = strlen(v);
    while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t')) vn--;
    rc = ds_buf_printf(&creq, "%s:%.*s\n", h[i].name, (int)vn, v);
    if (!rc) rc = ds_buf_printf(&names, "%s%s", i ? ";" : "", h[i].name);
  }
  if (!rc) rc = ds_buf_printf(&creq, "\n%s\n%s", names.data ? names.data : "", payload_hash);
  if (rc) {
    rc = ds_error_set(err, DS_E_VALIDATION, "The request is too large to sign.");
    goto out;
  }
  ds_sha256_hex(creq.data, creq.len, hash);
  snprintf(scope, sizeof scope, "%.8s/%s/s3/aws4_request", amz_date, region);
  ds_buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, hash);
  ds_sigv4_signing_key(secret, amz_date, region, "s3", key);
  ds_hmac_sha256(key, 32, sts.data, sts.len, mac);
  ds_hex(mac, 32, sig);
  if (ds_buf_printf(out, "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s", key_id, scope,
                    names.data ? names.data : "", sig))
    rc = ds_error_set(err, DS_E_VALIDATION, "The request is too large to sign.");
out:
  memset(key, 0, sizeof key);
  ds_buf_release(&creq);
  ds_buf_release(&names);
  ds_buf_release(&sts);
  return rc;
}

/* --- transfers ------------------------------------------------------------------------------------------ */

typedef struct xfer {
  CURL *curl;
  int fd; /* GET: the destination; -1 otherwise */
  long status;
  int write_errno; /* a local write failed */
  char body[ERRBODY_MAX];
  size_t body_len;
} xfer;

static size_t on_write(char *data, size_t size, size_t n, void *ud) {
  xfer *x = ud;
  size_t len = size * n;
  if (!x->status) curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &x->status);
  if (x->fd >= 0 && x->status >= 200 && x->status < 300) {
    for (size_t done = 0; done < len;) {
      ssize_t w = write(x->fd, data + done, len - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        x->write_errno = w < 0 ? errno : EIO;
        return 0; /* aborts the transfer */
      }
      done += (size_t)w;
    }
    return len;
  }
  size_t room = sizeof x->body - 1 - x->body_len;
  size_t take = len < room ? len : room;
  memcpy(x->body + x->body_len, data, take);
  x->body_len += take;
  x->body[x->body_len] = 0;
  return len;
}

/* The text of <tag>...</tag> in body (first line, printable, bounded) into out; "" when absent. */
static void xml_text(const char *body, const char *tag, char *out, size_t n) {
  char open[40], close[40];
  out[0] = 0;
  snprintf(open, sizeof open, "<%s>", tag);
  snprintf(close, sizeof close, "</%s>", tag);
  const char *a = strstr(body, open);
  if (!a) return;
  a += strlen(open);
  const char *b = strstr(a, close);
  size_t len = b ? (size_t)(b - a) : strlen(a), k = 0;
  for (size_t i = 0; i < len && k + 1 < n; i++) {
    if (a[i] == '\n' || a[i] == '\r') break;
    out[k++] = (unsigned char)a[i] < 0x20 ? ' ' : a[i];
  }
  out[k] = 0;
}

typedef enum op { OP_GET, OP_PUT, OP_DELETE } op;

/* A non-2xx answer as an error of the right kind. */
static int fail_status(op o, long status, const char *body, const char *what, ds_error *err) {
  char code[64], msg[300], detail[400] = "";
  xml_text(body, "Code", code, sizeof code);
  xml_text(body, "Message", msg, sizeof msg);
  if (code[0] && msg[0]) snprintf(detail, sizeof detail, " (%s: %s)", code, msg);
  else if (code[0]) snprintf(detail, sizeof detail, " (%s)", code);
  if (status == 401 || status == 403)
    return ds_error_set(err, DS_E_PERMISSION, "Access to \"%s\" was denied%s. Check the file credentials.", what,
                        detail);
  if (status == 404 && o == OP_GET)
    return ds_error_set(err, DS_E_IMPORT_FILE_NOT_FOUND, "Load error: file \"%s\" not found%s.", what, detail);
  if (status == 404)
    return ds_error_set(err, DS_E_EXPORT, "Cannot write \"%s\": the bucket or container does not exist%s.", what,
                        detail);
  if (status == 408 || status == 429 || status >= 500)
    return ds_error_set(err, DS_E_CONNECTION, "The object store answered HTTP %ld for \"%s\"%s; try again later.",
                        status, what, detail);
  return ds_error_set(err, o == OP_GET ? DS_E_VALIDATION : DS_E_EXPORT, "The object store answered HTTP %ld for \"%s\"%s.",
                      status, what, detail);
}

/* Runs one request. upload: the body of a PUT (size bytes); fd: where a GET's body goes. */
static int transfer(op o, const char *url, struct curl_slist *hdrs, FILE *upload, long long size, int fd,
                    const char *what, ds_error *err) {
  char cerr[CURL_ERROR_SIZE] = "";
  xfer *x = calloc(1, sizeof *x);
  int rc = 0;
  if (!x || !(x->curl = curl_easy_init())) {
    rc = ds_error_set(err, DS_E_INTERNAL, "Cannot start an HTTP request.");
    goto out;
  }
  x->fd = fd;
  CURL *c = x->curl;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_LIMIT);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "duckstore");
  if (o == OP_PUT) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READDATA, upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)size);
  } else if (o == OP_DELETE) {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
  }
  CURLcode cc = curl_easy_perform(c);
  if (x->write_errno) {
    rc = ds_error_set(err, DS_E_IMPORT, "Cannot store the downloaded file \"%s\": %s.", what, strerror(x->write_errno));
    goto out;
  }
  if (cc != CURLE_OK) {
    rc = ds_error_set(err, DS_E_CONNECTION, "%s \"%s\" failed: %s.",
                      o == OP_GET ? "Downloading" : o == OP_PUT ? "Uploading" : "Deleting", what,
                      cerr[0] ? cerr : curl_easy_strerror(cc));
    goto out;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->status);
  if (x->status < 200 || x->status >= 300) {
    if (o == OP_DELETE && x->status == 404) goto out;
    rc = fail_status(o, x->status, x->body, what, err);
  }
out:
  if (x && x->curl) curl_easy_cleanup(x->curl);
  free(x);
  return rc;
}

/* Appends "name: value" to the header list l (copied by libcurl); the scratch copy is wiped. */
static struct curl_slist *add_header(struct curl_slist *l, const char *name, const char *value, int *failed) {
  ds_buf line;
  ds_buf_init(&line, 64u << 10);
  struct curl_slist *n = NULL;
  if (!ds_buf_printf(&line, "%s: %s", name, value)) n = curl_slist_append(l, line.data);
  if (line.data) memset(line.data, 0, line.len);
  ds_buf_release(&line);
  if (!n) *failed = 1;
  return n ? n : l;
}

/* The URL and headers of one request to bucket/key: SigV4 for S3, the SAS query for ABS. *hdrs is set even
 * on failure (free it with curl_slist_free_all). */
static int prepare(const ds_remote *r, op o, const char *bucket, const char *key, const char *payload_hash,
                   ds_buf *url, struct curl_slist **hdrs, ds_error *err) {
  ds_buf uri, host, auth;
  char date[20];
  int rc, failed = 0;
  *hdrs = NULL;
  ds_buf_init(&uri, URL_MAX);
  ds_buf_init(&host, 1024);
  ds_buf_init(&auth, 4096);
  if ((rc = build_url(r, bucket, key, url, &uri, &host, err))) goto out;
  if (r->kind == DS_REMOTE_ABS) {
    if (ds_buf_printf(url, "?%s", r->sas)) {
      rc = ds_error_set(err, DS_E_VALIDATION, "The object URL is too long.");
      goto out;
    }
    *hdrs = add_header(*hdrs, "x-ms-version", ABS_VERSION, &failed);
    if (o == OP_PUT) {
      *hdrs = add_header(*hdrs, "x-ms-blob-type", "BlockBlob", &failed);
      *hdrs = add_header(*hdrs, "Content-Type", "application/octet-stream", &failed);
    }
  } else {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
    ds_remote_hdr h[4] = {{"host", host.data ? host.data : ""},
                          {"x-amz-content-sha256", payload_hash},
                          {"x-amz-date", date},
                          {"x-amz-security-token", r->token}};
    size_t nh = r->token && *r->token ? 4 : 3;
    const char *method = o == OP_GET ? "GET" : o == OP_PUT ? "PUT" : "DELETE";
    if ((rc = ds_remote_sigv4(method, uri.data, "", h, nh, payload_hash, r->key_id, r->secret, r->region, date,
                              &auth, err)))
      goto out;
    for (size_t i = 0; i < nh; i++) *hdrs = add_header(*hdrs, h[i].name, h[i].value, &failed);
    *hdrs = add_header(*hdrs, "Authorization", auth.data, &failed);
  }
  if (failed) rc = ds_error_set(err, DS_E_INTERNAL, "Out of memory for the request headers.");
out:
  ds_buf_release(&uri);
  ds_buf_release(&host);
  ds_buf_release(&auth);
  return rc;
}

int ds_remote_get(const ds_remote *r, const char *bucket, const char *key, const char *path, ds_error *err) {
  char what[1400];
  ds_buf url;
  struct curl_slist *hdrs = NULL;
  int fd = -1, rc;
  if (!bucket) bucket = r->root;
  describe(r, bucket, key, what, sizeof what);
  ds_buf_init(&url, URL_MAX);
  if ((rc = prepare(r, OP_GET, bucket, key, DS_SIGV4_EMPTY_SHA256, &url, &hdrs, err))) goto out;
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    rc = ds_error_set(err, DS_E_IMPORT, "Cannot create a file for \"%s\": %s.", what, strerror(errno));
    goto out;
  }
  rc = transfer(OP_GET, url.data, hdrs, NULL, 0, fd, what, err);
  if (close(fd) && !rc) rc = ds_error_set(err, DS_E_IMPORT, "Cannot store \"%s\": %s.", what, strerror(errno));
  if (rc) unlink(path);
out:
  curl_slist_free_all(hdrs);
  ds_buf_release(&url);
  return rc;
}

/* The hex SHA-256 of the file f (read from the start; f is rewound afterwards). */
static int file_sha256(FILE *f, char hex[DS_SHA256_HEX_LEN + 1]) {
  ds_digest *d = ds_digest_new(DS_DIGEST_SHA256);
  unsigned char buf[65536], md[32];
  size_t n;
  if (!d) return -1;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) ds_digest_update(d, buf, n);
  int bad = ferror(f);
  ds_digest_final(d, md);
  ds_digest_free(d);
  ds_hex(md, 32, hex);
  rewind(f);
  return bad ? -1 : 0;
}

int ds_remote_put(const ds_remote *r, const char *key, const char *path, ds_error *err) {
  char what[1400], hash[DS_SHA256_HEX_LEN + 1];
  ds_buf url;
  struct curl_slist *hdrs = NULL;
  struct stat st;
  FILE *f = NULL;
  int rc;
  describe(r, r->root, key, what, sizeof what);
  ds_buf_init(&url, URL_MAX);
  if (!(f = fopen(path, "rbe")) || fstat(fileno(f), &st)) {
    rc = ds_error_set(err, DS_E_EXPORT, "Cannot read the file for \"%s\": %s.", what, strerror(errno));
    goto out;
  }
  if (r->kind == DS_REMOTE_S3 && file_sha256(f, hash)) {
    rc = ds_error_set(err, DS_E_EXPORT, "Cannot read the file for \"%s\".", what);
    goto out;
  }
  if ((rc = prepare(r, OP_PUT, r->root, key, r->kind == DS_REMOTE_S3 ? hash : "", &url, &hdrs, err))) goto out;
  rc = transfer(OP_PUT, url.data, hdrs, f, (long long)st.st_size, -1, what, err);
out:
  if (f) fclose(f);
  curl_slist_free_all(hdrs);
  ds_buf_release(&url);
  return rc;
}

int ds_remote_delete(const ds_remote *r, const char *key, ds_error *err) {
  char what[1400];
  ds_buf url;
  struct curl_slist *hdrs = NULL;
  int rc;
  describe(r, r->root, key, what, sizeof what);
  ds_buf_init(&url, URL_MAX);
  if ((rc = prepare(r, OP_DELETE, r->root, key, DS_SIGV4_EMPTY_SHA256, &url, &hdrs, err))) goto out;
  rc = transfer(OP_DELETE, url.data, hdrs, NULL, 0, -1, what, err);
out:
  curl_slist_free_all(hdrs);
  ds_buf_release(&url);
  return rc;
}
