/*
 * config.h: every setting of `duckstore serve`, in one table (c-style-anchors practice 15).
 *
 * Each setting has a flag (--data-dir) and an environment variable (DATA_DIR); a flag beats its variable,
 * and the variable beats the default. `duckstore serve --help` prints the table. The admin key is taken
 * only from ADMIN_API_KEY (a flag would show it in `ps`). Filled once at start, read-only afterwards.
 */
#ifndef DS_CONFIG_H
#define DS_CONFIG_H

#include <stdio.h>

#include "core/err.h"

typedef struct ds_config {
  char *data_dir;
  char *grpc_host;
  int grpc_port;
  char *rest_host;
  int rest_port;
  char *tls_cert;
  char *tls_key;
  char *log_level;
  int grpc_threads;
  int rest_threads;
  int command_threads;
  int shutdown_grace;
  char *duckdb_memory_limit;
  int duckdb_threads;
  int max_attached_projects;
  char *s3_endpoint;  /* remote S3 for import/export; NULL or "" = AWS (https://s3.<region>.amazonaws.com) */
  char *abs_endpoint; /* Azure Blob Storage base URL; NULL or "" = https://<account>.blob.core.windows.net */
  char *admin_key; /* ADMIN_API_KEY, or NULL: then DATA_DIR/admin.key is used (and created) */
} ds_config;

/* Fills cfg from argv (the arguments after "serve"), the environment and the defaults.
 * Returns 0, or DS_E_VALIDATION with the reason in err. Sets *want_help when --help was given. */
int ds_config_load(ds_config *cfg, int argc, char **argv, int *want_help, ds_error *err);
void ds_config_release(ds_config *cfg);
/* Prints every setting with its flag, variable, default and meaning. */
void ds_config_usage(FILE *out);

#endif
