/* store.c: objects and their metadata on disk, atomic streamed writes (see store.h). */
#include "s3/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "s3/objects.h"
#include "s3/s3err.h"

#define SINK_BUF (1u << 20)

void ds_s3meta_release(ds_s3meta *m) {
  if (m->user) json_decref(m->user);
  memset(m, 0, sizeof *m);
}

int ds_s3store_mkdirs(const char *path, ds_error *err) {
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s", path);
  char *slash = strrchr(tmp, '/');
  if (!slash || slash == tmp) return 0;
  *slash = '\0';
  struct stat st;
  if (stat(tmp, &st) == 0) {
    if (S_ISDIR(st.st_mode)) return 0;
    return ds_s3_fail(err, DS_S3E_INVALID_ARGUMENT, "The key conflicts with an existing object (a prefix of it is an object).");
  }
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(tmp, 0750) && errno != EEXIST) goto fail;
    *p = '/';
  }
  if (mkdir(tmp, 0750) && errno != EEXIST) goto fail;
  if (stat(tmp, &st) || !S_ISDIR(st.st_mode))
    return ds_s3_fail(err, DS_S3E_INVALID_ARGUMENT, "The key conflicts with an existing object (a prefix of it is an object).");
  return 0;
fail:
  if (errno == ENOTDIR || errno == EEXIST)
    return ds_s3_fail(err, DS_S3E_INVALID_ARGUMENT, "The key conflicts with an existing object (a prefix of it is an object).");
  return ds_s3_fail(err, DS_S3E_INTERNAL, "Cannot create a directory for the object: %s.", strerror(errno));
}

int ds_s3sink_open(ds_s3sink *s, const char *final, unsigned long long max, ds_error *err) {
  char rnd[17];
  int rc;
  memset(s, 0, sizeof *s);
  s->fd = -1;
  s->max = max;
  snprintf(s->final, sizeof s->final, "%s", final);
  const char *slash = strrchr(final, '/');
  if (!slash) return ds_s3_fail(err, DS_S3E_INTERNAL, "Object path without a directory.");
  for (int attempt = 0; attempt < 3; attempt++) {
    if ((rc = ds_s3store_mkdirs(final, err))) return rc;
    if (ds_random_token(rnd, 16)) return ds_s3_fail(err, DS_S3E_INTERNAL, "No random bytes.");
    if ((size_t)snprintf(s->tmp, sizeof s->tmp, "%.*s/" DS_S3_TMP_PREFIX "%s", (int)(slash - final), final, rnd) >=
        sizeof s->tmp)
      return ds_s3_fail(err, DS_S3E_KEY_TOO_LONG, "The object path is too long.");
    s->fd = open(s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (s->fd >= 0) break;
    if (errno != ENOENT) break; /* ENOENT: a delete pruned the directory meanwhile; make it again */
  }
  if (s->fd < 0) {
    s->tmp[0] = '\0';
    return ds_s3_fail(err, DS_S3E_INTERNAL, "Cannot create a temporary file for the object: %s.", strerror(errno));
  }
  s->md5 = ds_digest_new(DS_DIGEST_MD5);
  s->buf = ds_malloc(SINK_BUF);
  return 0;
}

static int flush(ds_s3sink *s, ds_error *err) {
  size_t off = 0;
  while (off < s->buf_len) {
    ssize_t w = write(s->fd, s->buf + off, s->buf_len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return ds_s3_fail(err, DS_S3E_INTERNAL, "Cannot write the object: %s.", strerror(errno));
    off += (size_t)w;
  }
  s->buf_len = 0;
  return 0;
}

int ds_s3sink_write(ds_s3sink *s, const void *p, size_t n, ds_error *err) {
  int rc;
  if (s->n + n > s->max)
    return ds_s3_fail(err, DS_S3E_ENTITY_TOO_LARGE, "Your proposed upload exceeds the maximum allowed size (%llu bytes).",
                      s->max);
  s->n += n;
  ds_digest_update(s->md5, p, n);
  while (n) {
    size_t room = SINK_BUF - s->buf_len, take = n < room ? n : room;
    memcpy(s->buf + s->buf_len, p, take);
    s->buf_len += take;
    p = (const char *)p + take;
    n -= take;
    if (s->buf_len == SINK_BUF && (rc = flush(s, err))) return rc;
  }
  return 0;
}

int ds_s3sink_finish(ds_s3sink *s, unsigned char md5[16], ds_error *err) {
  int rc = flush(s, err);
  if (rc) return rc;
  if (fdatasync(s->fd)) return ds_s3_fail(err, DS_S3E_INTERNAL, "Cannot sync the object: %s.", strerror(errno));
  if (md5) ds_digest_final(s->md5, md5);
  return 0;
}

int ds_s3sink_copy_fd(ds_s3sink *s, int in, int hash, ds_error *err) {
  int rc = 0;
  if (!hash && !s->buf_len) {
    for (;;) {
      ssize_t c = copy_file_range(in, NULL, s->fd, NULL, 64u << 20, 0);
      if (c > 0) {
        s->n += (unsigned long long)c;
        continue;
      }
      if (c == 0) return 0;
      if (errno == EINTR) continue;
      if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
        return ds_s3_fail(err, DS_S3E_INTERNAL, "Cannot copy the object: %s.", strerror(errno));
      break; /* no in-kernel copy between these files: copy through memory from where it stopped */
    }
  }
  char *buf = ds_malloc(SINK_BUF);
  for (;;) {
    ssize_t r = read(in, buf, SINK_BUF);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) rc = ds_s3_fail(err, DS_S3E_INTERNAL, "Cannot read the source object: %s.", strerror(errno));
    if (r <= 0) break;
    if ((rc = ds_s3sink_write(s, buf, (size_t)r, err))) break;
  }
  ds_free(buf);
  return rc;
}

int ds_s3sink_commit(ds_s3sink *s, ds_error *err) {
  if (rename(s->tmp, s->final)) {
    if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST)
      return ds_s3_fail(err, DS_S3E_INVALID_ARGUMENT, "The key conflicts with existing objects below it (it is a prefix).");
    return ds_s3_fail(err, DS_S3E_INTERNAL, "Cannot store the object: %s.", strerror(errno));
  }
  s->tmp[0] = '\0';
  return 0;
}

void ds_s3sink_abort(ds_s3sink *s) {
  if (s->md5 && s->fd >= 0) close(s->fd); /* md5 is set only once open succeeded */
  s->fd = -1;
  if (s->tmp[0]) unlink(s->tmp);
  s->tmp[0] = '\0';
  ds_digest_free(s->md5);
  s->md5 = NULL;
  ds_free(s->buf);
  s->buf = NULL;
}

static int meta_path(const char *data_dir, const char *project, const char *key, char *out, size_t size) {
  return (size_t)snprintf(out, size, "%s/files/%s/.ds/meta/%s", data_dir, project, key) >= size ? -1 : 0;
}

int ds_s3store_md5_fd(int fd, char hex[33], ds_error *err) {
  char *buf = ds_malloc(SINK_BUF);
  ds_digest *d = ds_digest_new(DS_DIGEST_MD5);
  unsigned char md[32];
  off_t off = 0;
  int rc = 0;
  for (;;) {
    ssize_t r = pread(fd, buf, SINK_BUF, off);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      rc = ds_s3_fail(err, DS_S3E_INTERNAL, "Cannot read the object: %s.", strerror(errno));
      break;
    }
    if (r == 0) break;
    ds_digest_update(d, buf, (size_t)r);
    off += r;
  }
  ds_digest_final(d, md);
  ds_hex(md, 16, hex);
  ds_digest_free(d);
  ds_free(buf);
  return rc;
}

static int meta_read(const char *path, ds_s3meta *m) {
  json_error_t jerr;
  json_t *j = json_load_file(path, 0, &jerr);
  if (!j) return -1;
  json_t *user = NULL;
  const char *etag = NULL, *ctype = "";
  json_int_t size = 0, mtime = 0;
  int rc = json_unpack(j, "{s:I,s:I,s:s,s?s,s?o}", "size", &size, "mtime_ns", &mtime, "etag", &etag, "content_type",
                       &ctype, "user", &user);
  if (!rc) {
    m->size = (unsigned long long)size;
    m->mtime_ns = (long long)mtime;
    snprintf(m->etag, sizeof m->etag, "%s", etag);
    snprintf(m->content_type, sizeof m->content_type, "%s", ctype);
    if (user && json_is_object(user)) m->user = json_incref(user);
  }
  json_decref(j);
  return rc;
}

static long long mtime_ns(const struct stat *st) { return (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec; }

void ds_s3store_meta_put(const char *data_dir, const char *project, const char *key, const char *path,
                         const ds_s3meta *m) {
  char mp[PATH_MAX], tmp[PATH_MAX + 32], rnd[17];
  struct stat st;
  ds_error err;
  if (stat(path, &st) || meta_path(data_dir, project, key, mp, sizeof mp)) return;
  json_t *j = json_pack("{s:I,s:I,s:s,s:s}", "size", (json_int_t)st.st_size, "mtime_ns", (json_int_t)mtime_ns(&st),
                        "etag", m->etag, "content_type", m->content_type);
  if (m->user && json_object_size(m->user)) json_object_set(j, "user", m->user);
  if (ds_s3store_mkdirs(mp, &err) || ds_random_token(rnd, 16)) goto out;
  snprintf(tmp, sizeof tmp, "%s.ds-tmp-%s", mp, rnd);
  if (json_dump_file(j, tmp, JSON_COMPACT) || rename(tmp, mp)) {
    DS_LOG(DS_LOG_WARN, "s3", "cannot record the metadata of an object of project %s: %s", project, strerror(errno));
    unlink(tmp);
  }
out:
  json_decref(j);
}

int ds_s3store_open(const char *data_dir, const char *project, const char *key, int *fd, ds_s3meta *m, ds_error *err) {
  char path[PATH_MAX], mp[PATH_MAX];
  struct stat st;
  ds_error kerr;
  int rc = 0;
  memset(m, 0, sizeof *m);
  *fd = -1;
  if (ds_objects_path(data_dir, project, key, path, sizeof path, &kerr))
    return ds_s3_fail(err, DS_S3E_INVALID_ARGUMENT, "%s", kerr.msg);
  *fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (*fd < 0 || fstat(*fd, &st) || !S_ISREG(st.st_mode)) {
    rc = ds_s3_fail(err, DS_S3E_NO_SUCH_KEY, "The specified key does not exist.");
    goto out;
  }
  ds_s3meta stored;
  memset(&stored, 0, sizeof stored);
  if (!meta_path(data_dir, project, key, mp, sizeof mp) && !meta_read(mp, &stored) &&
      stored.size == (unsigned long long)st.st_size && stored.mtime_ns == mtime_ns(&st)) {
    *m = stored;
    return 0;
  }
  ds_s3meta_release(&stored);
  /* no record, or one of other bytes: compute the ETag from the content and record it */
  m->size = (unsigned long long)st.st_size;
  m->mtime_ns = mtime_ns(&st);
  if ((rc = ds_s3store_md5_fd(*fd, m->etag, err))) goto out;
  ds_s3store_meta_put(data_dir, project, key, path, m);
out:
  if (rc && *fd >= 0) {
    close(*fd);
    *fd = -1;
  }
  return rc;
}

void ds_s3store_prune(const char *dir, const char *stop) {
  char d[PATH_MAX];
  size_t sl = strlen(stop);
  snprintf(d, sizeof d, "%s", dir);
  while (strlen(d) > sl && strncmp(d, stop, sl) == 0 && d[sl] == '/') {
    if (rmdir(d)) return;
    char *slash = strrchr(d, '/');
    if (!slash) return;
    *slash = '\0';
  }
}

int ds_s3store_delete(const char *data_dir, const char *project, const char *key, ds_error *err) {
  char path[PATH_MAX], mp[PATH_MAX], root[PATH_MAX], mroot[PATH_MAX + 16];
  struct stat st;
  ds_error kerr;
  if (ds_objects_path(data_dir, project, key, path, sizeof path, &kerr) ||
      ds_objects_root(data_dir, project, root, sizeof root, &kerr))
    return ds_s3_fail(err, DS_S3E_INVALID_ARGUMENT, "%s", kerr.msg);
  if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0; /* a "folder", not an object */
  if (unlink(path) && errno != ENOENT && errno != ENOTDIR)
    return ds_s3_fail(err, DS_S3E_INTERNAL, "Cannot delete the object: %s.", strerror(errno));
  if (!meta_path(data_dir, project, key, mp, sizeof mp)) unlink(mp);
  char *slash = strrchr(path, '/');
  *slash = '\0';
  ds_s3store_prune(path, root);
  snprintf(mroot, sizeof mroot, "%s/.ds/meta", root);
  if ((slash = strrchr(mp, '/'))) {
    *slash = '\0';
    ds_s3store_prune(mp, mroot);
  }
  return 0;
}
