/* chunked.c: the aws-chunked body decoder (see chunked.h). */
#include "s3/chunked.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/mem.h"
#include "s3/s3err.h"
#include "s3/sigv4.h"

#define LINE_MAX_LEN 4096
#define CHUNK_MAX (64ull << 20) /* no client sends bigger chunks; bounds the work per signature */

enum state { ST_HEADER, ST_DATA, ST_DATA_CR, ST_DATA_LF, ST_TRAILER, ST_DONE };

struct ds_chunked {
  enum state st;
  char line[LINE_MAX_LEN + 1];
  size_t line_len;
  unsigned long long remaining, decoded;
  int signed_chunks, last;
  unsigned char key[32];
  char amz_date[17], scope[200], prev[65], want[65];
  ds_digest *sha;
};

ds_chunked *ds_chunked_new(const unsigned char *signing_key, const char *amz_date, const char *scope,
                           const char *seed_signature) {
  ds_chunked *c = ds_calloc(1, sizeof *c);
  if (signing_key) {
    c->signed_chunks = 1;
    memcpy(c->key, signing_key, 32);
    snprintf(c->amz_date, sizeof c->amz_date, "%s", amz_date);
    snprintf(c->scope, sizeof c->scope, "%s", scope);
    snprintf(c->prev, sizeof c->prev, "%s", seed_signature);
    c->sha = ds_digest_new(DS_DIGEST_SHA256);
  }
  return c;
}

void ds_chunked_free(ds_chunked *c) {
  if (!c) return;
  ds_digest_free(c->sha);
  memset(c->key, 0, sizeof c->key);
  ds_free(c);
}

unsigned long long ds_chunked_decoded(const ds_chunked *c) { return c->decoded; }

static int broken(ds_error *err, const char *why) {
  return ds_s3_fail(err, DS_S3E_INCOMPLETE_BODY, "The aws-chunked body is malformed: %s.", why);
}

/* Checks the signature of the chunk just ended (its data went through c->sha). */
static int check_chunk(ds_chunked *c, ds_error *err) {
  unsigned char md[32];
  char hex[65], sig[65];
  if (!c->signed_chunks) return 0;
  ds_digest_final(c->sha, md);
  ds_hex(md, 32, hex);
  ds_sigv4_chunk(c->key, c->amz_date, c->scope, c->prev, hex, sig);
  if (strlen(c->want) != 64 || !ds_secure_equal_n(sig, c->want, 64))
    return ds_s3_fail(err, DS_S3E_SIGNATURE, "The chunk signature we calculated does not match the one you provided.");
  memcpy(c->prev, sig, sizeof sig);
  return 0;
}

/* "<hex>[;chunk-signature=<sig>]" */
static int parse_header(ds_chunked *c, ds_error *err) {
  char *end = NULL;
  if (!c->line_len) return broken(err, "empty chunk header");
  unsigned long long n = strtoull(c->line, &end, 16);
  if (end == c->line || (*end && *end != ';')) return broken(err, "bad chunk size");
  if (n > CHUNK_MAX) return broken(err, "chunk larger than 64 MiB");
  c->want[0] = '\0';
  if (c->signed_chunks) {
    const char *s = strstr(end, "chunk-signature=");
    if (!s || strlen(s + 16) != 64) return broken(err, "missing chunk-signature");
    memcpy(c->want, s + 16, 65);
  }
  c->remaining = n;
  c->last = n == 0;
  return 0;
}

int ds_chunked_feed(ds_chunked *c, const char *p, size_t n, ds_chunked_sink sink, void *arg, ds_error *err) {
  int rc = 0;
  while (n && !rc) {
    switch (c->st) {
    case ST_HEADER:
    case ST_TRAILER: {
      const char *nl = memchr(p, '\n', n);
      size_t take = nl ? (size_t)(nl - p) + 1 : n;
      if (c->line_len + take > LINE_MAX_LEN) return broken(err, "header line too long");
      memcpy(c->line + c->line_len, p, take);
      c->line_len += take;
      p += take;
      n -= take;
      if (!nl) break;
      c->line_len--; /* the '\n' */
      if (c->line_len && c->line[c->line_len - 1] == '\r') c->line_len--;
      c->line[c->line_len] = '\0';
      if (c->st == ST_TRAILER) {
        if (c->line_len == 0) c->st = ST_DONE; /* trailer lines (checksums) are accepted, not checked */
      } else if (!(rc = parse_header(c, err))) {
        if (c->last) {
          rc = check_chunk(c, err);
          c->st = ST_TRAILER;
        } else {
          c->st = ST_DATA;
        }
      }
      c->line_len = 0;
      break;
    }
    case ST_DATA: {
      size_t take = c->remaining < n ? (size_t)c->remaining : n;
      if (c->sha) ds_digest_update(c->sha, p, take);
      rc = sink(arg, p, take, err);
      c->decoded += take;
      c->remaining -= take;
      p += take;
      n -= take;
      if (!c->remaining) c->st = ST_DATA_CR;
      break;
    }
    case ST_DATA_CR:
      if (*p != '\r') return broken(err, "chunk data not followed by CRLF");
      p++, n--;
      c->st = ST_DATA_LF;
      break;
    case ST_DATA_LF:
      if (*p != '\n') return broken(err, "chunk data not followed by CRLF");
      p++, n--;
      rc = check_chunk(c, err);
      c->st = ST_HEADER;
      break;
    case ST_DONE:
      return broken(err, "data after the final chunk");
    }
  }
  return rc;
}

int ds_chunked_finish(ds_chunked *c, ds_error *err) {
  if (c->st != ST_DONE) return broken(err, "the body ended before the final chunk");
  return 0;
}
