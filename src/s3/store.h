/*
 * store.h: objects on disk for the S3-compatible API.
 *
 * An object is the file DATA_DIR/files/<project>/<key> (objects.h); its S3 metadata (ETag, Content-Type,
 * x-amz-meta-*) sits in DATA_DIR/files/<project>/.ds/meta/<key> as JSON together with the size and mtime of the
 * content it describes. Files written by anything else (imports, exports) have no or stale metadata: the
 * ETag is then computed from the content once and recorded, so metadata can never describe other bytes.
 *
 * Writes stream into a temporary file `.ds-tmp-<random>` in the object's own directory and rename(2) over the
 * object at the end, so a reader sees the old object or the new one, never part of one. Listing skips these
 * temporary names and the reserved `.ds*` names at the bucket's root.
 * Thread safe (no shared state); concurrent writers of one key: the last rename wins.
 */
#ifndef DS_S3STORE_H
#define DS_S3STORE_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>

#include "core/crypto.h"
#include "core/err.h"

#define DS_S3_TMP_PREFIX ".ds-tmp-"
#define DS_S3_MAX_OBJECT (5ull << 30) /* 5 GiB: S3's limit for one PUT and for one part */

typedef struct ds_s3meta {
  unsigned long long size;
  long long mtime_ns;
  char etag[80];          /* without quotes: 32 hex, or 32 hex + "-N" for multipart objects */
  char content_type[256]; /* "" when unknown */
  json_t *user;           /* x-amz-meta-* (names without the prefix) or NULL; owned */
} ds_s3meta;

void ds_s3meta_release(ds_s3meta *m);

/* A streamed write into a temporary file beside `final`. */
typedef struct ds_s3sink {
  int fd;
  char tmp[PATH_MAX];
  char final[PATH_MAX];
  ds_digest *md5;
  unsigned long long n, max;
  char *buf;
  size_t buf_len;
} ds_s3sink;

/* Creates the parent directories of final and the temporary file. max: the most bytes accepted
 * (EntityTooLarge beyond). */
int ds_s3sink_open(ds_s3sink *s, const char *final, unsigned long long max, ds_error *err);
int ds_s3sink_write(ds_s3sink *s, const void *p, size_t n, ds_error *err);
/* Flushes and fsyncs the temporary file; md5 (16 bytes, may be NULL) receives the digest of what was written. */
int ds_s3sink_finish(ds_s3sink *s, unsigned char md5[16], ds_error *err);
/* Renames the finished temporary file over final: from here on readers see the new object. */
int ds_s3sink_commit(ds_s3sink *s, ds_error *err);
/* Appends the rest of the file open at in (from its current offset). With hash unset and nothing buffered,
 * the bytes are copied in the kernel (copy_file_range) and do not count into the sink's MD5. */
int ds_s3sink_copy_fd(ds_s3sink *s, int in, int hash, ds_error *err);
/* Removes the temporary file (if any) and frees everything. Safe after commit and on a zeroed sink. */
void ds_s3sink_abort(ds_s3sink *s);

/* mkdir -p of every directory above path (not path itself). */
int ds_s3store_mkdirs(const char *path, ds_error *err);

/* Opens an object for reading: fd (the caller closes it) and its metadata (repaired when stale).
 * NoSuchKey when it is missing or not a regular file. */
int ds_s3store_open(const char *data_dir, const char *project, const char *key, int *fd, ds_s3meta *m, ds_error *err);
/* Writes the metadata of key for the object file at path (its size and mtime are read here). Best effort:
 * failures are logged, as a missing record is rebuilt on the next read. */
void ds_s3store_meta_put(const char *data_dir, const char *project, const char *key, const char *path,
                         const ds_s3meta *m);
/* Deletes the object and its metadata, then the directories left empty. Deleting a missing key is 0. */
int ds_s3store_delete(const char *data_dir, const char *project, const char *key, ds_error *err);
/* Hex MD5 of a whole file (33 bytes). */
int ds_s3store_md5_fd(int fd, char hex[33], ds_error *err);
/* Removes empty directories from dir up to (not including) stop. */
void ds_s3store_prune(const char *dir, const char *stop);

#endif
