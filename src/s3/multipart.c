/* multipart.c: multipart uploads kept under DATA_DIR/tmp/multipart (see multipart.h). */
#include "s3/multipart.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/mem.h"
#include "core/names.h"
#include "s3/objects.h"
#include "s3/s3err.h"

static int upload_dir(const char *data_dir, const char *project, const char *upload_id, char *out, size_t size,
                      ds_error *err) {
  size_t n = strlen(upload_id);
  for (size_t i = 0; i < n; i++)
    if (!((upload_id[i] >= 'a' && upload_id[i] <= 'z') || (upload_id[i] >= 'A' && upload_id[i] <= 'Z') ||
          (upload_id[i] >= '0' && upload_id[i] <= '9')))
      n = 0;
  if (n != 32) return ds_s3_fail(err, DS_S3E_NO_SUCH_UPLOAD, "The specified upload does not exist.");
  if ((size_t)snprintf(out, size, "%s/tmp/multipart/%s/%s", data_dir, project, upload_id) >= size)
    return ds_s3_fail(err, DS_S3E_INTERNAL, "Upload path too long.");
  return 0;
}

/* Checks that the upload exists and belongs to key. */
static int check_upload(const char *dir, const char *key, json_t **info_out, ds_error *err) {
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/info", dir);
  json_t *info = json_load_file(p, 0, NULL);
  const char *k = info ? json_string_value(json_object_get(info, "key")) : NULL;
  if (!k || strcmp(k, key) != 0) {
    json_decref(info);
    return ds_s3_fail(err, DS_S3E_NO_SUCH_UPLOAD,
                      "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
                      "aborted or completed.");
  }
  if (info_out) *info_out = info;
  else json_decref(info);
  return 0;
}

int ds_s3mp_create(const char *data_dir, const char *project, const char *key, const char *content_type, json_t *user,
                   char upload_id[33], ds_error *err) {
  char dir[PATH_MAX], p[PATH_MAX + 16];
  int rc;
  if (ds_random_token(upload_id, 32)) return ds_s3_fail(err, DS_S3E_INTERNAL, "No random bytes.");
  if ((rc = upload_dir(data_dir, project, upload_id, dir, sizeof dir, err))) return rc;
  snprintf(p, sizeof p, "%s/info", dir);
  if ((rc = ds_s3store_mkdirs(p, err))) return rc;
  json_t *info = json_pack("{s:s,s:s}", "key", key, "content_type", content_type ? content_type : "");
  if (user) json_object_set(info, "user", user);
  char tmp[PATH_MAX + 32];
  snprintf(tmp, sizeof tmp, "%s/.info.tmp", dir);
  if (json_dump_file(info, tmp, JSON_COMPACT) || rename(tmp, p))
    rc = ds_s3_fail(err, DS_S3E_INTERNAL, "Cannot start the upload: %s.", strerror(errno));
  json_decref(info);
  return rc;
}

int ds_s3mp_part_path(const char *data_dir, const char *project, const char *upload_id, const char *key, int n,
                      char *out, size_t size, ds_error *err) {
  char dir[PATH_MAX];
  int rc = upload_dir(data_dir, project, upload_id, dir, sizeof dir, err);
  if (!rc) rc = check_upload(dir, key, NULL, err);
  if (rc) return rc;
  if (n < 1 || n > DS_S3MP_MAX_PARTS)
    return ds_s3_fail(err, DS_S3E_INVALID_ARGUMENT, "Part number must be an integer between 1 and 10000, inclusive.");
  snprintf(out, size, "%s/%05d", dir, n);
  return 0;
}

int ds_s3mp_part_done(const char *part_path, const char *md5_hex, unsigned long long size, ds_error *err) {
  char p[PATH_MAX + 16], tmp[PATH_MAX + 32];
  snprintf(p, sizeof p, "%s.etag", part_path);
  snprintf(tmp, sizeof tmp, "%s.etag.tmp", part_path);
  FILE *f = fopen(tmp, "we");
  int ok = f && fprintf(f, "%s %llu\n", md5_hex, size) > 0;
  if (f && fclose(f)) ok = 0;
  if (!ok || rename(tmp, p)) {
    unlink(tmp);
    return ds_s3_fail(err, DS_S3E_INTERNAL, "Cannot record the part: %s.", strerror(errno));
  }
  return 0;
}

static int read_part(const char *dir, int n, char md5[33], unsigned long long *size) {
  char p[PATH_MAX + 16];
  snprintf(p, sizeof p, "%s/%05d.etag", dir, n);
  FILE *f = fopen(p, "re");
  if (!f) return -1;
  int ok = fscanf(f, "%32s %llu", md5, size) == 2;
  fclose(f);
  return ok ? 0 : -1;
}

static int copy_part(int out, const char *path, ds_error *err) {
  int in = open(path, O_RDONLY | O_CLOEXEC);
  if (in < 0) return ds_s3_fail(err, DS_S3E_INVALID_PART, "A part of the upload is missing.");
  int rc = 0;
  for (;;) {
    ssize_t c = copy_file_range(in, NULL, out, NULL, 64u << 20, 0);
    if (c > 0) continue;
    if (c == 0) break;
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) {
      rc = ds_s3_fail(err, DS_S3E_INTERNAL, "Cannot assemble the object: %s.", strerror(errno));
      break;
    }
    /* no in-kernel copy here: plain read/write from the current offset */
    char buf[1 << 16];
    ssize_t r;
    while ((r = read(in, buf, sizeof buf)) > 0)
      if (write(out, buf, (size_t)r) != r) break;
    if (r != 0) rc = ds_s3_fail(err, DS_S3E_INTERNAL, "Cannot assemble the object: %s.", strerror(errno));
    break;
  }
  close(in);
  return rc;
}

static void remove_upload(const char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *de;
    char p[PATH_MAX + 300];
    while ((de = readdir(d))) {
      if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2]))) continue;
      snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
      unlink(p);
    }
    closedir(d);
  }
  rmdir(dir);
}

int ds_s3mp_complete(const char *data_dir, const char *project, const char *upload_id, const char *key,
                     const ds_s3mp_part *parts, int n, char etag[80], ds_error *err) {
  char dir[PATH_MAX], path[PATH_MAX], part[PATH_MAX + 16], md5[33];
  unsigned char bin[16], final[16];
  unsigned long long size;
  json_t *info = NULL;
  ds_s3sink sink;
  ds_error kerr;
  ds_digest *d = ds_digest_new(DS_DIGEST_MD5);
  int rc;
  memset(&sink, 0, sizeof sink);
  if ((rc = upload_dir(data_dir, project, upload_id, dir, sizeof dir, err))) goto out;
  if ((rc = check_upload(dir, key, &info, err))) goto out;
  if (n == 0) {
    rc = ds_s3_fail(err, DS_S3E_MALFORMED_XML, "You must specify at least one part.");
    goto out;
  }
  for (int i = 0; i < n; i++) {
    if (i && parts[i].number <= parts[i - 1].number) {
      rc = ds_s3_fail(err, DS_S3E_INVALID_PART_ORDER, "The list of parts was not in ascending order.");
      goto out;
    }
    if (read_part(dir, parts[i].number, md5, &size) || strcmp(md5, parts[i].etag) != 0) {
      rc = ds_s3_fail(err, DS_S3E_INVALID_PART,
                      "One or more of the specified parts could not be found or its ETag did not match (part %d).",
                      parts[i].number);
      goto out;
    }
    if (i < n - 1 && size < DS_S3MP_MIN_PART) {
      rc = ds_s3_fail(err, DS_S3E_ENTITY_TOO_SMALL, "Your proposed upload is smaller than the minimum allowed size "
                                                    "(part %d has %llu bytes; all but the last need 5 MiB).",
                      parts[i].number, size);
      goto out;
    }
    for (int b = 0; b < 16; b++) sscanf(md5 + 2 * b, "%2hhx", &bin[b]);
    ds_digest_update(d, bin, 16);
  }
  if (ds_objects_path(data_dir, project, key, path, sizeof path, &kerr)) {
    rc = ds_s3_fail(err, DS_S3E_INVALID_ARGUMENT, "%s", kerr.msg);
    goto out;
  }
  if ((rc = ds_s3sink_open(&sink, path, ~0ull, err))) goto out;
  for (int i = 0; i < n && !rc; i++) {
    snprintf(part, sizeof part, "%s/%05d", dir, parts[i].number);
    rc = copy_part(sink.fd, part, err);
  }
  if (rc || (rc = ds_s3sink_finish(&sink, NULL, err)) || (rc = ds_s3sink_commit(&sink, err))) goto out;
  ds_digest_final(d, final);
  ds_hex(final, 16, md5);
  snprintf(etag, 80, "%s-%d", md5, n);
  ds_s3meta m;
  memset(&m, 0, sizeof m);
  snprintf(m.etag, sizeof m.etag, "%s", etag);
  const char *ctype = json_string_value(json_object_get(info, "content_type"));
  snprintf(m.content_type, sizeof m.content_type, "%s", ctype ? ctype : "");
  m.user = json_object_get(info, "user");
  ds_s3store_meta_put(data_dir, project, key, path, &m);
  remove_upload(dir);
out:
  ds_s3sink_abort(&sink);
  ds_digest_free(d);
  json_decref(info);
  return rc;
}

int ds_s3mp_abort(const char *data_dir, const char *project, const char *upload_id, const char *key, ds_error *err) {
  char dir[PATH_MAX];
  int rc = upload_dir(data_dir, project, upload_id, dir, sizeof dir, err);
  if (!rc) rc = check_upload(dir, key, NULL, err);
  if (!rc) remove_upload(dir);
  return rc;
}
