/*
 * h_info.c: ObjectInfo (DATABASE, SCHEMA, TABLE, VIEW) and ListSchemas. Listings come from the project's
 * registry (table/meta.h), column details from DESCRIBE; TABLE and SCHEMA answers are cached per project
 * version (table/cache.h). Not-found errors use BigQuery's code 2000 and the
 * message every Keboola driver uses, `Object "<name>" not found.`
 */
#include "driver/h_info.h"

#include <string.h>

#include "core/names.h"
#include "proto/info.pb-c.h"
#include "table/cache.h"
#include "table/meta.h"

typedef Keboola__StorageDriver__Command__Info__ObjectInfoCommand ObjectInfoCommand;
typedef Keboola__StorageDriver__Command__Info__ObjectInfoResponse ObjectInfoResponse;
typedef Keboola__StorageDriver__Command__Info__ObjectInfo ObjectInfo;
typedef Keboola__StorageDriver__Command__Info__DatabaseInfo DatabaseInfo;
typedef Keboola__StorageDriver__Command__Info__SchemaInfo SchemaInfo;
typedef Keboola__StorageDriver__Command__Info__ViewInfo ViewInfo;
typedef Keboola__StorageDriver__Command__Info__TableInfo TableInfo;
typedef Keboola__StorageDriver__Command__Info__TableInfo__TableColumn TableColumn;
typedef Keboola__StorageDriver__Command__Info__ListSchemasResponse ListSchemasResponse;

#define T_DATABASE KEBOOLA__STORAGE_DRIVER__COMMAND__INFO__OBJECT_TYPE__DATABASE
#define T_SCHEMA KEBOOLA__STORAGE_DRIVER__COMMAND__INFO__OBJECT_TYPE__SCHEMA
#define T_TABLE KEBOOLA__STORAGE_DRIVER__COMMAND__INFO__OBJECT_TYPE__TABLE
#define T_VIEW KEBOOLA__STORAGE_DRIVER__COMMAND__INFO__OBJECT_TYPE__VIEW

static ObjectInfoResponse *new_response(ds_ctx *ctx, char **path, size_t n_path, int type) {
  ObjectInfoResponse *r = ds_pool_alloc(ctx->pool, sizeof *r);
  keboola__storage_driver__command__info__object_info_response__init(r);
  r->path = ds_pool_memdup(ctx->pool, path, n_path * sizeof *path);
  r->n_path = n_path;
  r->objecttype = (Keboola__StorageDriver__Command__Info__ObjectType)type;
  return r;
}

static TableColumn **columns_pb(ds_ctx *ctx, const ds_object *o) {
  TableColumn **cols = ds_pool_alloc(ctx->pool, (o->n_columns ? o->n_columns : 1) * sizeof *cols);
  for (size_t i = 0; i < o->n_columns; i++) {
    TableColumn *c = ds_pool_alloc(ctx->pool, sizeof *c);
    keboola__storage_driver__command__info__table_info__table_column__init(c);
    c->name = o->columns[i].name;
    c->type = o->columns[i].type;
    c->length = o->columns[i].length;
    c->nullable = o->columns[i].nullable;
    c->default_ = o->columns[i].def;
    cols[i] = c;
  }
  return cols;
}

static char **one(ds_ctx *ctx, const char *s) {
  char **a = ds_pool_alloc(ctx->pool, sizeof *a);
  a[0] = (char *)s;
  return a;
}

static int table_info(ds_ctx *ctx, ds_session *s, const char *schema, const char *table, TableInfo **out,
                      ds_error *err) {
  ds_object o;
  long long rows = 0, bytes = 0;
  int rc = ds_meta_describe(ctx->pool, s->conn, s->project, schema, table, &o, err);
  if (rc) return rc;
  if (o.kind != DS_OBJ_TABLE) return ds_error_set(err, DS_E_NOT_FOUND, "Object \"%s\" not found.", table);
  if ((rc = ds_meta_table_stats(s->conn, s->project, &o, &rows, &bytes, err))) return rc;
  TableInfo *t = ds_pool_alloc(ctx->pool, sizeof *t);
  keboola__storage_driver__command__info__table_info__init(t);
  t->path = one(ctx, o.schema);
  t->n_path = 1;
  t->tablename = o.name;
  t->columns = columns_pb(ctx, &o);
  t->n_columns = o.n_columns;
  t->primarykeysnames = o.pk;
  t->n_primarykeysnames = o.n_pk;
  t->rowscount = rows;
  t->sizebytes = bytes;
  t->tabletype = KEBOOLA__STORAGE_DRIVER__COMMAND__INFO__TABLE_TYPE__NORMAL;
  *out = t;
  return 0;
}

static void table_response(ds_ctx *ctx, char **path, size_t n_path, TableInfo *t, ProtobufCMessage **resp) {
  ObjectInfoResponse *r = new_response(ctx, path, n_path, T_TABLE);
  r->object_info_case = KEBOOLA__STORAGE_DRIVER__COMMAND__INFO__OBJECT_INFO_RESPONSE__OBJECT_INFO_TABLE_INFO;
  r->tableinfo = t;
  *resp = &r->base;
}

int ds_info_table_response(ds_ctx *ctx, ds_session *s, char **path, size_t n_path, const char *schema,
                           const char *table, ProtobufCMessage **resp, ds_error *err) {
  TableInfo *t;
  int rc = table_info(ctx, s, schema, table, &t, err);
  if (!rc) table_response(ctx, path, n_path, t, resp);
  return rc;
}

int ds_info_table_info(ds_ctx *ctx, ds_session *s, const char *schema, const char *table, TableInfo **out,
                       ds_error *err) {
  return table_info(ctx, s, schema, table, out, err);
}

/* Packs msg into the cache under key (see table/cache.h). */
static void cache_put(ds_ctx *ctx, const char *key, uint64_t version, const ProtobufCMessage *msg) {
  size_t len = protobuf_c_message_get_packed_size(msg);
  uint8_t *buf = ds_pool_alloc(ctx->pool, len ? len : 1);
  protobuf_c_message_pack(msg, buf);
  ds_cache_put(key, version, buf, len);
}

/* A cached message of type desc under key, or NULL. */
static ProtobufCMessage *cache_get(ds_ctx *ctx, const char *key, uint64_t version,
                                   const ProtobufCMessageDescriptor *desc) {
  uint8_t *data;
  size_t len;
  if (!ds_cache_get(key, version, ctx->pool, &data, &len)) return NULL;
  return protobuf_c_message_unpack(desc, ds_pool_pb_allocator(ctx->pool), len, data);
}

static ObjectInfo *object(ds_ctx *ctx, const char *name, int type) {
  ObjectInfo *o = ds_pool_alloc(ctx->pool, sizeof *o);
  keboola__storage_driver__command__info__object_info__init(o);
  o->objectname = (char *)name;
  o->objecttype = (Keboola__StorageDriver__Command__Info__ObjectType)type;
  return o;
}

static int database_info(ds_ctx *ctx, ds_session *s, const ObjectInfoCommand *c, ProtobufCMessage **resp,
                         ds_error *err) {
  char **names;
  size_t n;
  int rc;
  if (strcmp(c->path[0], s->project) != 0)
    return ds_error_set(err, DS_E_DB_MISMATCH, "Requested database \"%s\" does not match the connected database \"%s\".",
                        c->path[0], s->project);
  if ((rc = ds_meta_schema_list(ctx->pool, s->conn, s->project, &names, &n, err))) return rc;
  DatabaseInfo *d = ds_pool_alloc(ctx->pool, sizeof *d);
  keboola__storage_driver__command__info__database_info__init(d);
  d->objects = ds_pool_alloc(ctx->pool, (n ? n : 1) * sizeof *d->objects);
  for (size_t i = 0; i < n; i++) d->objects[i] = object(ctx, names[i], T_SCHEMA);
  d->n_objects = n;
  ObjectInfoResponse *r = new_response(ctx, c->path, c->n_path, T_DATABASE);
  r->object_info_case = KEBOOLA__STORAGE_DRIVER__COMMAND__INFO__OBJECT_INFO_RESPONSE__OBJECT_INFO_DATABASE_INFO;
  r->databaseinfo = d;
  *resp = &r->base;
  return 0;
}

static void schema_response(ds_ctx *ctx, const ObjectInfoCommand *c, SchemaInfo *si, ProtobufCMessage **resp) {
  ObjectInfoResponse *r = new_response(ctx, c->path, c->n_path, T_SCHEMA);
  r->object_info_case = KEBOOLA__STORAGE_DRIVER__COMMAND__INFO__OBJECT_INFO_RESPONSE__OBJECT_INFO_SCHEMA_INFO;
  r->schemainfo = si;
  *resp = &r->base;
}

/* 0 when the view binds (its sources exist and fit); else the binder's message in err. */
static int view_readable(ds_session *s, const char *schema, const char *view, ds_error *err) {
  ds_buf b;
  ds_buf_init(&b, 4096);
  ds_buf_puts(&b, "DESCRIBE ");
  ds_meta_qualified(&b, s->project, schema, view);
  int rc = ds_store_exec(s->conn, b.data, err);
  ds_buf_release(&b);
  return rc;
}

static int schema_info(ds_ctx *ctx, ds_session *s, const ObjectInfoCommand *c, ProtobufCMessage **resp,
                       ds_error *err) {
  char *schema, **names;
  ds_obj_kind *kinds;
  size_t n;
  int found, rc;
  if ((rc = ds_meta_schema_find(ctx->pool, s->conn, s->project, c->path[0], &schema, &found, err))) return rc;
  if (!found) return ds_error_set(err, DS_E_NOT_FOUND, "Object \"%s\" not found.", c->path[0]);
  if ((rc = ds_meta_object_list(ctx->pool, s->conn, s->project, schema, &names, &kinds, &n, err))) return rc;
  SchemaInfo *si = ds_pool_alloc(ctx->pool, sizeof *si);
  keboola__storage_driver__command__info__schema_info__init(si);
  si->objects = ds_pool_alloc(ctx->pool, (n ? n : 1) * sizeof *si->objects);
  for (size_t i = 0; i < n; i++) {
    if (kinds[i] == DS_OBJ_VIEW) {
      ds_error verr;
      if (view_readable(s, schema, names[i], &verr)) {
        /* as BigQuery: a view that cannot be read is left out, with a warning */
        ds_ctx_log(ctx, DS_LOG_MSG_WARNING, NULL,
                   "Selecting data from view \"%s.%s\" failed with error: \"%s\" View was ignored", schema, names[i],
                   verr.msg);
        continue;
      }
    }
    si->objects[si->n_objects++] = object(ctx, names[i], kinds[i] == DS_OBJ_VIEW ? T_VIEW : T_TABLE);
  }
  schema_response(ctx, c, si, resp);
  return 0;
}

static int view_info(ds_ctx *ctx, ds_session *s, const ObjectInfoCommand *c, ProtobufCMessage **resp,
                     ds_error *err) {
  ds_object o;
  int rc = ds_meta_describe(ctx->pool, s->conn, s->project, c->path[0], c->path[1], &o, err);
  if (rc) return rc;
  if (o.kind != DS_OBJ_VIEW) return ds_error_set(err, DS_E_NOT_FOUND, "Object \"%s\" not found.", c->path[1]);
  ViewInfo *v = ds_pool_alloc(ctx->pool, sizeof *v);
  keboola__storage_driver__command__info__view_info__init(v);
  v->path = one(ctx, o.schema);
  v->n_path = 1;
  v->viewname = o.name;
  v->columns = columns_pb(ctx, &o);
  v->n_columns = o.n_columns;
  v->primarykeysnames = o.pk;
  v->n_primarykeysnames = o.n_pk;
  ObjectInfoResponse *r = new_response(ctx, c->path, c->n_path, T_VIEW);
  r->object_info_case = KEBOOLA__STORAGE_DRIVER__COMMAND__INFO__OBJECT_INFO_RESPONSE__OBJECT_INFO_VIEW_INFO;
  r->viewinfo = v;
  *resp = &r->base;
  return 0;
}

int ds_h_object_info(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const ObjectInfoCommand *c = (const ObjectInfoCommand *)cmd;
  int type = (int)c->expectedobjecttype;
  ds_session s;
  int rc = 0;
  memset(&s, 0, sizeof s);
  if (c->n_path == 0) return ds_error_set(err, DS_E_VALIDATION, "Error empty path.");
  if (type < T_DATABASE || type > T_VIEW) return ds_error_set(err, DS_E_UNKNOWN_OBJECT, "Unknown object \"%d\".", type);
  size_t want = (type == T_TABLE || type == T_VIEW) ? 2 : 1;
  if (c->n_path != want)
    return ds_error_set(err, DS_E_VALIDATION, "Error path must have exactly %s.",
                        want == 1 ? "one element" : "two elements");
  for (size_t i = 0; i < c->n_path; i++)
    if ((rc = ds_name_check("Path element", c->path[i], err))) return rc;
  /* TABLE and SCHEMA answers are cached per project version: ObjectInfo is the hottest read */
  const char *project;
  if ((rc = ds_ctx_project(ctx, "Credentials host (project id)", NULL, &project, err))) return rc;
  ctx->project_id = project;
  uint64_t version = ds_cache_version(project);
  char *key = NULL;
  if (type == T_TABLE || type == T_SCHEMA) {
    key = ds_cache_key(ctx->pool, project, type == T_TABLE ? "table" : "schema", c->path[0],
                       type == T_TABLE ? c->path[1] : NULL);
    ProtobufCMessage *hit = cache_get(ctx, key, version,
                                      type == T_TABLE ? &keboola__storage_driver__command__info__table_info__descriptor
                                                      : &keboola__storage_driver__command__info__schema_info__descriptor);
    if (hit && type == T_TABLE) {
      table_response(ctx, c->path, c->n_path, (TableInfo *)hit, resp);
      return 0;
    }
    if (hit) {
      schema_response(ctx, c, (SchemaInfo *)hit, resp);
      return 0;
    }
  }
  if ((rc = ds_session_open(ctx, NULL, NULL, 0, &s, err))) return rc;
  switch (type) {
  case T_DATABASE: rc = database_info(ctx, &s, c, resp, err); break;
  case T_SCHEMA:
    rc = schema_info(ctx, &s, c, resp, err);
    /* an answer with warnings (unreadable views) is not kept: the warnings must come again */
    if (!rc && ctx->n_messages == 0) cache_put(ctx, key, version, &((ObjectInfoResponse *)*resp)->schemainfo->base);
    break;
  case T_TABLE: {
    TableInfo *t;
    rc = table_info(ctx, &s, c->path[0], c->path[1], &t, err);
    if (!rc) {
      cache_put(ctx, key, version, &t->base);
      table_response(ctx, c->path, c->n_path, t, resp);
    }
    break;
  }
  default: rc = view_info(ctx, &s, c, resp, err); break;
  }
  ds_session_close(ctx, &s);
  return rc;
}

int ds_h_list_schemas(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  ds_session s;
  char **names;
  size_t n;
  (void)cmd;
  int rc = ds_session_open(ctx, NULL, NULL, 0, &s, err);
  if (!rc) rc = ds_meta_schema_list(ctx->pool, s.conn, s.project, &names, &n, err);
  ds_session_close(ctx, &s);
  if (rc) return rc;
  ListSchemasResponse *r = ds_pool_alloc(ctx->pool, sizeof *r);
  keboola__storage_driver__command__info__list_schemas_response__init(r);
  r->schemas = names;
  r->n_schemas = n;
  *resp = &r->base;
  return 0;
}
