/*
 * auth.h: who is calling (driver-contract.md §3).
 *
 * The admin key comes from ADMIN_API_KEY or from DATA_DIR/admin.key, which the first start creates (0600).
 * Project keys are looked up by their SHA-256 in the catalog's in-memory index, never by a prefix; the
 * admin key is compared by hash, in constant time. Thread safe after ds_auth_new.
 */
#ifndef DS_AUTH_H
#define DS_AUTH_H

#include "catalog/catalog.h"
#include "core/err.h"
#include "core/names.h"

typedef struct ds_auth ds_auth;

typedef struct ds_identity {
  int is_admin;
  char key_project[DS_PROJECT_ID_MAX + 1]; /* the key's project; "" for the admin */
} ds_identity;

/* Uses env_key when it is not NULL/empty; otherwise reads DATA_DIR/admin.key, creating it with a new random
 * key when missing. *generated tells whether a new key was written. */
int ds_auth_new(const char *data_dir, const char *env_key, ds_catalog *catalog, ds_auth **out, int *generated,
                ds_error *err);
void ds_auth_free(ds_auth *a);

/* Identifies the holder of key. An empty, unknown, revoked or expired key is DS_E_AUTH
 * "Authentication failed.". */
int ds_auth_identify(const ds_auth *a, const char *key, ds_identity *who, ds_error *err);

/* A new project API key (prefix "dsk_" and 48 random characters) and its SHA-256 hex. */
int ds_auth_new_project_key(char key[64], char hash[65], ds_error *err);

/* S3 (SigV4) needs the secret itself, which is never stored in clear: CreateProject seals the new key with
 * AES-256-GCM under DATA_DIR/secret.key (32 random bytes, created 0600 at first start), bound to the project id,
 * and the catalog stores the result. */

/* Seals key for project_id into out (base64 text, about 110 bytes for a project key). Reads DATA_DIR/secret.key. */
int ds_auth_seal_project_key(const char *data_dir, const char *project_id, const char *key, char *out, size_t size,
                             ds_error *err);
/* The SigV4 secret of an access key id: "admin" → the admin key; a project id → that project's key, opened from
 * its sealed copy. DS_E_AUTH for an unknown access key id; DS_E_PERMISSION (with the reason) for a project whose
 * key has no sealed copy (made before S3 support) or whose copy does not open. */
int ds_auth_s3_secret(const ds_auth *a, const char *access_key_id, char *secret_out, size_t n, ds_error *err);

#endif
