/* sigv4.c: AWS Signature Version 4 checks for the S3-compatible API (see sigv4.h). */
#include "s3/sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/crypto.h"
#include "core/mem.h"
#include "s3/s3err.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

time_t ds_sigv4_parse_time(const char *s) {
  struct tm tm;
  if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z') return -1;
  for (int i = 0; i < 15; i++)
    if (i != 8 && !isdigit((unsigned char)s[i])) return -1;
  memset(&tm, 0, sizeof tm);
  if (sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

int ds_sigv4_uri_encode(ds_buf *out, const char *s, int keep_slash) {
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char enc[3];
    if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/')) {
      if (ds_buf_append(out, p, 1)) return DS_E_TOO_BIG;
      continue;
    }
    enc[0] = '%';
    enc[1] = hex[*p >> 4];
    enc[2] = hex[*p & 15];
    if (ds_buf_append(out, enc, 3)) return DS_E_TOO_BIG;
  }
  return 0;
}

static const char *header(const ds_sigv4_request *r, const char *name) {
  for (size_t i = 0; i < r->n_headers; i++)
    if (strcasecmp(r->headers[i].name, name) == 0) return r->headers[i].value ? r->headers[i].value : "";
  return NULL;
}

static const char *query(const ds_sigv4_request *r, const char *name) {
  for (size_t i = 0; i < r->n_query; i++)
    if (strcmp(r->query[i].name, name) == 0) return r->query[i].value ? r->query[i].value : "";
  return NULL;
}

static int copy_field(char *dst, size_t size, const char *src, size_t n) {
  if (n >= size) return -1;
  memcpy(dst, src, n);
  dst[n] = '\0';
  return 0;
}

/* "AKID/20130524/us-east-1/s3/aws4_request": the access key may be anything without '/'. */
static int parse_credential(const char *cred, ds_sigv4_auth *a) {
  const char *slash = strchr(cred, '/');
  if (!slash || copy_field(a->access_key, sizeof a->access_key, cred, (size_t)(slash - cred)) || !*a->access_key)
    return -1;
  const char *scope = slash + 1;
  if (copy_field(a->scope, sizeof a->scope, scope, strlen(scope))) return -1;
  const char *d = scope, *reg = strchr(d, '/');
  if (!reg || reg - d != 8) return -1;
  const char *svc = strchr(reg + 1, '/');
  if (!svc || copy_field(a->region, sizeof a->region, reg + 1, (size_t)(svc - reg - 1)) || !*a->region) return -1;
  if (strcmp(svc + 1, "s3/aws4_request") != 0) return -1;
  return 0;
}

static int parse_header_auth(const char *h, ds_sigv4_auth *a, ds_error *err) {
  const char *p = h + strlen(ALGORITHM);
  int have = 0;
  while (*p) {
    while (*p == ' ' || *p == ',') p++;
    if (!*p) break;
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    while (n && p[n - 1] == ' ') n--;
    if (n > 11 && strncmp(p, "Credential=", 11) == 0) {
      char cred[400];
      if (copy_field(cred, sizeof cred, p + 11, n - 11) || parse_credential(cred, a))
        return ds_s3_fail(err, DS_S3E_AUTH_HEADER,
                          "The authorization header is malformed; the Credential is mal-formed; expecting "
                          "\"<YOUR-AKID>/YYYYMMDD/REGION/s3/aws4_request\".");
      have |= 1;
    } else if (n > 14 && strncmp(p, "SignedHeaders=", 14) == 0) {
      if (copy_field(a->signed_headers, sizeof a->signed_headers, p + 14, n - 14)) break;
      have |= 2;
    } else if (n > 10 && strncmp(p, "Signature=", 10) == 0) {
      if (copy_field(a->signature, sizeof a->signature, p + 10, n - 10)) break;
      have |= 4;
    }
    p += n;
    while (*p && *p != ',') p++;
  }
  if (have != 7)
    return ds_s3_fail(err, DS_S3E_AUTH_HEADER,
                      "The authorization header is malformed: it needs Credential, SignedHeaders and Signature.");
  return 0;
}

int ds_sigv4_parse(const ds_sigv4_request *r, ds_sigv4_auth *a, ds_error *err) {
  int rc;
  memset(a, 0, sizeof *a);
  const char *auth = header(r, "authorization");
  const char *alg = query(r, "X-Amz-Algorithm");
  if (auth) {
    if (strncmp(auth, ALGORITHM " ", sizeof ALGORITHM) != 0)
      return ds_s3_fail(err, DS_S3E_INVALID_REQUEST,
                        "Only AWS Signature Version 4 (AWS4-HMAC-SHA256) is supported.");
    if ((rc = parse_header_auth(auth, a, err))) return rc;
    const char *date = header(r, "x-amz-date");
    if (!date)
      return ds_s3_fail(err, DS_S3E_ACCESS_DENIED, "AWS authentication requires a valid x-amz-date header.");
    if (copy_field(a->amz_date, sizeof a->amz_date, date, strlen(date)) || (a->when = ds_sigv4_parse_time(date)) < 0)
      return ds_s3_fail(err, DS_S3E_ACCESS_DENIED, "The x-amz-date header \"%.40s\" is not an ISO 8601 basic time.",
                        date);
    const char *ph = header(r, "x-amz-content-sha256");
    if (!ph)
      return ds_s3_fail(err, DS_S3E_INVALID_REQUEST, "Missing required header for this request: x-amz-content-sha256.");
    if (copy_field(a->payload_hash, sizeof a->payload_hash, ph, strlen(ph)))
      return ds_s3_fail(err, DS_S3E_INVALID_ARGUMENT, "x-amz-content-sha256 is not a valid value.");
  } else if (alg) {
    a->presigned = 1;
    if (strcmp(alg, ALGORITHM) != 0)
      return ds_s3_fail(err, DS_S3E_AUTH_QUERY, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\".");
    const char *cred = query(r, "X-Amz-Credential"), *date = query(r, "X-Amz-Date"),
               *exp = query(r, "X-Amz-Expires"), *sh = query(r, "X-Amz-SignedHeaders"),
               *sig = query(r, "X-Amz-Signature");
    if (!cred || !date || !exp || !sh || !sig)
      return ds_s3_fail(err, DS_S3E_AUTH_QUERY,
                        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                        "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
    if (parse_credential(cred, a))
      return ds_s3_fail(err, DS_S3E_AUTH_QUERY,
                        "Error parsing the X-Amz-Credential parameter; expecting "
                        "\"<YOUR-AKID>/YYYYMMDD/REGION/s3/aws4_request\".");
    if (copy_field(a->amz_date, sizeof a->amz_date, date, strlen(date)) || (a->when = ds_sigv4_parse_time(date)) < 0)
      return ds_s3_fail(err, DS_S3E_AUTH_QUERY, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".");
    char *end = NULL;
    a->expires = strtol(exp, &end, 10);
    if (!*exp || *end || a->expires < 0)
      return ds_s3_fail(err, DS_S3E_AUTH_QUERY, "X-Amz-Expires should be a number.");
    if (a->expires > DS_SIGV4_MAX_EXPIRES)
      return ds_s3_fail(err, DS_S3E_AUTH_QUERY, "X-Amz-Expires must be less than a week (in seconds) that is 604800.");
    if (copy_field(a->signed_headers, sizeof a->signed_headers, sh, strlen(sh)) ||
        copy_field(a->signature, sizeof a->signature, sig, strlen(sig)))
      return ds_s3_fail(err, DS_S3E_AUTH_QUERY, "X-Amz-SignedHeaders or X-Amz-Signature is too long.");
    const char *ph = query(r, "X-Amz-Content-Sha256");
    snprintf(a->payload_hash, sizeof a->payload_hash, "%s", ph && strlen(ph) < 80 ? ph : DS_SIGV4_UNSIGNED);
  } else {
    return 1;
  }
  if (strncmp(a->scope, a->amz_date, 8) != 0)
    return ds_s3_fail(err, a->presigned ? DS_S3E_AUTH_QUERY : DS_S3E_AUTH_HEADER,
                      "The credential date \"%.8s\" does not match the date of the request \"%.8s\".", a->scope,
                      a->amz_date);
  return 0;
}

struct qpair {
  char *name, *value;
};

static int cmp_qpair(const void *x, const void *y) {
  const struct qpair *a = x, *b = y;
  int c = strcmp(a->name, b->name);
  return c ? c : strcmp(a->value, b->value);
}

static char *encode_dup(const char *s) {
  ds_buf b;
  ds_buf_init(&b, 64 << 10);
  if (ds_sigv4_uri_encode(&b, s, 0) || ds_buf_puts(&b, "")) {
    ds_buf_release(&b);
    return ds_strdup("");
  }
  return ds_buf_detach(&b, NULL);
}

static int canonical_query(const ds_sigv4_request *r, int presigned, ds_buf *out) {
  struct qpair *q = ds_calloc(r->n_query + 1, sizeof *q);
  size_t n = 0;
  int rc = 0;
  for (size_t i = 0; i < r->n_query; i++) {
    if (presigned && strcmp(r->query[i].name, "X-Amz-Signature") == 0) continue;
    q[n].name = encode_dup(r->query[i].name);
    q[n].value = encode_dup(r->query[i].value ? r->query[i].value : "");
    n++;
  }
  qsort(q, n, sizeof *q, cmp_qpair);
  for (size_t i = 0; i < n && !rc; i++)
    rc = ds_buf_printf(out, "%s%s=%s", i ? "&" : "", q[i].name, q[i].value);
  for (size_t i = 0; i < n; i++) {
    ds_free(q[i].name);
    ds_free(q[i].value);
  }
  ds_free(q);
  return rc;
}

/* name:value for one signed header: every value of that name, trimmed, inner runs of spaces made one, joined
 * by ','. */
static int canonical_header(const ds_sigv4_request *r, const char *name, ds_buf *out) {
  int rc = ds_buf_printf(out, "%s:", name), first = 1;
  for (size_t i = 0; i < r->n_headers && !rc; i++) {
    if (strcasecmp(r->headers[i].name, name) != 0) continue;
    if (!first) rc = ds_buf_puts(out, ",");
    first = 0;
    const char *v = r->headers[i].value ? r->headers[i].value : "";
    while (*v == ' ' || *v == '\t') v++;
    int space = 0;
    for (; *v && !rc; v++) {
      if (*v == ' ' || *v == '\t') {
        space = 1;
        continue;
      }
      if (space) rc = ds_buf_puts(out, " ");
      space = 0;
      if (!rc) rc = ds_buf_append(out, v, 1);
    }
  }
  if (!rc) rc = ds_buf_puts(out, "\n");
  return rc;
}

int ds_sigv4_canonical_request(const ds_sigv4_request *r, const ds_sigv4_auth *a, ds_buf *out, ds_error *err) {
  int rc = ds_buf_printf(out, "%s\n", r->method);
  if (!rc) rc = ds_sigv4_uri_encode(out, r->path, 1);
  if (!rc) rc = ds_buf_puts(out, "\n");
  if (!rc) rc = canonical_query(r, a->presigned, out);
  if (!rc) rc = ds_buf_puts(out, "\n");
  const char *p = a->signed_headers;
  while (!rc && *p) {
    const char *semi = strchr(p, ';');
    size_t n = semi ? (size_t)(semi - p) : strlen(p);
    char name[256];
    if (n == 0 || n >= sizeof name)
      return ds_s3_fail(err, DS_S3E_AUTH_HEADER, "SignedHeaders holds an empty or too long header name.");
    for (size_t i = 0; i < n; i++) name[i] = (char)tolower((unsigned char)p[i]);
    name[n] = '\0';
    rc = canonical_header(r, name, out);
    p += n + (semi ? 1 : 0);
  }
  if (!rc) rc = ds_buf_printf(out, "\n%s\n%s", a->signed_headers, a->payload_hash);
  if (rc) return ds_s3_fail(err, DS_S3E_INVALID_REQUEST, "The request is too large to sign.");
  return 0;
}

void ds_sigv4_signing_key(const char *secret, const char *date, const char *region, const char *service,
                          unsigned char out[32]) {
  char k0[600];
  unsigned char k1[32], k2[32], k3[32];
  int n = snprintf(k0, sizeof k0, "AWS4%s", secret);
  if (n < 0 || (size_t)n >= sizeof k0) n = (int)sizeof k0 - 1;
  ds_hmac_sha256(k0, (size_t)n, date, 8, k1);
  ds_hmac_sha256(k1, 32, region, strlen(region), k2);
  ds_hmac_sha256(k2, 32, service, strlen(service), k3);
  ds_hmac_sha256(k3, 32, "aws4_request", 12, out);
  memset(k0, 0, sizeof k0);
}

static void sign_hex(const unsigned char key[32], const char *text, size_t n, char out[65]) {
  unsigned char mac[32];
  ds_hmac_sha256(key, 32, text, n, mac);
  ds_hex(mac, 32, out);
}

void ds_sigv4_chunk(const unsigned char key[32], const char *amz_date, const char *scope, const char *prev_signature,
                    const char *chunk_sha256_hex, char out[65]) {
  char sts[600];
  int n = snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256-PAYLOAD\n%s\n%s\n%s\n%s\n%s", amz_date, scope, prev_signature,
                   DS_SIGV4_EMPTY_SHA256, chunk_sha256_hex);
  sign_hex(key, sts, (size_t)n < sizeof sts ? (size_t)n : sizeof sts - 1, out);
}

int ds_sigv4_verify(const ds_sigv4_request *r, const ds_sigv4_auth *a, const char *secret, time_t now,
                    unsigned char key_out[32], ds_error *err) {
  ds_buf creq, sts;
  char hash[DS_SHA256_HEX_LEN + 1], sig[65];
  unsigned char key[32];
  int rc = 0;
  ds_buf_init(&creq, 1u << 20);
  ds_buf_init(&sts, 4096);
  if (a->presigned) {
    if (now > a->when + a->expires) {
      rc = ds_s3_fail(err, DS_S3E_ACCESS_DENIED, "Request has expired");
      goto out;
    }
    if (a->when > now + DS_SIGV4_MAX_SKEW) {
      rc = ds_s3_fail(err, DS_S3E_ACCESS_DENIED, "Request is not valid yet");
      goto out;
    }
  } else if (a->when > now + DS_SIGV4_MAX_SKEW || a->when < now - DS_SIGV4_MAX_SKEW) {
    rc = ds_s3_fail(err, DS_S3E_SKEWED, "The difference between the request time and the current time is too large.");
    goto out;
  }
  if ((rc = ds_sigv4_canonical_request(r, a, &creq, err))) goto out;
  ds_sha256_hex(creq.data, creq.len, hash);
  if (ds_buf_printf(&sts, ALGORITHM "\n%s\n%s\n%s", a->amz_date, a->scope, hash)) {
    rc = ds_s3_fail(err, DS_S3E_INVALID_REQUEST, "The request is too large to sign.");
    goto out;
  }
  ds_sigv4_signing_key(secret, a->amz_date, a->region, "s3", key);
  sign_hex(key, sts.data, sts.len, sig);
  if (strlen(a->signature) != 64 || !ds_secure_equal_n(sig, a->signature, 64)) {
    rc = ds_s3_fail(err, DS_S3E_SIGNATURE,
                    "The request signature we calculated does not match the signature you provided. Check your key "
                    "and signing method.");
    goto out;
  }
  if (key_out) memcpy(key_out, key, 32);
out:
  memset(key, 0, sizeof key);
  ds_buf_release(&creq);
  ds_buf_release(&sts);
  return rc;
}
