/* list.c: ListObjects by a sorted depth-first walk of the bucket's directory (see list.h). */
#include "s3/list.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "s3/objects.h"
#include "s3/s3err.h"
#include "s3/store.h"

#define MAX_DEPTH 512

struct walk {
  const char *data_dir, *project;
  const ds_s3list_opts *o;
  ds_s3list_result *r;
  char skip[DS_OBJECT_KEY_MAX + 2]; /* the last common prefix: keys below it are done */
  int done;
  ds_error *err;
};

struct dent {
  char *sort; /* name, plus '/' for a directory */
  int is_dir;
};

static int cmp_dent(const void *a, const void *b) { return strcmp(((const struct dent *)a)->sort, ((const struct dent *)b)->sort); }

static int starts(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

static void add(struct walk *w, const char *key, int is_prefix, const struct stat *st, const char *etag) {
  ds_s3list_result *r = w->r;
  if (r->n == w->o->max_keys) {
    r->truncated = 1;
    w->done = 1;
    return;
  }
  if (r->n == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 64;
    r->entries = ds_realloc(r->entries, (size_t)r->cap * sizeof *r->entries);
  }
  ds_s3list_entry *e = &r->entries[r->n++];
  memset(e, 0, sizeof *e);
  e->key = ds_strdup(key);
  e->is_prefix = is_prefix;
  if (st) {
    e->size = (unsigned long long)st->st_size;
    e->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
  }
  if (etag) snprintf(e->etag, sizeof e->etag, "%s", etag);
}

static void visit_file(struct walk *w, const char *key) {
  const ds_s3list_opts *o = w->o;
  ds_error kerr;
  if (!starts(key, o->prefix) || (*o->marker && strcmp(key, o->marker) <= 0)) return;
  if (*w->skip && starts(key, w->skip)) return;
  if (ds_objects_key_check(key, 0, &kerr)) return; /* a file no key can name */
  if (*o->delimiter) {
    const char *d = strstr(key + strlen(o->prefix), o->delimiter);
    if (d) {
      size_t n = (size_t)(d - key) + strlen(o->delimiter);
      char cp[DS_OBJECT_KEY_MAX + 2];
      if (n >= sizeof cp) return;
      memcpy(cp, key, n);
      cp[n] = '\0';
      memcpy(w->skip, cp, n + 1);
      if (*o->marker && strcmp(cp, o->marker) <= 0) return; /* listed on an earlier page */
      add(w, cp, 1, NULL, NULL);
      return;
    }
  }
  int fd = -1;
  ds_s3meta m;
  if (ds_s3store_open(w->data_dir, w->project, key, &fd, &m, &kerr)) return; /* gone meanwhile */
  struct stat st;
  if (!fstat(fd, &st)) add(w, key, 0, &st, m.etag);
  close(fd);
  ds_s3meta_release(&m);
}

static int walk_dir(struct walk *w, const char *fs, const char *rel, int depth) {
  const ds_s3list_opts *o = w->o;
  struct dent *ents = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  if (depth > MAX_DEPTH) return 0;
  DIR *d = opendir(fs);
  if (!d) return errno == ENOENT || errno == ENOTDIR ? 0 : ds_s3_fail(w->err, DS_S3E_INTERNAL, "Cannot list: %s.", strerror(errno));
  struct dirent *de;
  while ((de = readdir(d))) {
    const char *name = de->d_name;
    if (!strcmp(name, ".") || !strcmp(name, "..") || starts(name, DS_S3_TMP_PREFIX)) continue;
    if (depth == 0 && starts(name, ".ds")) continue;
    int is_dir = de->d_type == DT_DIR;
    if (de->d_type == DT_UNKNOWN) {
      struct stat st;
      char p[PATH_MAX];
      snprintf(p, sizeof p, "%s/%s", fs, name);
      if (lstat(p, &st)) continue;
      is_dir = S_ISDIR(st.st_mode);
      if (!is_dir && !S_ISREG(st.st_mode)) continue;
    } else if (!is_dir && de->d_type != DT_REG) {
      continue;
    }
    if (n == cap) {
      cap = cap ? cap * 2 : 32;
      ents = ds_realloc(ents, cap * sizeof *ents);
    }
    ents[n].sort = ds_asprintf("%s%s", name, is_dir ? "/" : "");
    ents[n].is_dir = is_dir;
    n++;
  }
  closedir(d);
  if (n) qsort(ents, n, sizeof *ents, cmp_dent);
  for (size_t i = 0; i < n && !w->done && !rc; i++) {
    char full[DS_OBJECT_KEY_MAX + 2], child[PATH_MAX];
    if ((size_t)snprintf(full, sizeof full, "%s%s", rel, ents[i].sort) >= sizeof full) continue;
    if (!ents[i].is_dir) {
      visit_file(w, full);
      continue;
    }
    /* a directory holds keys starting with full: skip it when none of them can match */
    if (!starts(full, o->prefix) && !starts(o->prefix, full)) continue;
    if (*o->marker && strcmp(full, o->marker) < 0 && !starts(o->marker, full)) continue;
    if (*w->skip && starts(full, w->skip)) continue;
    size_t fl = strlen(ents[i].sort);
    snprintf(child, sizeof child, "%s/%.*s", fs, (int)(fl - 1), ents[i].sort);
    rc = walk_dir(w, child, full, depth + 1);
  }
  for (size_t i = 0; i < n; i++) ds_free(ents[i].sort);
  ds_free(ents);
  return rc;
}

int ds_s3list_run(const char *data_dir, const char *project, const ds_s3list_opts *o, ds_s3list_result *r,
                  ds_error *err) {
  char root[PATH_MAX], start[PATH_MAX], rel[DS_OBJECT_KEY_MAX + 2];
  ds_error kerr;
  memset(r, 0, sizeof *r);
  if (ds_objects_root(data_dir, project, root, sizeof root, &kerr))
    return ds_s3_fail(err, DS_S3E_NO_SUCH_BUCKET, "%s", kerr.msg);
  if (o->max_keys <= 0) return 0;
  struct walk w = {data_dir, project, o, r, "", 0, err};
  /* start at the deepest directory the prefix names; a prefix no valid key can have lists nothing */
  const char *slash = strrchr(o->prefix, '/');
  size_t dl = slash ? (size_t)(slash - o->prefix) + 1 : 0;
  if (dl >= sizeof rel) return 0;
  memcpy(rel, o->prefix, dl);
  rel[dl] = '\0';
  if (dl && ds_objects_key_check(rel, 1, &kerr)) return 0;
  if ((size_t)snprintf(start, sizeof start, "%s%s%.*s", root, dl ? "/" : "", dl ? (int)dl - 1 : 0, rel) >= sizeof start)
    return 0;
  return walk_dir(&w, start, rel, dl ? 1 : 0);
}

void ds_s3list_result_release(ds_s3list_result *r) {
  for (int i = 0; i < r->n; i++) ds_free(r->entries[i].key);
  ds_free(r->entries);
  memset(r, 0, sizeof *r);
}
