/*
 * sigv4.h: AWS Signature Version 4 for the S3-compatible API, as a server checks it.
 *
 * Two forms: the `Authorization: AWS4-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...` header (with
 * x-amz-date and x-amz-content-sha256), and presigned URLs (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
 * X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature in the query). A request is checked in two steps:
 * ds_sigv4_parse finds the access key id (so the caller can look up the secret), then ds_sigv4_verify
 * rebuilds the canonical request, checks the clock and compares signatures in constant time.
 * The chunk signatures of `aws-chunked` bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) are in ds_sigv4_chunk.
 *
 * The request is given decoded (path and query as the HTTP server unescaped them); the canonical forms are
 * made by encoding again with AWS's rules (RFC 3986 unreserved characters stay, '/' stays in the path).
 * Pure functions; thread safe.
 */
#ifndef DS_SIGV4_H
#define DS_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"

#define DS_SIGV4_MAX_SKEW 900         /* seconds: 15 minutes, as AWS */
#define DS_SIGV4_MAX_EXPIRES 604800   /* seconds: 7 days, as AWS */
#define DS_SIGV4_UNSIGNED "UNSIGNED-PAYLOAD"
#define DS_SIGV4_STREAMING "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
#define DS_SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct ds_sigv4_kv {
  const char *name;
  const char *value; /* NULL: a query parameter without '=' */
} ds_sigv4_kv;

typedef struct ds_sigv4_request {
  const char *method;
  const char *path; /* decoded, starting with '/' */
  const ds_sigv4_kv *query;
  size_t n_query;
  const ds_sigv4_kv *headers; /* names in any case; a name may repeat */
  size_t n_headers;
} ds_sigv4_request;

typedef struct ds_sigv4_auth {
  int presigned;
  char access_key[128];
  char amz_date[17]; /* 20130524T000000Z */
  char region[64];
  char scope[200]; /* 20130524/us-east-1/s3/aws4_request */
  char signed_headers[1024];
  char signature[130]; /* 64 hex when well-formed; longer ones are kept to fail the comparison */
  char payload_hash[80]; /* x-amz-content-sha256 as sent, or UNSIGNED-PAYLOAD */
  long expires;          /* presigned: X-Amz-Expires */
  time_t when;           /* amz_date as unix time */
} ds_sigv4_auth;

/* Looks for SigV4 auth in r. Returns 1 when there is none (anonymous), 0 when a is filled, or a negative
 * DS_S3E_* code for malformed auth (AuthorizationHeaderMalformed, AuthorizationQueryParametersError, or
 * AccessDenied for another algorithm). */
int ds_sigv4_parse(const ds_sigv4_request *r, ds_sigv4_auth *a, ds_error *err);

/* Checks a parsed request against secret at time now: RequestTimeTooSkewed (header form, over 15 min),
 * AccessDenied "Request has expired" (presigned), SignatureDoesNotMatch. On success the signing key goes into
 * key_out (for chunk signatures) when it is not NULL. */
int ds_sigv4_verify(const ds_sigv4_request *r, const ds_sigv4_auth *a, const char *secret, time_t now,
                    unsigned char key_out[32], ds_error *err);

/* The canonical request of r (the header form when a->presigned is 0) into out; exposed for tests. */
int ds_sigv4_canonical_request(const ds_sigv4_request *r, const ds_sigv4_auth *a, ds_buf *out, ds_error *err);
/* The signing key: HMAC chain over "AWS4"+secret, date (8 chars), region, service, "aws4_request". */
void ds_sigv4_signing_key(const char *secret, const char *date, const char *region, const char *service,
                          unsigned char out[32]);
/* The signature (64 hex + NUL) of one aws-chunked chunk whose data hashes to chunk_sha256_hex. */
void ds_sigv4_chunk(const unsigned char key[32], const char *amz_date, const char *scope, const char *prev_signature,
                    const char *chunk_sha256_hex, char out[65]);

/* Appends s URI-encoded with AWS's rules; keep_slash leaves '/' alone (paths). */
int ds_sigv4_uri_encode(ds_buf *out, const char *s, int keep_slash);
/* Parses an ISO 8601 basic time (20130524T000000Z) into unix time; -1 when malformed. */
time_t ds_sigv4_parse_time(const char *s);

#endif
