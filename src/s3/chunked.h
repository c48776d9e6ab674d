/*
 * chunked.h: decoder for `aws-chunked` request bodies (Content-Encoding: aws-chunked).
 *
 * The body is a series of `<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n`, ended by a chunk of size 0,
 * optional trailer lines (`x-amz-checksum-crc32:...`) and an empty line. With signed chunks
 * (x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD) every chunk's signature is checked against the
 * previous one, starting from the request's own signature (the seed). The decoded data is handed to a callback
 * as it arrives: the caller must not commit it before ds_chunked_finish succeeds.
 * Not thread safe: one decoder per request.
 */
#ifndef DS_CHUNKED_H
#define DS_CHUNKED_H

#include <stddef.h>

#include "core/err.h"

typedef struct ds_chunked ds_chunked;

/* signing_key NULL: chunk signatures are not checked (STREAMING-UNSIGNED-PAYLOAD-TRAILER). */
ds_chunked *ds_chunked_new(const unsigned char *signing_key, const char *amz_date, const char *scope,
                           const char *seed_signature);
void ds_chunked_free(ds_chunked *c);

typedef int (*ds_chunked_sink)(void *arg, const void *data, size_t n, ds_error *err);

/* Decodes n more bytes; calls sink for the payload. Returns 0 or a negative DS_S3E_* code
 * (IncompleteBody for broken framing, SignatureDoesNotMatch for a bad chunk signature) or the sink's code. */
int ds_chunked_feed(ds_chunked *c, const char *p, size_t n, ds_chunked_sink sink, void *arg, ds_error *err);
/* 0 when the body ended properly (final chunk and trailer seen), else IncompleteBody. */
int ds_chunked_finish(ds_chunked *c, ds_error *err);
/* The decoded bytes so far. */
unsigned long long ds_chunked_decoded(const ds_chunked *c);

#endif
