/*
 * h_project.c: project and dev-branch commands (driver-contract.md §5–§6).
 *
 * A project is a catalog row, a database file DATA_DIR/projects/<id>.duckdb and a files directory. Its API
 * key is made here, returned once as projectPassword, and stored only as a hash.
 */
#include "driver/h_project.h"

#include <pthread.h>
#include <string.h>

#include "core/log.h"
#include "core/names.h"
#include "driver/auth.h"
#include "proto/project.pb-c.h"

typedef Keboola__StorageDriver__Command__Project__CreateProjectCommand CreateProjectCommand;
typedef Keboola__StorageDriver__Command__Project__CreateProjectResponse CreateProjectResponse;
typedef Keboola__StorageDriver__Command__Project__UpdateProjectCommand UpdateProjectCommand;
typedef Keboola__StorageDriver__Command__Project__DropProjectCommand DropProjectCommand;
typedef Keboola__StorageDriver__Command__Project__CreateDevBranchCommand CreateDevBranchCommand;
typedef Keboola__StorageDriver__Command__Project__CreateDevBranchResponse CreateDevBranchResponse;
typedef Keboola__StorageDriver__Command__Project__DropDevBranchCommand DropDevBranchCommand;

/* CreateProject and DropProject run one at a time: each spans the store and the catalog, and two of them on
 * one id must not interleave (a failed create removes "its" file). They are rare, so one lock is enough. */
static pthread_mutex_t lifecycle_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *file_storage_name(int v) {
  switch (v) {
  case KEBOOLA__STORAGE_DRIVER__COMMAND__PROJECT__CREATE_PROJECT_COMMAND__FILE_STORAGE_TYPE__ABS: return "ABS";
  case KEBOOLA__STORAGE_DRIVER__COMMAND__PROJECT__CREATE_PROJECT_COMMAND__FILE_STORAGE_TYPE__GCS: return "GCS";
  default: return "S3";
  }
}

int ds_h_create_project(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const CreateProjectCommand *c = (const CreateProjectCommand *)cmd;
  char key[64], hash[65], sealed[256];
  int rc;
  if (!c->projectid || !*c->projectid)
    return ds_error_set(err, DS_E_VALIDATION, "CreateProjectCommand.projectId is required");
  if ((rc = ds_project_id_check(c->projectid, err))) return rc;
  ctx->project_id = c->projectid;
  if ((rc = ds_auth_new_project_key(key, hash, err))) return rc;
  /* sealed, so that the key can also sign S3 requests (SigV4 needs the secret) */
  if ((rc = ds_auth_seal_project_key(ds_store_data_dir(ctx->store), c->projectid, key, sealed, sizeof sealed, err)))
    return rc;
  pthread_mutex_lock(&lifecycle_lock);
  if (ds_catalog_project_exists(ctx->catalog, c->projectid)) {
    rc = ds_error_set(err, DS_E_ALREADY_EXISTS, "Project with project id \"%s\" already exists.", c->projectid);
    goto out;
  }
  if ((rc = ds_store_project_create(ctx->store, c->projectid, err))) goto out;
  ds_project_row row = {c->projectid, c->stackprefix, file_storage_name(c->filestorage), c->dataretentiontime,
                        sealed};
  if ((rc = ds_catalog_project_add(ctx->catalog, &row, hash, err))) {
    /* nothing may be left behind: the catalog did not take the project, so its file goes too */
    ds_error ignored;
    if (ds_store_project_drop(ctx->store, c->projectid, &ignored))
      DS_LOG(DS_LOG_WARN, "project", "cannot remove the database of failed project %s: %s", c->projectid, ignored.msg);
    goto out;
  }
out:
  pthread_mutex_unlock(&lifecycle_lock);
  if (rc) return rc;
  CreateProjectResponse *r = ds_pool_alloc(ctx->pool, sizeof *r);
  keboola__storage_driver__command__project__create_project_response__init(r);
  r->projectusername = ds_pool_printf(ctx->pool, "project_%s", c->projectid);
  r->projectpassword = ds_pool_strdup(ctx->pool, key);
  r->projectreadonlyrolename = ds_pool_printf(ctx->pool, "project_%s_ro", c->projectid);
  r->projectdatabasename = ds_pool_strdup(ctx->pool, c->projectid);
  memset(key, 0, sizeof key);
  *resp = &r->base;
  return 0;
}

/* A timezone is valid when DuckDB's ICU knows it (the names of pg_timezone_names()). */
static int check_timezone(ds_ctx *ctx, const char *tz, ds_error *err) {
  duckdb_result res;
  const char *p[] = {tz};
  duckdb_connection conn = ds_store_conn_get(ctx->store);
  int rc = ds_store_exec_params(conn, "SELECT 1 FROM pg_timezone_names() WHERE name = $1", p, 1, &res, err);
  int known = !rc && ds_store_rows(&res) > 0;
  duckdb_destroy_result(&res);
  ds_store_conn_put(ctx->store, conn);
  if (rc) return rc;
  if (!known) return ds_error_set(err, DS_E_VALIDATION, "Timezone \"%.100s\" is not valid.", tz);
  return 0;
}

int ds_h_update_project(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const UpdateProjectCommand *c = (const UpdateProjectCommand *)cmd;
  int rc;
  *resp = NULL;
  if (!c->projectid || !*c->projectid)
    return ds_error_set(err, DS_E_VALIDATION, "UpdateProjectCommand.projectId is required");
  if ((rc = ds_project_id_check(c->projectid, err))) return rc;
  ctx->project_id = c->projectid;
  if (c->region && *c->region && (rc = ds_name_check("Region", c->region, err))) return rc;
  if (c->timezone && *c->timezone && (rc = check_timezone(ctx, c->timezone, err))) return rc;
  return ds_catalog_project_update(ctx->catalog, c->projectid, c->region, c->timezone, err);
}

int ds_h_drop_project(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const DropProjectCommand *c = (const DropProjectCommand *)cmd;
  int rc;
  *resp = NULL;
  if (!c->projectdatabasename || !*c->projectdatabasename)
    return ds_error_set(err, DS_E_VALIDATION, "DropProjectCommand.projectDatabaseName is required");
  if ((rc = ds_project_id_check(c->projectdatabasename, err))) return rc;
  ctx->project_id = c->projectdatabasename;
  pthread_mutex_lock(&lifecycle_lock);
  if (!ds_catalog_project_exists(ctx->catalog, c->projectdatabasename)) {
    rc = ds_error_set(err, DS_E_NOT_FOUND, "Project \"%s\" not found.", c->projectdatabasename);
    goto out;
  }
  /* catalog first: once its rows are gone the keys stop working, and a failure below leaves only an orphan
   * file that the next CreateProject of this id replaces */
  if ((rc = ds_catalog_project_remove(ctx->catalog, c->projectdatabasename, err))) goto out;
  ds_error file_err;
  if (ds_store_project_drop(ctx->store, c->projectdatabasename, &file_err))
    DS_LOG(DS_LOG_WARN, "project", "project %s removed from the catalog, but its files stay: %s",
           c->projectdatabasename, file_err.msg);
out:
  pthread_mutex_unlock(&lifecycle_lock);
  return rc;
}

int ds_h_create_dev_branch(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const CreateDevBranchCommand *c = (const CreateDevBranchCommand *)cmd;
  const char *project;
  int rc;
  if ((rc = ds_ctx_project(ctx, "CreateDevBranchCommand.projectId", c->projectid, &project, err))) return rc;
  ctx->project_id = project;
  if (!c->branchid || !*c->branchid)
    return ds_error_set(err, DS_E_VALIDATION, "CreateDevBranchCommand.branchId is required");
  if ((rc = ds_branch_id_check(c->branchid, err))) return rc;
  char *role = ds_pool_printf(ctx->pool, "project_%s_branch_%s_ro", project, c->branchid);
  if ((rc = ds_catalog_branch_add(ctx->catalog, project, c->branchid, role, err))) return rc;
  CreateDevBranchResponse *r = ds_pool_alloc(ctx->pool, sizeof *r);
  keboola__storage_driver__command__project__create_dev_branch_response__init(r);
  r->devbranchreadonlyrolename = role;
  *resp = &r->base;
  return 0;
}

int ds_h_drop_dev_branch(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const DropDevBranchCommand *c = (const DropDevBranchCommand *)cmd;
  const char *project;
  int removed = 0, rc;
  *resp = NULL;
  /* an empty role name is a no-op, as in the Snowflake driver */
  if (!c->devbranchreadonlyrolename || !*c->devbranchreadonlyrolename) return 0;
  if ((rc = ds_ctx_project(ctx, "Credentials host (project id)", NULL, &project, err))) return rc;
  if ((rc = ds_catalog_branch_remove_by_role(ctx->catalog, project, c->devbranchreadonlyrolename, &removed, err)))
    return rc;
  if (!removed)
    ds_ctx_log(ctx, DS_LOG_MSG_WARNING, NULL, "Dev branch with read-only role \"%s\" does not exist; nothing to drop.",
               c->devbranchreadonlyrolename);
  return 0;
}
