/* auth.c: admin key file and key identification (see auth.h). */
#include "driver/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/log.h"
#include "core/mem.h"

#define ADMIN_KEY_LEN 48

struct ds_auth {
  char admin_hash[DS_SHA256_HEX_LEN + 1];
  ds_catalog *catalog;
  char admin_key[256];                    /* kept for S3 SigV4 (access key id "admin"), which needs the secret */
  unsigned char master[DS_SEAL_KEY_LEN]; /* DATA_DIR/secret.key: seals project keys for S3 */
};

/* Reads the first line of path into key (at most size-1 bytes). */
static int read_key_file(const char *path, char *key, size_t size, ds_error *err) {
  FILE *f = fopen(path, "re");
  if (!f) return ds_error_set(err, DS_E_INTERNAL, "Cannot read %s: %s.", path, strerror(errno));
  int rc = 0;
  if (!fgets(key, (int)size, f)) rc = ds_error_set(err, DS_E_INTERNAL, "%s is empty.", path);
  fclose(f);
  key[strcspn(key, "\r\n")] = '\0';
  if (!rc && !*key) rc = ds_error_set(err, DS_E_INTERNAL, "%s is empty.", path);
  return rc;
}

static int write_key_file(const char *path, char *key, ds_error *err) {
  if (ds_random_token(key, ADMIN_KEY_LEN)) return ds_error_set(err, DS_E_INTERNAL, "No random bytes for the admin key.");
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return ds_error_set(err, DS_E_INTERNAL, "Cannot create %s: %s.", path, strerror(errno));
  int rc = 0;
  char line[ADMIN_KEY_LEN + 2];
  int n = snprintf(line, sizeof line, "%s\n", key);
  if (write(fd, line, (size_t)n) != n || fsync(fd)) rc = ds_error_set(err, DS_E_INTERNAL, "Cannot write %s: %s.", path, strerror(errno));
  close(fd);
  if (rc) unlink(path);
  return rc;
}

/* Reads DATA_DIR/secret.key (32 random bytes), creating it (0600) when missing. */
static int load_master_key(const char *data_dir, unsigned char key[DS_SEAL_KEY_LEN], ds_error *err) {
  char path[PATH_MAX];
  int rc = 0;
  snprintf(path, sizeof path, "%s/secret.key", data_dir);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st;
    if (fstat(fd, &st) == 0 && (st.st_mode & 077))
      DS_LOG(DS_LOG_WARN, "auth", "%s is readable by others (mode %o); chmod 600 it", path, st.st_mode & 0777);
    if (read(fd, key, DS_SEAL_KEY_LEN) != DS_SEAL_KEY_LEN)
      rc = ds_error_set(err, DS_E_INTERNAL, "%s must hold %d bytes.", path, DS_SEAL_KEY_LEN);
    close(fd);
    return rc;
  }
  if (errno != ENOENT) return ds_error_set(err, DS_E_INTERNAL, "Cannot read %s: %s.", path, strerror(errno));
  if (ds_random_bytes(key, DS_SEAL_KEY_LEN)) return ds_error_set(err, DS_E_INTERNAL, "No random bytes for %s.", path);
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return ds_error_set(err, DS_E_INTERNAL, "Cannot create %s: %s.", path, strerror(errno));
  if (write(fd, key, DS_SEAL_KEY_LEN) != DS_SEAL_KEY_LEN || fsync(fd))
    rc = ds_error_set(err, DS_E_INTERNAL, "Cannot write %s: %s.", path, strerror(errno));
  close(fd);
  if (rc) unlink(path);
  else DS_LOG(DS_LOG_INFO, "auth", "generated the key that seals project keys into %s (mode 0600)", path);
  return rc;
}

int ds_auth_new(const char *data_dir, const char *env_key, ds_catalog *catalog, ds_auth **out, int *generated,
                ds_error *err) {
  char path[PATH_MAX], key[256];
  int rc = 0;
  *generated = 0;
  *out = NULL;
  if (env_key && *env_key) {
    snprintf(key, sizeof key, "%s", env_key);
  } else {
    snprintf(path, sizeof path, "%s/admin.key", data_dir);
    if (access(path, F_OK) == 0) {
      struct stat st;
      if (stat(path, &st) == 0 && (st.st_mode & 077))
        DS_LOG(DS_LOG_WARN, "auth", "%s is readable by others (mode %o); chmod 600 it", path, st.st_mode & 0777);
      rc = read_key_file(path, key, sizeof key, err);
    } else {
      rc = write_key_file(path, key, err);
      *generated = !rc;
    }
    if (rc) return rc;
  }
  ds_auth *a = ds_calloc(1, sizeof *a);
  ds_sha256_hex(key, strlen(key), a->admin_hash);
  snprintf(a->admin_key, sizeof a->admin_key, "%s", key);
  a->catalog = catalog;
  memset(key, 0, sizeof key);
  if ((rc = load_master_key(data_dir, a->master, err))) {
    ds_auth_free(a);
    return rc;
  }
  *out = a;
  return 0;
}

void ds_auth_free(ds_auth *a) {
  if (a) {
    memset(a->admin_hash, 0, sizeof a->admin_hash);
    memset(a->admin_key, 0, sizeof a->admin_key);
    memset(a->master, 0, sizeof a->master);
  }
  ds_free(a);
}

int ds_auth_identify(const ds_auth *a, const char *key, ds_identity *who, ds_error *err) {
  char hash[DS_SHA256_HEX_LEN + 1];
  memset(who, 0, sizeof *who);
  if (!key || !*key) return ds_error_set(err, DS_E_AUTH, "Authentication failed.");
  ds_sha256_hex(key, strlen(key), hash);
  if (ds_secure_equal(hash, a->admin_hash)) {
    who->is_admin = 1;
    return 0;
  }
  if (ds_catalog_key_project(a->catalog, hash, who->key_project, sizeof who->key_project))
    return ds_error_set(err, DS_E_AUTH, "Authentication failed.");
  return 0;
}

int ds_auth_new_project_key(char key[64], char hash[65], ds_error *err) {
  memcpy(key, "dsk_", 4);
  if (ds_random_token(key + 4, 48)) return ds_error_set(err, DS_E_INTERNAL, "No random bytes for a project key.");
  ds_sha256_hex(key, strlen(key), hash);
  return 0;
}

int ds_auth_seal_project_key(const char *data_dir, const char *project_id, const char *key, char *out, size_t size,
                             ds_error *err) {
  unsigned char master[DS_SEAL_KEY_LEN];
  int rc = load_master_key(data_dir, master, err);
  if (!rc && ds_seal(master, project_id, key, strlen(key), out, size))
    rc = ds_error_set(err, DS_E_INTERNAL, "Cannot seal the project key.");
  memset(master, 0, sizeof master);
  return rc;
}

int ds_auth_s3_secret(const ds_auth *a, const char *access_key_id, char *secret_out, size_t n, ds_error *err) {
  char sealed[512];
  ds_error ignored;
  if (strcmp(access_key_id, "admin") == 0) {
    if ((size_t)snprintf(secret_out, n, "%s", a->admin_key) >= n)
      return ds_error_set(err, DS_E_INTERNAL, "The admin key is too long for S3.");
    return 0;
  }
  if (ds_project_id_check(access_key_id, &ignored) || !ds_catalog_project_exists(a->catalog, access_key_id))
    return ds_error_set(err, DS_E_AUTH, "The AWS Access Key Id you provided does not exist in our records.");
  if (ds_catalog_key_sealed(a->catalog, access_key_id, sealed, sizeof sealed))
    return ds_error_set(err, DS_E_PERMISSION,
                        "The API key of project %s was made before S3 support (no sealed copy of it is stored), so it "
                        "cannot sign S3 requests; use the admin key (access key id \"admin\").",
                        access_key_id);
  if (ds_unseal(a->master, access_key_id, sealed, secret_out, n) < 0)
    return ds_error_set(err, DS_E_PERMISSION,
                        "The stored S3 secret of project %s cannot be opened with DATA_DIR/secret.key (was the file "
                        "replaced?).",
                        access_key_id);
  return 0;
}
