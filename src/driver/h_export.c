/*
 * h_export.c: TableExportToFile into the project's own files (provider S3, bucket `project-<id>`, which is
 * DATA_DIR/files/<id>/, s3/objects.h), or into a remote store (src/remote/): S3 with any other root and
 * S3Credentials, or ABS with a SAS token. Without fileCredentials another bucket is 900, and so is GCS.
 *
 * The rows (columnsToExport, filters, orderBy, limit; table/filter.h) are written by DuckDB's COPY into a new
 * directory under DATA_DIR/tmp: CSV without a header (gzip when isCompressed) or PARQUET (snappy when
 * compressed), one file per DuckDB thread when the order does not matter, else one file. The files are then
 * renamed to `<prefix>000000000000.csv[.gz]`, `<prefix>000000000001...` next to their final place and the
 * manifest `<prefix>manifest` ({"entries":[{"url":"s3://project-<id>/<key>","mandatory":true}]}) is written
 * last, also by rename: a failed export removes what it moved and leaves no manifest. The prefix is the
 * FilePath's key: trim(path, '/') + '/' + fileName (§3.3). The answer is the source's TableInfo.
 *
 * Remote: the slices are written locally as above (into the temp directory), then uploaded one PUT each under
 * the same names, and the manifest (URLs s3://<root>/<key> or azure://<account>.blob.core.windows.net/<c>/<key>)
 * last. A failed upload deletes what this export uploaded (best effort).
 */
#include "driver/h_export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/names.h"
#include "driver/h_info.h"
#include "driver/h_read.h"
#include "driver/h_table.h"
#include "proto/table.pb-c.h"
#include "remote/remote.h"
#include "s3/objects.h"

typedef Keboola__StorageDriver__Command__Table__TableExportToFileCommand TableExportToFileCommand;
typedef Keboola__StorageDriver__Command__Table__TableExportToFileResponse TableExportToFileResponse;
typedef Keboola__StorageDriver__Command__Table__ImportExportShared__ExportOptions ExportOptions;

#define CMD "TableExportToFileCommand"
#define SQL_MAX (16u << 20)
#define MAX_SLICES 4096
#define P_S3 KEBOOLA__STORAGE_DRIVER__COMMAND__TABLE__IMPORT_EXPORT_SHARED__FILE_PROVIDER__S3
#define P_ABS KEBOOLA__STORAGE_DRIVER__COMMAND__TABLE__IMPORT_EXPORT_SHARED__FILE_PROVIDER__ABS
#define F_CSV KEBOOLA__STORAGE_DRIVER__COMMAND__TABLE__IMPORT_EXPORT_SHARED__FILE_FORMAT__CSV
#define F_PARQUET KEBOOLA__STORAGE_DRIVER__COMMAND__TABLE__IMPORT_EXPORT_SHARED__FILE_FORMAT__PARQUET

/* An empty gzip member: what a compressed slice of no rows holds. */
static const unsigned char EMPTY_GZIP[] = {0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0};

static const char *provider_name(int p) { return p == 1 ? "ABS" : p == 2 ? "GCS" : "unknown"; }

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  remove(path);
  return 0;
}

/* Removes a directory tree (nothing outside it: symlinks are not followed). */
static void rm_tree(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* Creates the directories of path below its first root_len bytes (the project's files root, which exists). */
static int mkdirs_for(const char *path, size_t root_len, ds_error *err) {
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + root_len + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(tmp, 0750) && errno != EEXIST)
      return ds_error_set(err, DS_E_EXPORT, "Cannot create the export directory: %s.", strerror(errno));
    *p = '/';
  }
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strverscmp(*(char *const *)a, *(char *const *)b); /* data_2 before data_10 */
}

/* The files COPY wrote into dir, in DuckDB's thread order (pool). */
static int list_slices(ds_ctx *ctx, const char *dir, char ***out, size_t *n, ds_error *err) {
  DIR *d = opendir(dir);
  struct dirent *e;
  *n = 0;
  *out = ds_pool_alloc(ctx->pool, MAX_SLICES * sizeof **out);
  if (!d) return 0; /* nothing written */
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (*n == MAX_SLICES) {
      closedir(d);
      return ds_error_set(err, DS_E_EXPORT, "The export produced more than %d slices.", MAX_SLICES);
    }
    (*out)[(*n)++] = ds_pool_printf(ctx->pool, "%s/%s", dir, e->d_name);
  }
  closedir(d);
  qsort(*out, *n, sizeof **out, cmp_names);
  return 0;
}

/* Writes n bytes to a new file at path. */
static int write_file(const char *path, const void *data, size_t n, ds_error *err) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return ds_error_set(err, DS_E_EXPORT, "Cannot write the export: %s.", strerror(errno));
  int ok = n == 0 || write(fd, data, n) == (ssize_t)n;
  ok = fsync(fd) == 0 && ok;
  ok = close(fd) == 0 && ok;
  if (!ok) return ds_error_set(err, DS_E_EXPORT, "Cannot write the export: %s.", strerror(errno));
  return 0;
}

/* The object key prefix of a FilePath: trim(path, '/') + '/' + fileName, or fileName alone (pool). */
static char *key_prefix(ds_ctx *ctx, const char *path, const char *file) {
  while (*path == '/') path++;
  size_t n = strlen(path);
  while (n && path[n - 1] == '/') n--;
  if (!n) return ds_pool_strdup(ctx->pool, file);
  return ds_pool_printf(ctx->pool, "%.*s/%s", (int)n, path, file);
}

/* Uploads the slices as <prefix>NNNNNNNNNNNN<ext> to rem, then the manifest (written into tmp first). The keys
 * uploaded so far are in *uploaded (pool), also on failure, for the caller's cleanup. */
static int upload(ds_ctx *ctx, const ds_remote *rem, const char *prefix, const char *ext, char **slices,
                  size_t n_slices, const char *tmp, const char *manifest_key, const char ***uploaded,
                  size_t *n_uploaded, ds_error *err) {
  json_t *manifest = json_object(), *entries = json_array();
  char *text = NULL, manifest_tmp[PATH_MAX];
  ds_buf url;
  int rc = 0;
  ds_buf_init(&url, 1u << 16);
  json_object_set_new(manifest, "entries", entries);
  *uploaded = ds_pool_alloc(ctx->pool, n_slices * sizeof **uploaded);
  *n_uploaded = 0;
  for (size_t i = 0; i < n_slices; i++) {
    const char *key = ds_pool_printf(ctx->pool, "%s%012zu%s", prefix, i, ext);
    if ((rc = ds_objects_key_check(key, 0, err))) goto out;
    if ((rc = ds_remote_put(rem, key, slices[i], err))) goto out;
    (*uploaded)[(*n_uploaded)++] = key;
    ds_buf_reset(&url);
    if (ds_remote_manifest_url(rem, key, &url)) {
      rc = ds_error_set(err, DS_E_EXPORT, "The manifest URL of \"%.200s\" is too long.", key);
      goto out;
    }
    json_t *e = json_object();
    json_object_set_new(e, "url", json_string(url.data));
    json_object_set_new(e, "mandatory", json_true());
    json_array_append_new(entries, e);
  }
  text = json_dumps(manifest, JSON_COMPACT);
  snprintf(manifest_tmp, sizeof manifest_tmp, "%s/manifest", tmp);
  if (!text) {
    rc = ds_error_set(err, DS_E_EXPORT, "Cannot write the manifest.");
    goto out;
  }
  if ((rc = write_file(manifest_tmp, text, strlen(text), err))) goto out;
  rc = ds_remote_put(rem, manifest_key, manifest_tmp, err);
out:
  if (rc && err->kind != DS_E_PERMISSION && err->kind != DS_E_CONNECTION && err->kind != DS_E_EXPORT &&
      err->kind != DS_E_VALIDATION)
    err->kind = rc = DS_E_EXPORT;
  free(text);
  json_decref(manifest);
  ds_buf_release(&url);
  return rc;
}

int ds_h_table_export_to_file(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const TableExportToFileCommand *c = (const TableExportToFileCommand *)cmd;
  const ExportOptions *opt = c->exportoptions;
  ds_session s;
  ds_object o;
  ds_buf sel, q, copy;
  ds_export_filters f;
  char tmp[PATH_MAX - 64] = "", out_dir[PATH_MAX], project[DS_PROJECT_ID_MAX + 1];
  char **moved = NULL;
  size_t n_moved = 0;
  ds_remote rem;
  const char **uploaded = NULL;
  size_t n_uploaded = 0;
  int rc, manifest_done = 0, remote = 0;
  memset(&s, 0, sizeof s);
  ds_buf_init(&sel, SQL_MAX);
  ds_buf_init(&q, SQL_MAX);
  ds_buf_init(&copy, SQL_MAX);
  /* the request */
  if (!c->source) {
    rc = ds_error_set(err, DS_E_VALIDATION, CMD ".source is required.");
    goto out;
  }
  if ((rc = ds_table_check_path(CMD ".source", c->source->n_path, c->source->path, "tableName", c->source->tablename,
                                err)))
    goto out;
  if (!c->filepath) {
    rc = ds_error_set(err, DS_E_VALIDATION, CMD ".filePath is required.");
    goto out;
  }
  if (c->fileformat != F_CSV && c->fileformat != F_PARQUET) {
    rc = ds_error_set(err, DS_E_VALIDATION, "Unknown " CMD ".fileFormat %d.", (int)c->fileformat);
    goto out;
  }
  if ((int)c->fileprovider == 2) {
    rc = ds_error_set(err, DS_E_NOT_SUPPORTED, "File provider GCS is not supported yet; use S3 or ABS.");
    goto out;
  }
  if (c->fileprovider != P_S3 && !(c->fileprovider == P_ABS && c->filecredentials)) {
    rc = ds_error_set(err, DS_E_NOT_SUPPORTED, "Export to file provider \"%s\" is not supported%s.",
                      provider_name((int)c->fileprovider),
                      c->fileprovider == P_ABS ? " without ABSCredentials (a SAS token)" : " by this backend");
    goto out;
  }
  const ds_pb_filters *pf = opt ? opt->filters : NULL;
  if (pf && (rc = ds_read_check_change(CMD, pf->changesince, pf->changeuntil, err))) goto out;
  if ((rc = ds_session_open(ctx, NULL, NULL, 0, &s, err))) goto out;
  const char *root = c->filepath->root ? c->filepath->root : "";
  ds_error perr;
  if (c->fileprovider != P_S3 || ds_objects_bucket_project(root, project, sizeof project, &perr) ||
      strcmp(project, s.project) != 0) {
    if (!c->filecredentials) {
      rc = ds_error_set(err, DS_E_NOT_SUPPORTED,
                        "Export to bucket \"%.200s\" without fileCredentials is not supported: only this project's "
                        "bucket \"" DS_BUCKET_PREFIX "%s\" can be written without them.",
                        root, s.project);
      goto out;
    }
    if ((rc = ds_remote_from_any(ctx->pool, (int)c->fileprovider, root, c->filecredentials, &rem, err))) goto out;
    remote = 1;
  }
  const char *data_dir = ds_store_data_dir(ctx->store);
  const char *prefix = key_prefix(ctx, c->filepath->path ? c->filepath->path : "",
                                  c->filepath->filename ? c->filepath->filename : "");
  const char *manifest_key = ds_pool_printf(ctx->pool, "%smanifest", prefix);
  char manifest_path[PATH_MAX], files_root[PATH_MAX];
  if (remote) rc = ds_objects_key_check(manifest_key, 0, err);
  else if (!(rc = ds_objects_path(data_dir, s.project, manifest_key, manifest_path, sizeof manifest_path, err)))
    rc = ds_objects_root(data_dir, s.project, files_root, sizeof files_root, err);
  if (rc) goto out;
  /* the query */
  if ((rc = ds_table_open(ctx, &s, c->source->path[0], c->source->tablename, &o, err))) goto out;
  size_t n_export = opt && opt->n_columnstoexport ? opt->n_columnstoexport : o.n_columns;
  for (size_t i = 0; i < n_export; i++) {
    ds_column *col = opt && opt->n_columnstoexport ? ds_meta_column(&o, opt->columnstoexport[i]) : &o.columns[i];
    if (!col) {
      rc = ds_error_set(err, DS_E_VALIDATION, "Column \"%s\" not found in table \"%s\".", opt->columnstoexport[i],
                        o.name);
      goto out;
    }
    if (i) ds_buf_puts(&sel, ", ");
    ds_sql_ident(&sel, DS_READ_SRC);
    ds_buf_puts(&sel, ".");
    if (ds_sql_ident(&sel, col->name)) {
      rc = ds_error_set(err, DS_E_VALIDATION, "The column list is too long.");
      goto out;
    }
  }
  ds_filter_col *cols = ds_read_cols(ctx->pool, &o);
  size_t n_orders = opt ? opt->n_orderby : 0;
  ds_order *orders = ds_read_orders(ctx->pool, opt ? opt->orderby : NULL, n_orders);
  ds_read_filters(ctx->pool, pf, &f);
  long long limit = pf && pf->limit > 0 ? pf->limit : 0;
  if ((rc = ds_read_select(&q, s.project, &o, cols, sel.data, &f, orders, n_orders, limit, CMD, err))) goto out;
  if ((rc = ds_read_check_values(&s, f.where, f.n_where, cols, o.n_columns, err))) goto out;
  /* COPY into a fresh directory under DATA_DIR/tmp */
  int compressed = opt && opt->iscompressed, parquet = c->fileformat == F_PARQUET;
  int parallel = n_orders == 0 && limit == 0; /* the order of rows matters only with orderBy or a limit */
  const char *ext = parquet ? ".parquet" : compressed ? ".csv.gz" : ".csv";
  if ((size_t)snprintf(tmp, sizeof tmp, "%s/tmp/export-XXXXXX", data_dir) >= sizeof tmp) {
    rc = ds_error_set(err, DS_E_EXPORT, "The data directory path is too long for an export.");
    tmp[0] = 0;
    goto out;
  }
  snprintf(tmp, sizeof tmp, "%s/tmp", data_dir);
  if (mkdir(tmp, 0700) && errno != EEXIST) {
    rc = ds_error_set(err, DS_E_EXPORT, "Cannot create the export directory: %s.", strerror(errno));
    tmp[0] = 0;
    goto out;
  }
  snprintf(tmp, sizeof tmp, "%s/tmp/export-XXXXXX", data_dir);
  if (!mkdtemp(tmp)) {
    rc = ds_error_set(err, DS_E_EXPORT, "Cannot create the export directory: %s.", strerror(errno));
    tmp[0] = 0;
    goto out;
  }
  snprintf(out_dir, sizeof out_dir, "%s/out", tmp);
  if (!parallel && mkdir(out_dir, 0700)) {
    rc = ds_error_set(err, DS_E_EXPORT, "Cannot create the export directory: %s.", strerror(errno));
    goto out;
  }
  ds_buf_printf(&copy, "COPY (%s) TO ", q.data);
  if (parallel) ds_sql_literal(&copy, out_dir);
  else ds_sql_literal(&copy, ds_pool_printf(ctx->pool, "%s/data_0%s", out_dir, ext));
  if (parquet) ds_buf_printf(&copy, " (FORMAT parquet, COMPRESSION %s", compressed ? "snappy" : "uncompressed");
  else ds_buf_printf(&copy, " (FORMAT csv, HEADER false%s", compressed ? ", COMPRESSION gzip" : "");
  if (ds_buf_puts(&copy, parallel ? ", PER_THREAD_OUTPUT true)" : ")")) {
    rc = ds_error_set(err, DS_E_VALIDATION, "The query is too long.");
    goto out;
  }
  if ((rc = ds_store_exec(s.conn, copy.data, err))) {
    ds_error_prefix(err, "Cannot export table \"%s\": ", o.name);
    goto out;
  }
  char **slices;
  size_t n_slices;
  if ((rc = list_slices(ctx, out_dir, &slices, &n_slices, err))) goto out;
  if (n_slices == 0) { /* no rows and no file: one empty slice, as BigQuery gives */
    if (parquet) {
      rc = ds_error_set(err, DS_E_EXPORT, "The export of table \"%s\" wrote no file.", o.name);
      goto out;
    }
    mkdir(out_dir, 0700);
    slices[0] = ds_pool_printf(ctx->pool, "%s/data_0%s", out_dir, ext);
    n_slices = 1;
    if ((rc = write_file(slices[0], EMPTY_GZIP, compressed ? sizeof EMPTY_GZIP : 0, err))) goto out;
  }
  if (remote) {
    if ((rc = upload(ctx, &rem, prefix, ext, slices, n_slices, tmp, manifest_key, &uploaded, &n_uploaded, err)))
      goto out;
    manifest_done = 1;
  }
  /* move the slices into place, then the manifest (local only) */
  json_t *entries = json_array(); /* stays empty when remote: upload() wrote the manifest */
  moved = ds_pool_alloc(ctx->pool, n_slices * sizeof *moved);
  for (size_t i = 0; i < n_slices && !rc && !remote; i++) {
    const char *key = ds_pool_printf(ctx->pool, "%s%012zu%s", prefix, i, ext);
    char path[PATH_MAX];
    if ((rc = ds_objects_path(data_dir, s.project, key, path, sizeof path, err))) break;
    if (i == 0 && (rc = mkdirs_for(path, strlen(files_root), err))) break;
    if (rename(slices[i], path)) {
      rc = ds_error_set(err, DS_E_EXPORT, "Cannot write the export: %s.", strerror(errno));
      break;
    }
    moved[n_moved++] = ds_pool_strdup(ctx->pool, path);
    json_t *e = json_object();
    json_object_set_new(e, "url", json_string(ds_pool_printf(ctx->pool, "s3://" DS_BUCKET_PREFIX "%s/%s", s.project, key)));
    json_object_set_new(e, "mandatory", json_true());
    json_array_append_new(entries, e);
  }
  json_t *manifest = json_object();
  json_object_set_new(manifest, "entries", entries);
  char *text = json_dumps(manifest, JSON_COMPACT);
  json_decref(manifest);
  if (!rc && !remote) {
    char manifest_tmp[PATH_MAX];
    snprintf(manifest_tmp, sizeof manifest_tmp, "%s/manifest", tmp);
    rc = write_file(manifest_tmp, text, strlen(text), err);
    if (!rc && rename(manifest_tmp, manifest_path))
      rc = ds_error_set(err, DS_E_EXPORT, "Cannot write the export: %s.", strerror(errno));
    manifest_done = !rc;
  }
  free(text);
  if (rc) goto out;
  /* the answer: the source as it is now */
  TableExportToFileResponse *r = ds_pool_alloc(ctx->pool, sizeof *r);
  keboola__storage_driver__command__table__table_export_to_file_response__init(r);
  if ((rc = ds_info_table_info(ctx, &s, o.schema, o.name, &r->tableinfo, err))) goto out;
  *resp = &r->base;
out:
  if (rc && !manifest_done)
    for (size_t i = 0; i < n_moved; i++) unlink(moved[i]);
  if (rc && remote && !manifest_done)
    for (size_t i = 0; i < n_uploaded; i++) {
      ds_error derr;
      if (ds_remote_delete(&rem, uploaded[i], &derr))
        DS_LOG(DS_LOG_WARN, "export", "cannot remove the uploaded slice %s: %s", uploaded[i], derr.msg);
    }
  if (tmp[0]) rm_tree(tmp);
  ds_session_close(ctx, &s);
  ds_buf_release(&sel);
  ds_buf_release(&q);
  ds_buf_release(&copy);
  return rc;
}
