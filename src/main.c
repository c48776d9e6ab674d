/*
 * main.c: `duckstore serve` wires the modules together and waits for a signal; `duckstore version` prints
 * the versions. Nothing else lives here.
 */
#include <grpc/grpc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/config.h"
#include "core/log.h"
#include "driver/auth.h"
#include "driver/driver.h"
#include "grpc/server.h"
#include "http/rest.h"
#include "remote/remote.h"
#include "s3/s3.h"
#include "store/store.h"
#include "table/cache.h"
#include "table/meta.h"

static void usage(FILE *out) {
  fprintf(out, "duckstore %s: a Keboola storage backend on DuckDB\n\n"
               "usage:\n"
               "  duckstore serve [options]   run the service (gRPC, REST); see `duckstore serve --help`\n"
               "  duckstore version           print the versions\n",
          DS_VERSION);
}

static int serve(int argc, char **argv) {
  ds_config cfg;
  ds_error err;
  ds_store *store = NULL;
  ds_catalog *catalog = NULL;
  ds_auth *auth = NULL;
  ds_driver *driver = NULL;
  ds_grpc *grpc = NULL;
  ds_rest *rest = NULL;
  ds_s3 *s3 = NULL;
  int help = 0, generated = 0, grpc_port = 0, rest_port = 0, rc;
  sigset_t sigs;

  if ((rc = ds_config_load(&cfg, argc, argv, &help, &err))) {
    fprintf(stderr, "duckstore: %s\n", err.msg);
    return 2;
  }
  if (help) {
    ds_config_usage(stdout);
    ds_config_release(&cfg);
    return 0;
  }
  int level = ds_log_level_parse(cfg.log_level);
  if (level < 0) {
    fprintf(stderr, "duckstore: --log-level \"%s\" is not one of error, warn, info, debug\n", cfg.log_level);
    ds_config_release(&cfg);
    return 2;
  }
  ds_log_set_level((ds_log_level)level);

  /* Signals are taken by sigwait in this thread only; every thread started from here on (DuckDB's, gRPC's,
   * libmicrohttpd's) inherits the blocked mask. */
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);
  grpc_init();

  ds_store_opts so = {cfg.data_dir, cfg.duckdb_memory_limit, cfg.duckdb_threads, cfg.max_attached_projects, ds_meta_on_attach};
  ds_cache_init();
  if ((rc = ds_remote_init(cfg.s3_endpoint, cfg.abs_endpoint, &err))) goto out;
  if ((rc = ds_store_open(&so, &store, &err))) goto out;
  if ((rc = ds_catalog_open(store, &catalog, &err))) goto out;
  if ((rc = ds_auth_new(ds_store_data_dir(store), cfg.admin_key, catalog, &auth, &generated, &err))) goto out;
  if (generated)
    DS_LOG(DS_LOG_INFO, "main", "generated an admin key into %s/admin.key (mode 0600)", ds_store_data_dir(store));
  else if (!cfg.admin_key)
    DS_LOG(DS_LOG_INFO, "main", "using the admin key in %s/admin.key", ds_store_data_dir(store));
  driver = ds_driver_new(catalog, store, auth);

  ds_grpc_opts go = {cfg.grpc_host, cfg.grpc_port, cfg.grpc_threads, cfg.command_threads, cfg.tls_cert, cfg.tls_key};
  if ((rc = ds_grpc_start(&go, driver, &grpc, &grpc_port, &err))) goto out;
  DS_LOG(DS_LOG_INFO, "grpc", "listening on %s:%d (%s)", cfg.grpc_host, grpc_port, cfg.tls_cert ? "TLS" : "plaintext");
  s3 = ds_s3_new(ds_store_data_dir(store), auth, catalog);
  ds_rest_opts ro = {cfg.rest_host, cfg.rest_port, cfg.rest_threads, s3};
  if ((rc = ds_rest_start(&ro, driver, &rest, &rest_port, &err))) goto out;
  DS_LOG(DS_LOG_INFO, "rest", "listening on %s:%d", cfg.rest_host, rest_port);
  /* written at every log level: scripts and tests wait for this line to learn the bound ports */
  ds_log_write(DS_LOG_INFO, "main", "ready grpc=%s:%d rest=%s:%d data=%s duckdb=%s projects=%zu", cfg.grpc_host,
               grpc_port, cfg.rest_host, rest_port, ds_store_data_dir(store), ds_store_duckdb_version(),
               ds_catalog_project_count(catalog));

  int sig = 0;
  sigwait(&sigs, &sig);
  DS_LOG(DS_LOG_INFO, "main", "%s received: stopping (grace %d s)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
         cfg.shutdown_grace);

out:
  if (rc) DS_LOG(DS_LOG_ERROR, "main", "%s", err.msg);
  ds_grpc_stop(grpc, cfg.shutdown_grace);
  ds_rest_stop(rest);
  ds_s3_free(s3);
  ds_driver_free(driver);
  ds_auth_free(auth);
  ds_catalog_close(catalog);
  ds_store_close(store);
  ds_cache_shutdown();
  ds_remote_cleanup();
  grpc_shutdown();
  if (!rc) DS_LOG(DS_LOG_INFO, "main", "stopped cleanly");
  ds_config_release(&cfg);
  return rc ? 1 : 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "serve") == 0) return serve(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "version") == 0) {
    printf("duckstore %s (DuckDB %s, gRPC %s)\n", DS_VERSION, ds_store_duckdb_version(), grpc_version_string());
    return 0;
  }
  if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)) {
    usage(stdout);
    return 0;
  }
  usage(stderr);
  return 2;
}
