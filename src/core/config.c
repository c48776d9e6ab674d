/* config.c: the settings table and its parser (see config.h). */
#include "core/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

enum kind { STR, INT };

struct setting {
  const char *flag; /* without the leading "--" */
  const char *env;
  enum kind kind;
  size_t offset;
  const char *def; /* NULL: unset */
  long min, max;   /* INT only */
  const char *help;
};

#define OFF(f) offsetof(ds_config, f)

static const struct setting settings[] = {
    {"data-dir", "DATA_DIR", STR, OFF(data_dir), "./data", 0, 0,
     "Directory that holds everything the service keeps (catalog, project databases, files, admin key)."},
    {"grpc-host", "GRPC_HOST", STR, OFF(grpc_host), "0.0.0.0", 0, 0, "Address the gRPC listener binds."},
    {"grpc-port", "GRPC_PORT", INT, OFF(grpc_port), "50051", 0, 65535, "gRPC port; 0 binds an ephemeral port."},
    {"rest-host", "REST_HOST", STR, OFF(rest_host), "0.0.0.0", 0, 0, "Address the REST listener binds."},
    {"rest-port", "REST_PORT", INT, OFF(rest_port), "8000", 0, 65535, "REST port; 0 binds an ephemeral port."},
    {"tls-cert", "TLS_CERT", STR, OFF(tls_cert), NULL, 0, 0,
     "PEM certificate chain; with --tls-key the gRPC listener speaks TLS instead of plaintext."},
    {"tls-key", "TLS_KEY", STR, OFF(tls_key), NULL, 0, 0, "PEM private key for --tls-cert."},
    {"log-level", "LOG_LEVEL", STR, OFF(log_level), "info", 0, 0, "error, warn, info (one line per call) or debug."},
    {"grpc-threads", "GRPC_THREADS", INT, OFF(grpc_threads), "2", 1, 256,
     "gRPC worker threads, each with its own completion queue (measured best: one per core)."},
    {"rest-threads", "REST_THREADS", INT, OFF(rest_threads), "4", 1, 256, "REST worker threads."},
    {"command-threads", "COMMAND_THREADS", INT, OFF(command_threads), "8", 0, 256,
     "Threads that run long gRPC commands (imports, exports, previews, deletes, profiles) so they never hold a gRPC "
     "worker; 0 runs them on the workers."},
    {"shutdown-grace", "SHUTDOWN_GRACE", INT, OFF(shutdown_grace), "30", 0, 3600,
     "Seconds in-flight calls may take to finish after SIGTERM before they are cancelled."},
    {"duckdb-memory-limit", "DUCKDB_MEMORY_LIMIT", STR, OFF(duckdb_memory_limit), NULL, 0, 0,
     "DuckDB memory_limit (e.g. 4GB); unset: DuckDB's default, 80% of RAM."},
    {"duckdb-threads", "DUCKDB_THREADS", INT, OFF(duckdb_threads), "0", 0, 1024,
     "DuckDB worker threads; 0: DuckDB's default (one per core)."},
    {"max-attached-projects", "MAX_ATTACHED_PROJECTS", INT, OFF(max_attached_projects), "64", 1, 100000,
     "Project databases kept attached when idle; older idle ones are detached to free memory."},
    {"s3-endpoint", "S3_ENDPOINT", STR, OFF(s3_endpoint), NULL, 0, 0,
     "S3 endpoint for imports/exports with a remote bucket (path-style <endpoint>/<bucket>/<key>); unset or "
     "empty: AWS, https://s3.<region>.amazonaws.com."},
    {"abs-endpoint", "ABS_ENDPOINT", STR, OFF(abs_endpoint), NULL, 0, 0,
     "Azure Blob Storage base URL for ABS imports/exports (\"{account}\" is replaced by the account name); "
     "unset or empty: https://<account>.blob.core.windows.net."},
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

static int assign(ds_config *cfg, const struct setting *s, const char *value, const char *origin, ds_error *err) {
  char *base = (char *)cfg;
  if (s->kind == STR) {
    char **slot = (char **)(base + s->offset);
    ds_free(*slot);
    *slot = ds_strdup(value);
    return 0;
  }
  errno = 0;
  char *end = NULL;
  long v = strtol(value, &end, 10);
  if (errno || !*value || *end || v < s->min || v > s->max)
    return ds_error_set(err, DS_E_VALIDATION, "%s: \"%s\" is not a whole number from %ld to %ld.", origin, value,
                        s->min, s->max);
  *(int *)(base + s->offset) = (int)v;
  return 0;
}

int ds_config_load(ds_config *cfg, int argc, char **argv, int *want_help, ds_error *err) {
  int rc = 0;
  memset(cfg, 0, sizeof *cfg);
  *want_help = 0;
  for (size_t i = 0; i < NSETTINGS; i++) {
    const char *v = getenv(settings[i].env);
    const char *origin = settings[i].env;
    if (!v || !*v) {
      v = settings[i].def;
      origin = "default";
    }
    if (v && (rc = assign(cfg, &settings[i], v, origin, err))) goto out;
  }
  for (int a = 0; a < argc; a++) {
    const char *arg = argv[a];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      *want_help = 1;
      continue;
    }
    if (strncmp(arg, "--", 2) != 0) {
      rc = ds_error_set(err, DS_E_VALIDATION, "unexpected argument \"%s\" (see --help)", arg);
      goto out;
    }
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
    const struct setting *s = NULL;
    for (size_t i = 0; i < NSETTINGS; i++)
      if (strlen(settings[i].flag) == nlen && strncmp(settings[i].flag, name, nlen) == 0) s = &settings[i];
    if (!s) {
      rc = ds_error_set(err, DS_E_VALIDATION, "unknown option \"%s\" (see --help)", arg);
      goto out;
    }
    const char *value = eq ? eq + 1 : (a + 1 < argc ? argv[++a] : NULL);
    if (!value) {
      rc = ds_error_set(err, DS_E_VALIDATION, "option --%s needs a value", s->flag);
      goto out;
    }
    if ((rc = assign(cfg, s, value, arg, err))) goto out;
  }
  const char *key = getenv("ADMIN_API_KEY");
  if (key && *key) cfg->admin_key = ds_strdup(key);
  if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
    rc = ds_error_set(err, DS_E_VALIDATION, "--tls-cert and --tls-key must be given together");
    goto out;
  }
out:
  if (rc) ds_config_release(cfg);
  return rc;
}

void ds_config_release(ds_config *cfg) {
  for (size_t i = 0; i < NSETTINGS; i++)
    if (settings[i].kind == STR) {
      char **slot = (char **)((char *)cfg + settings[i].offset);
      ds_free(*slot);
      *slot = NULL;
    }
  ds_free(cfg->admin_key);
  cfg->admin_key = NULL;
}

void ds_config_usage(FILE *out) {
  fprintf(out, "usage: duckstore serve [--option value ...]\n\n"
               "Every option can also be set by its environment variable; a flag beats its variable.\n\n");
  for (size_t i = 0; i < NSETTINGS; i++) {
    const struct setting *s = &settings[i];
    fprintf(out, "  --%-22s %-22s default: %s\n      %s\n", s->flag, s->env, s->def ? s->def : "(unset)", s->help);
  }
  fprintf(out, "\n  %-24s %-22s default: (unset)\n      %s\n", "(no flag)", "ADMIN_API_KEY",
          "Admin key. Unset: the first start generates one into DATA_DIR/admin.key (mode 0600) and later starts "
          "reuse it.");
}
