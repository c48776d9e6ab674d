/*
 * s3err.h: the S3 error codes the object store answers with, and their HTTP statuses.
 *
 * The S3 modules (sigv4, chunked, store, list, multipart, s3) return 0 or a negative DS_S3E_* code and put the
 * client-facing message into a `ds_error *err` (whose kind is the closest ds_errkind, for logs). s3.c turns the
 * code into S3's error XML: <Error><Code>NoSuchKey</Code><Message>...</Message>...</Error>.
 * Pure functions; thread safe.
 */
#ifndef DS_S3ERR_H
#define DS_S3ERR_H

#include "core/err.h"

/* XX(name, S3 code, HTTP status, ds_errkind) */
#define DS_S3_ERR_MAP(XX)                                                          \
  XX(INTERNAL, "InternalError", 500, INTERNAL)                                     \
  XX(ACCESS_DENIED, "AccessDenied", 403, PERMISSION)                               \
  XX(SIGNATURE, "SignatureDoesNotMatch", 403, AUTH)                                \
  XX(INVALID_ACCESS_KEY, "InvalidAccessKeyId", 403, AUTH)                          \
  XX(SKEWED, "RequestTimeTooSkewed", 403, AUTH)                                    \
  XX(AUTH_HEADER, "AuthorizationHeaderMalformed", 400, AUTH)                       \
  XX(AUTH_QUERY, "AuthorizationQueryParametersError", 400, AUTH)                   \
  XX(NO_SUCH_BUCKET, "NoSuchBucket", 404, NOT_FOUND)                               \
  XX(NO_SUCH_KEY, "NoSuchKey", 404, NOT_FOUND)                                     \
  XX(NO_SUCH_UPLOAD, "NoSuchUpload", 404, NOT_FOUND)                               \
  XX(INVALID_ARGUMENT, "InvalidArgument", 400, VALIDATION)                         \
  XX(INVALID_REQUEST, "InvalidRequest", 400, VALIDATION)                           \
  XX(INVALID_RANGE, "InvalidRange", 416, VALIDATION)                               \
  XX(INVALID_PART, "InvalidPart", 400, VALIDATION)                                 \
  XX(INVALID_PART_ORDER, "InvalidPartOrder", 400, VALIDATION)                      \
  XX(ENTITY_TOO_SMALL, "EntityTooSmall", 400, VALIDATION)                          \
  XX(ENTITY_TOO_LARGE, "EntityTooLarge", 400, TOO_BIG)                             \
  XX(MALFORMED_XML, "MalformedXML", 400, VALIDATION)                               \
  XX(BAD_DIGEST, "BadDigest", 400, VALIDATION)                                     \
  XX(SHA256_MISMATCH, "XAmzContentSHA256Mismatch", 400, VALIDATION)                \
  XX(INCOMPLETE_BODY, "IncompleteBody", 400, VALIDATION)                           \
  XX(KEY_TOO_LONG, "KeyTooLongError", 400, VALIDATION)                             \
  XX(BUCKET_EXISTS, "BucketAlreadyOwnedByYou", 409, ALREADY_EXISTS)                \
  XX(BUCKET_NOT_EMPTY, "BucketNotEmpty", 409, VALIDATION)                          \
  XX(METHOD_NOT_ALLOWED, "MethodNotAllowed", 405, VALIDATION)                      \
  XX(NOT_IMPLEMENTED, "NotImplemented", 501, NOT_SUPPORTED)                        \
  XX(PRECONDITION, "PreconditionFailed", 412, VALIDATION)                          \
  XX(NOT_MODIFIED, "NotModified", 304, VALIDATION)

enum ds_s3err_index {
#define DS_S3_XX_IDX(name, code, http, kind) DS_S3I_##name,
  DS_S3_ERR_MAP(DS_S3_XX_IDX)
#undef DS_S3_XX_IDX
  DS_S3I__COUNT
};

/* Negative codes: DS_S3E_INTERNAL == -1, ... */
typedef enum ds_s3err {
#define DS_S3_XX_NEG(name, code, http, kind) DS_S3E_##name = -(DS_S3I_##name + 1),
  DS_S3_ERR_MAP(DS_S3_XX_NEG)
#undef DS_S3_XX_NEG
} ds_s3err;

/* Records the message (and the matching ds_errkind) in err and returns code. */
int ds_s3_fail(ds_error *err, ds_s3err code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "NoSuchKey", ...; anything unknown is "InternalError". */
const char *ds_s3err_code(int code);
unsigned ds_s3err_http(int code);

#endif
