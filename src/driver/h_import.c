/*
 * h_import.c: the import commands. This file checks the command (file provider, CSV options, manifest,
 * columns, options), resolves the files in the project's own bucket (src/s3/objects.h) and builds the source
 * query (DuckDB's read_csv / read_parquet, or a SELECT from another table); table/import.c does the write.
 *
 * Files: provider S3 with root `project-<id>` of the destination's project is read from
 * DATA_DIR/files/<id>/ directly; another project's bucket without fileCredentials is 2007. Any other S3 root
 * (or a project bucket with S3Credentials) and ABS (SAS token) are remote (src/remote/): the file, or the
 * manifest and then its entries, are downloaded into a fresh directory under DATA_DIR/tmp, which DuckDB reads
 * and which is removed afterwards in every case. GCS is 900 (contract §6).
 */
#include "driver/h_import.h"

#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/names.h"
#include "driver/h_table.h"
#include "proto/table.pb-c.h"
#include "remote/remote.h"
#include "s3/objects.h"
#include "store/store.h"
#include "table/import.h"
#include "table/types.h"

typedef Keboola__StorageDriver__Command__Table__TableImportFromFileCommand ImportFromFile;
typedef Keboola__StorageDriver__Command__Table__TableImportFromFileCommand__CsvTypeOptions CsvTypeOptions;
typedef Keboola__StorageDriver__Command__Table__TableImportFromTableCommand ImportFromTable;
typedef Keboola__StorageDriver__Command__Table__ImportExportShared__ImportOptions ImportOptions;
typedef Keboola__StorageDriver__Command__Table__ImportExportShared__Table Table;
typedef Keboola__StorageDriver__Command__Table__TableImportResponse ImportResponse;
typedef Keboola__StorageDriver__Command__Table__TableImportResponse__Timer Timer;

#define E(x) KEBOOLA__STORAGE_DRIVER__COMMAND__TABLE__##x
#define CSV_TYPE_URL "type.googleapis.com/keboola.storageDriver.command.table.TableImportFromFileCommand.CsvTypeOptions"
#define SQL_MAX (16u << 20)

/* --- options ---------------------------------------------------------------------------------------------- */

static int check_destination(const char *cmd, const Table *t, ds_error *err) {
  if (!t) return ds_error_set(err, DS_E_VALIDATION, "%s.destination is required", cmd);
  return ds_table_check_path(cmd, t->n_path, t->path, "destination.tableName", t->tablename, err);
}

/* Fills the parts of spec that come from ImportOptions; dest must be described. */
static int import_options(ds_ctx *ctx, const ImportOptions *o, const ds_object *dest, ds_import_spec *sp,
                          ds_error *err) {
  static const ImportOptions defaults = KEBOOLA__STORAGE_DRIVER__COMMAND__TABLE__IMPORT_EXPORT_SHARED__IMPORT_OPTIONS__INIT;
  if (!o) o = &defaults;
  if ((int)o->importtype != DS_IMPORT_FULL && (int)o->importtype != DS_IMPORT_INCREMENTAL)
    return ds_error_set(err, DS_E_VALIDATION, "Import type %d is not supported for this command.", (int)o->importtype);
  sp->type = (ds_import_type)o->importtype;
  if ((int)o->deduptype < 0 || (int)o->deduptype > 2)
    return ds_error_set(err, DS_E_VALIDATION, "Unknown dedupType %d.", (int)o->deduptype);
  sp->dedup = (ds_dedup_type)o->deduptype;
  sp->string_table = (int)o->importstrategy == 0;
  if (o->n_dedupcolumnsnames) {
    sp->dedup_columns = ds_pool_calloc(ctx->pool, o->n_dedupcolumnsnames * sizeof *sp->dedup_columns);
    for (size_t i = 0; i < o->n_dedupcolumnsnames; i++) {
      ds_column *c = ds_meta_column(dest, o->dedupcolumnsnames[i]);
      if (!c)
        return ds_error_set(err, DS_E_VALIDATION, "Dedup column \"%s\" is not a column of table \"%s\".",
                            o->dedupcolumnsnames[i], dest->name);
      sp->dedup_columns[i] = c->name;
    }
    sp->n_dedup_columns = o->n_dedupcolumnsnames;
  } else {
    sp->dedup_columns = dest->pk;
    sp->n_dedup_columns = dest->n_pk;
  }
  sp->empty_to_null = o->convertemptyvaluestonulloncolumns;
  sp->n_empty_to_null = o->n_convertemptyvaluestonulloncolumns;
  int has_ts = ds_meta_column(dest, "_timestamp") != NULL;
  sp->manage_timestamp = has_ts && o->timestampcolumn && strcmp(o->timestampcolumn, "_timestamp") == 0 &&
                         (int)o->timestampmode == DS_TS_CURRENT_TIME;
  return 0;
}

/* The source columns → destination columns (stored spelling); each must exist once; keys must be among them. */
static int map_columns(ds_ctx *ctx, char **names, size_t n, const ds_object *dest, ds_import_spec *sp,
                       ds_error *err) {
  sp->columns = ds_pool_calloc(ctx->pool, (n ? n : 1) * sizeof *sp->columns);
  for (size_t i = 0; i < n; i++) {
    ds_column *c = ds_meta_column(dest, names[i]);
    if (!c) {
      ds_buf all;
      ds_buf_init(&all, 8192);
      for (size_t k = 0; k < dest->n_columns; k++) ds_buf_printf(&all, "%s\"%s\"", k ? ", " : "", dest->columns[k].name);
      ds_error_set(err, DS_E_IMPORT_INVALID_COLUMN,
                   "Columns \"%s\" can be imported as it was not found between columns %s of destination table.",
                   names[i], all.data ? all.data : "");
      ds_buf_release(&all);
      return err->kind;
    }
    for (size_t k = 0; k < i; k++)
      if (strcasecmp(sp->columns[k], c->name) == 0)
        return ds_error_set(err, DS_E_IMPORT_DUPLICATE_COLUMNS, "Column \"%s\" is listed twice.", names[i]);
    sp->columns[i] = c->name;
  }
  sp->n_columns = n;
  if (n == 0) return ds_error_set(err, DS_E_IMPORT_NO_COLUMNS, "No columns to import.");
  for (size_t k = 0; k < sp->n_dedup_columns && sp->dedup != DS_DEDUP_INSERT; k++) {
    int found = 0;
    for (size_t i = 0; i < n; i++) found |= strcasecmp(sp->columns[i], sp->dedup_columns[k]) == 0;
    if (!found)
      return ds_error_set(err, DS_E_VALIDATION, "Dedup column \"%s\" is not among the imported columns.",
                          sp->dedup_columns[k]);
  }
  return 0;
}

static ImportResponse *response(ds_ctx *ctx, const ds_import_spec *sp, const ds_import_result *r) {
  ImportResponse *resp = ds_pool_alloc(ctx->pool, sizeof *resp);
  keboola__storage_driver__command__table__table_import_response__init(resp);
  resp->importedrowscount = r->imported_rows;
  resp->tablerowscount = r->table_rows;
  resp->tablesizebytes = r->table_bytes;
  resp->importedcolumns = sp->columns;
  resp->n_importedcolumns = sp->n_columns;
  resp->timers = ds_pool_alloc(ctx->pool, 2 * sizeof *resp->timers);
  const char *names[] = {"copyToStaging", "copyFromStagingToTarget"};
  double secs[] = {r->t_staging, r->t_write};
  for (int i = 0; i < 2; i++) {
    Timer *t = ds_pool_alloc(ctx->pool, sizeof *t);
    keboola__storage_driver__command__table__table_import_response__timer__init(t);
    t->name = (char *)names[i];
    t->duration = ds_pool_printf(ctx->pool, "%.3f", secs[i]);
    resp->timers[i] = t;
  }
  resp->n_timers = 2;
  return resp;
}

/* --- files ------------------------------------------------------------------------------------------------ */

/* A local path of the project's bucket for an s3://project-<id>/<key> URL. */
static int url_path(ds_ctx *ctx, const char *project, const char *url, char *out, size_t n, ds_error *err) {
  const char *pre = "s3://";
  if (strncmp(url, pre, strlen(pre)) != 0)
    return ds_error_set(err, DS_E_VALIDATION, "Manifest entry \"%.200s\" is not an s3:// URL of this service.", url);
  const char *bucket = url + strlen(pre), *slash = strchr(bucket, '/');
  if (!slash) return ds_error_set(err, DS_E_VALIDATION, "Manifest entry \"%.200s\" has no object key.", url);
  char name[128], owner[DS_PROJECT_ID_MAX + 1];
  snprintf(name, sizeof name, "%.*s", (int)(slash - bucket), bucket);
  int rc = ds_objects_bucket_project(name, owner, sizeof owner, err);
  if (rc) return rc;
  if (strcmp(owner, project) != 0)
    return ds_error_set(err, DS_E_PERMISSION, "Manifest entry \"%.200s\" is not in this project's bucket.", url);
  return ds_objects_path(ds_store_data_dir(ctx->store), project, slash + 1, out, n, err);
}

static int is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Where one manifest entry can be read: fills local (PATH_MAX + 64 bytes) and returns 0, or
 * DS_E_IMPORT_FILE_NOT_FOUND when the file does not exist, or another error. */
typedef int (*entry_fn)(void *arg, size_t i, const char *url, char *local, ds_error *err);

/* The manifest's entries, resolved by fn and appended to list ('a', 'b'): a missing optional entry is
 * skipped, a missing mandatory one is 4201 `Load error: ...`. Shared by local and remote imports. */
static int manifest_files(json_t *m, entry_fn fn, void *arg, ds_buf *list, size_t *n_files, ds_error *err) {
  char local[PATH_MAX + 64];
  json_t *entries = json_object_get(m, "entries");
  if (!json_is_array(entries))
    return ds_error_set(err, DS_E_IMPORT_FILE_PARAMS, "Load error: manifest has no \"entries\" list.");
  for (size_t i = 0; i < json_array_size(entries); i++) {
    json_t *e = json_array_get(entries, i);
    const char *url = json_string_value(json_object_get(e, "url"));
    int mandatory = json_is_true(json_object_get(e, "mandatory"));
    if (!url) return ds_error_set(err, DS_E_IMPORT_FILE_PARAMS, "Load error: manifest entry %zu has no url.", i);
    int rc = fn(arg, i, url, local, err);
    if (rc == DS_E_IMPORT_FILE_NOT_FOUND && !mandatory) continue;
    if (rc == DS_E_IMPORT_FILE_NOT_FOUND)
      return ds_error_set(err, rc, "Load error: mandatory file \"%.300s\" not found.", url);
    if (rc) return rc;
    if (*n_files) ds_buf_puts(list, ", ");
    ds_sql_literal(list, local);
    (*n_files)++;
  }
  return 0;
}

struct local_entries {
  ds_ctx *ctx;
  const char *project;
};

static int local_entry(void *arg, size_t i, const char *url, char *local, ds_error *err) {
  struct local_entries *le = arg;
  (void)i;
  int rc = url_path(le->ctx, le->project, url, local, PATH_MAX + 64, err);
  if (!rc && !is_file(local)) rc = DS_E_IMPORT_FILE_NOT_FOUND;
  return rc;
}

/* Appends the list of files to read ('a', 'b') for a single file or a manifest. n_files may end 0. */
static int source_files(ds_ctx *ctx, const char *project, const char *path, int sliced, ds_buf *list,
                        size_t *n_files, ds_error *err) {
  *n_files = 0;
  if (!sliced) {
    if (!is_file(path)) return ds_error_set(err, DS_E_IMPORT_FILE_NOT_FOUND, "Load error: file \"%s\" not found.", path);
    ds_sql_literal(list, path);
    *n_files = 1;
    return 0;
  }
  json_error_t je;
  json_t *m = is_file(path) ? json_load_file(path, 0, &je) : NULL;
  if (!m) return ds_error_set(err, DS_E_IMPORT_FILE_NOT_FOUND, "Load error: manifest \"%s\" cannot be read.", path);
  struct local_entries le = {ctx, project};
  int rc = manifest_files(m, local_entry, &le, list, n_files, err);
  json_decref(m);
  return rc;
}

/* --- remote files ---------------------------------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  remove(path);
  return 0;
}

/* A fresh directory DATA_DIR/tmp/import-XXXXXX for downloads (dir has PATH_MAX bytes). */
static int download_dir(ds_ctx *ctx, char *dir, ds_error *err) {
  const char *data_dir = ds_store_data_dir(ctx->store);
  if ((size_t)snprintf(dir, PATH_MAX, "%s/tmp", data_dir) >= PATH_MAX - 64)
    return ds_error_set(err, DS_E_IMPORT, "The data directory path is too long for an import.");
  if (mkdir(dir, 0700) && errno != EEXIST)
    return ds_error_set(err, DS_E_IMPORT, "Cannot create a download directory: %s.", strerror(errno));
  snprintf(dir, PATH_MAX, "%s/tmp/import-XXXXXX", data_dir);
  if (!mkdtemp(dir)) return ds_error_set(err, DS_E_IMPORT, "Cannot create a download directory: %s.", strerror(errno));
  return 0;
}

struct remote_entries {
  const ds_remote *rem;
  const char *dir;
};

static int remote_entry(void *arg, size_t i, const char *url, char *local, ds_error *err) {
  struct remote_entries *re = arg;
  char bucket[256], okey[DS_OBJECT_KEY_MAX + 1];
  int rc = ds_remote_parse_url(re->rem, url, bucket, sizeof bucket, okey, sizeof okey, err);
  if (rc) return rc;
  snprintf(local, PATH_MAX + 64, "%s/f%zu", re->dir, i);
  return ds_remote_get(re->rem, bucket, okey, local, err);
}

/* Downloads the file (or the manifest, then its entries) at key of rem into dir and appends the local files to
 * list as for source_files. */
static int remote_files(const ds_remote *rem, const char *key, int sliced, const char *dir, ds_buf *list,
                        size_t *n_files, ds_error *err) {
  char local[PATH_MAX + 64]; /* dir is shorter than PATH_MAX - 64 */
  json_t *m = NULL;
  int rc;
  *n_files = 0;
  snprintf(local, sizeof local, "%s/%s", dir, sliced ? "manifest" : "f0");
  if ((rc = ds_remote_get(rem, NULL, key, local, err))) goto out;
  if (!sliced) {
    ds_sql_literal(list, local);
    *n_files = 1;
    goto out;
  }
  json_error_t je;
  if (!(m = json_load_file(local, 0, &je))) {
    rc = ds_error_set(err, DS_E_IMPORT_FILE_PARAMS, "Load error: manifest \"%.200s\" is not JSON.", key);
    goto out;
  }
  struct remote_entries re = {rem, dir};
  rc = manifest_files(m, remote_entry, &re, list, n_files, err);
out:
  json_decref(m);
  return rc;
}

static int one_char(const char *what, const char *v, int may_be_empty, ds_error *err) {
  size_t n = v ? strlen(v) : 0;
  if (n == 0 && !may_be_empty) return ds_error_set(err, DS_E_VALIDATION, "%s cannot be empty.", what);
  if (n > 1) return ds_error_set(err, DS_E_VALIDATION, "%s must be a single character. \"%.20s\" received", what, v);
  return 0;
}

int ds_h_import_from_file(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const ImportFromFile *c = (const ImportFromFile *)cmd;
  CsvTypeOptions *csv = NULL;
  ds_session s;
  ds_object dest;
  ds_import_spec sp;
  ds_import_result r;
  ds_buf files, src;
  ds_remote rem;
  char path[4096], owner[DS_PROJECT_ID_MAX + 1], key[DS_OBJECT_KEY_MAX + 2], dl_dir[PATH_MAX] = "";
  size_t n_files = 0;
  int rc, remote = 0;
  memset(&s, 0, sizeof s);
  memset(&sp, 0, sizeof sp);
  ds_buf_init(&files, SQL_MAX);
  ds_buf_init(&src, SQL_MAX);
  if ((rc = check_destination("TableImportFromFileCommand", c->destination, err))) goto out;
  int provider = (int)c->fileprovider;
  if (provider != E(IMPORT_EXPORT_SHARED__FILE_PROVIDER__S3) && provider != E(IMPORT_EXPORT_SHARED__FILE_PROVIDER__ABS)) {
    /* contract §6: GCS is "not supported" (900) until done; an unknown value is bad input */
    rc = provider == E(IMPORT_EXPORT_SHARED__FILE_PROVIDER__GCS)
             ? ds_error_set(err, DS_E_NOT_SUPPORTED, "File provider GCS is not supported yet; use S3 or ABS.")
             : ds_error_set(err, DS_E_VALIDATION, "Unknown file provider %d.", provider);
    goto out;
  }
  int parquet = (int)c->fileformat == E(IMPORT_EXPORT_SHARED__FILE_FORMAT__PARQUET);
  if (!parquet && (int)c->fileformat != E(IMPORT_EXPORT_SHARED__FILE_FORMAT__CSV)) {
    rc = ds_error_set(err, DS_E_VALIDATION, "Unknown file format %d.", (int)c->fileformat);
    goto out;
  }
  if (!c->formattypeoptions || !c->formattypeoptions->type_url || strcmp(c->formattypeoptions->type_url, CSV_TYPE_URL) ||
      !(csv = (CsvTypeOptions *)protobuf_c_message_unpack(
            &keboola__storage_driver__command__table__table_import_from_file_command__csv_type_options__descriptor,
            ds_pool_pb_allocator(ctx->pool), c->formattypeoptions->value.len, c->formattypeoptions->value.data))) {
    rc = ds_error_set(err, DS_E_VALIDATION, "TableImportFromFileCommand.formatTypeOptions must be a CsvTypeOptions.");
    goto out;
  }
  if ((int)csv->sourcetype == E(TABLE_IMPORT_FROM_FILE_COMMAND__CSV_TYPE_OPTIONS__SOURCE_TYPE__DIRECTORY)) {
    rc = ds_error_set(err, DS_E_VALIDATION, "TableImportFromFileCommand.formatTypeOptions.sourceType directory is not supported.");
    goto out;
  }
  if (!parquet && ((rc = one_char("Delimiter", csv->delimiter, 0, err)) || (rc = one_char("Enclosure", csv->enclosure, 1, err)) ||
                   (rc = one_char("Escaped by", csv->escapedby, 1, err))))
    goto out;
  const ImportOptions *io = c->importoptions;
  if (io && io->numberofignoredlines < 0) {
    rc = ds_error_set(err, DS_E_VALIDATION, "ImportOptions.numberOfIgnoredLines must not be negative.");
    goto out;
  }
  /* the file: root/path/fileName in the destination project's own bucket, or in a remote one */
  if (!c->filepath || !c->filepath->filename || !*c->filepath->filename) {
    rc = ds_error_set(err, DS_E_VALIDATION, "TableImportFromFileCommand.filePath.fileName is required");
    goto out;
  }
  if ((rc = ds_session_open(ctx, NULL, NULL, 1, &s, err))) goto out;
  {
    const char *root = c->filepath->root ? c->filepath->root : "";
    ds_error perr;
    int project_bucket = ds_objects_bucket_project(root, owner, sizeof owner, &perr) == 0;
    if (provider == E(IMPORT_EXPORT_SHARED__FILE_PROVIDER__S3) && project_bucket && strcmp(owner, s.project) == 0) {
      remote = 0;
    } else if (provider == E(IMPORT_EXPORT_SHARED__FILE_PROVIDER__S3) && project_bucket && !c->filecredentials) {
      rc = ds_error_set(err, DS_E_PERMISSION, "Bucket \"%s\" is not this project's bucket.", root);
      goto out;
    } else {
      if ((rc = ds_remote_from_any(ctx->pool, provider, root, c->filecredentials, &rem, err))) goto out;
      remote = 1;
    }
  }
  {
    const char *p = c->filepath->path ? c->filepath->path : "";
    while (*p == '/') p++;
    size_t plen = strlen(p);
    while (plen && p[plen - 1] == '/') plen--;
    int kn = plen ? snprintf(key, sizeof key, "%.*s/%s", (int)plen, p, c->filepath->filename)
                  : snprintf(key, sizeof key, "%s", c->filepath->filename);
    if (kn < 0 || (size_t)kn >= sizeof key) {
      rc = ds_error_set(err, DS_E_VALIDATION, "The file path is too long.");
      goto out;
    }
    if (remote) rc = ds_objects_key_check(key, 0, err);
    else rc = ds_objects_path(ds_store_data_dir(ctx->store), s.project, key, path, sizeof path, err);
    if (rc) goto out;
  }
  if ((rc = ds_table_open(ctx, &s, c->destination->path[0], c->destination->tablename, &dest, err))) goto out;
  sp.project = s.project;
  sp.dest = &dest;
  if ((rc = import_options(ctx, io, &dest, &sp, err))) goto out;
  if ((rc = map_columns(ctx, csv->columnsnames, csv->n_columnsnames, &dest, &sp, err))) goto out;
  int sliced = (int)csv->sourcetype == E(TABLE_IMPORT_FROM_FILE_COMMAND__CSV_TYPE_OPTIONS__SOURCE_TYPE__SLICED_FILE);
  if (remote) {
    if ((rc = download_dir(ctx, dl_dir, err))) {
      dl_dir[0] = 0;
      goto out;
    }
    if ((rc = remote_files(&rem, key, sliced, dl_dir, &files, &n_files, err))) goto out;
  } else if ((rc = source_files(ctx, s.project, path, sliced, &files, &n_files, err))) {
    goto out;
  }
  /* the source query */
  if (n_files == 0) {
    /* an empty manifest imports nothing: a typed empty source */
    ds_buf_puts(&src, "SELECT ");
    for (size_t i = 0; i < sp.n_columns; i++) ds_buf_printf(&src, "%sNULL::VARCHAR", i ? ", " : "");
    ds_buf_puts(&src, " WHERE false");
  } else if (parquet) {
    ds_buf_puts(&src, "SELECT ");
    for (size_t i = 0; i < sp.n_columns; i++) {
      if (i) ds_buf_puts(&src, ", ");
      if (sp.string_table) ds_buf_puts(&src, "CAST(");
      ds_sql_ident(&src, csv->columnsnames[i]);
      if (sp.string_table) ds_buf_puts(&src, " AS VARCHAR)");
    }
    ds_buf_printf(&src, " FROM read_parquet([%s])", files.data);
  } else {
    ds_buf_printf(&src, "SELECT * FROM read_csv([%s], columns={", files.data);
    for (size_t i = 0; i < sp.n_columns; i++) {
      const ds_column *col = ds_meta_column(&dest, sp.columns[i]);
      ds_buf_puts(&src, i ? ", " : "");
      ds_sql_literal(&src, sp.columns[i]);
      ds_buf_puts(&src, ": ");
      ds_sql_literal(&src, sp.string_table ? "VARCHAR" : col->described);
    }
    ds_buf_printf(&src, "}, header=false, auto_detect=false, strict_mode=true, skip=%d, delim=",
                  io ? io->numberofignoredlines : 0);
    ds_sql_literal(&src, csv->delimiter);
    ds_buf_puts(&src, ", quote=");
    ds_sql_literal(&src, csv->enclosure ? csv->enclosure : "");
    ds_buf_puts(&src, ", escape=");
    ds_sql_literal(&src, csv->escapedby && *csv->escapedby ? csv->escapedby : (csv->enclosure ? csv->enclosure : ""));
    /* importAsNull: empty list → nothing is NULL (a marker no file holds); else every listed value */
    ds_buf_puts(&src, ", nullstr=[");
    if (!io || io->n_importasnull == 0) ds_buf_puts(&src, "'\x01ds-no-null\x01'");
    for (size_t i = 0; io && i < io->n_importasnull; i++) {
      if (i) ds_buf_puts(&src, ", ");
      ds_sql_literal(&src, io->importasnull[i]);
    }
    ds_buf_printf(&src, "], compression='%s')",
                  (int)csv->compression == E(TABLE_IMPORT_FROM_FILE_COMMAND__CSV_TYPE_OPTIONS__COMPRESSION__GZIP) ? "gzip" : "none");
  }
  if (src.len + 1 >= src.max) {
    rc = ds_error_set(err, DS_E_VALIDATION, "Too many files or columns.");
    goto out;
  }
  sp.source_sql = src.data;
  if ((rc = ds_import_run(ctx->pool, s.conn, &sp, &r, err))) goto out;
  *resp = &response(ctx, &sp, &r)->base;
out:
  if (dl_dir[0]) nftw(dl_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  ds_session_close(ctx, &s);
  ds_buf_release(&files);
  ds_buf_release(&src);
  return rc;
}

/* --- from a table ------------------------------------------------------------------------------------------- */

/* VIEW or CLONE of the source (§3.6): the destination must not exist unless createMode is REPLACE. */
static int view_or_clone(ds_ctx *ctx, ds_session *s, const ds_object *src, const Table *d, int clone, int replace,
                         ProtobufCMessage **resp, ds_error *err) {
  ds_buf b;
  char *schema = NULL;
  ds_obj_kind kind;
  int found = 0, rc;
  ds_import_spec none;
  ds_import_result r;
  memset(&none, 0, sizeof none);
  memset(&r, 0, sizeof r);
  ds_buf_init(&b, SQL_MAX);
  if ((rc = ds_meta_schema_find(ctx->pool, s->conn, s->project, d->path[0], &schema, &found, err))) goto out;
  if (!found) {
    rc = ds_error_set(err, DS_E_NOT_FOUND, "Object \"%s\" not found.", d->path[0]);
    goto out;
  }
  if ((rc = ds_meta_object_find(ctx->pool, s->conn, s->project, schema, d->tablename, &kind, NULL, NULL, NULL, err)))
    goto out;
  if (kind != DS_OBJ_NONE && !replace) {
    rc = ds_error_set(err, DS_E_ALREADY_EXISTS, "Object already exists.");
    goto out;
  }
  if ((rc = ds_session_begin(s, err))) goto out;
  if (kind != DS_OBJ_NONE) {
    ds_buf_puts(&b, kind == DS_OBJ_VIEW ? "DROP VIEW " : "DROP TABLE ");
    ds_meta_qualified(&b, s->project, schema, d->tablename);
    if ((rc = ds_store_exec(s->conn, b.data, err))) goto out;
    if ((rc = ds_meta_object_remove(s->conn, s->project, schema, d->tablename, err))) goto out;
    ds_buf_reset(&b);
  }
  ds_buf_puts(&b, clone ? "CREATE TABLE " : "CREATE VIEW ");
  ds_meta_qualified(&b, s->project, schema, d->tablename);
  ds_buf_puts(&b, " AS SELECT * FROM ");
  if (clone) ds_meta_qualified(&b, s->project, src->schema, src->name);
  else {
    ds_sql_ident(&b, src->schema);
    ds_buf_puts(&b, ".");
    ds_sql_ident(&b, src->name);
  }
  if ((rc = ds_session_ddl(s, b.data, err, "Cannot create \"%s\": ", d->tablename))) goto out;
  if ((rc = ds_meta_object_put(s->conn, s->project, schema, d->tablename, clone ? DS_OBJ_TABLE : DS_OBJ_VIEW,
                               clone ? (const char *const *)src->pk : NULL, clone ? src->n_pk : 0, err)))
    goto out;
  for (size_t i = 0; clone && i < src->n_columns && !rc; i++)
    rc = ds_meta_set_column(s->conn, s->project, schema, d->tablename, src->columns[i].name, src->columns[i].length, NULL,
                            err);
  if (rc) goto out;
  if ((rc = ds_session_commit(s, err))) goto out;
  if (clone) {
    ds_object o;
    if ((rc = ds_table_open(ctx, s, schema, d->tablename, &o, err))) goto out;
    if ((rc = ds_meta_table_stats(s->conn, s->project, &o, &r.table_rows, &r.table_bytes, err))) goto out;
  }
  *resp = &response(ctx, &none, &r)->base;
out:
  ds_buf_release(&b);
  return rc;
}

int ds_h_import_from_table(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const ImportFromTable *c = (const ImportFromTable *)cmd;
  const ImportOptions *io = c->importoptions;
  ds_session s;
  ds_object src, dest;
  ds_import_spec sp;
  ds_import_result r;
  ds_buf q;
  int rc;
  memset(&s, 0, sizeof s);
  memset(&sp, 0, sizeof sp);
  ds_buf_init(&q, SQL_MAX);
  if (!c->source || c->source->n_path != 1 || !c->source->tablename || !*c->source->tablename) {
    rc = ds_error_set(err, DS_E_VALIDATION, "TableImportFromTableCommand.source needs a path of one element and a tableName");
    goto out;
  }
  if ((rc = check_destination("TableImportFromTableCommand", c->destination, err))) goto out;
  if ((rc = ds_session_open(ctx, NULL, NULL, 1, &s, err))) goto out;
  if ((rc = ds_meta_describe(ctx->pool, s.conn, s.project, c->source->path[0], c->source->tablename, &src, err))) goto out;
  int type = io ? (int)io->importtype : 0;
  if (type == 2 || type == 3) {
    rc = view_or_clone(ctx, &s, &src, c->destination, type == 3, io && (int)io->createmode == 1, resp, err);
    goto out;
  }
  if ((rc = ds_table_open(ctx, &s, c->destination->path[0], c->destination->tablename, &dest, err))) goto out;
  sp.project = s.project;
  sp.dest = &dest;
  if ((rc = import_options(ctx, io, &dest, &sp, err))) goto out;
  /* the mappings: source column → destination column (all columns by name when none are given) */
  size_t n = c->source->n_columnmappings ? c->source->n_columnmappings : src.n_columns;
  char **dnames = ds_pool_calloc(ctx->pool, (n ? n : 1) * sizeof *dnames);
  ds_buf_puts(&q, "SELECT ");
  for (size_t i = 0; i < n; i++) {
    const char *sname = c->source->n_columnmappings ? c->source->columnmappings[i]->sourcecolumnname : src.columns[i].name;
    dnames[i] = c->source->n_columnmappings ? c->source->columnmappings[i]->destinationcolumnname : src.columns[i].name;
    ds_column *sc = ds_meta_column(&src, sname);
    if (!sc) {
      rc = ds_error_set(err, DS_E_COLUMN_NOT_FOUND, "Column \"%s\" not found in table \"%s\".", sname, src.name);
      goto out;
    }
    ds_column *dc = ds_meta_column(&dest, dnames[i]);
    if (dc && !sp.string_table && strcasecmp(dc->described, sc->described) != 0) {
      rc = ds_error_set(err, DS_E_VALIDATION, "Source destination columns mismatch. \"%s\" %s → \"%s\" %s", sc->name,
                        sc->described, dc->name, dc->described);
      goto out;
    }
    if (i) ds_buf_puts(&q, ", ");
    if (sp.string_table) ds_buf_puts(&q, "CAST(");
    ds_buf_puts(&q, "t.");
    ds_sql_ident(&q, sc->name);
    if (sp.string_table) ds_buf_puts(&q, " AS VARCHAR)");
  }
  ds_buf_puts(&q, " FROM ");
  ds_meta_qualified(&q, s.project, src.schema, src.name);
  ds_buf_puts(&q, " t");
  if ((rc = map_columns(ctx, dnames, n, &dest, &sp, err))) goto out;
  sp.source_sql = q.data;
  if ((rc = ds_import_run(ctx->pool, s.conn, &sp, &r, err))) goto out;
  *resp = &response(ctx, &sp, &r)->base;
out:
  ds_session_close(ctx, &s);
  ds_buf_release(&q);
  return rc;
}
