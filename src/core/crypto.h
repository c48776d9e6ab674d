/*
 * crypto.h: the few cryptographic helpers the service needs, on OpenSSL: random secrets, SHA-256 and
 * constant-time comparison; HMAC-SHA256, base64, AES-256-GCM sealing and streaming digests (for the S3 API).
 * Thread safe.
 */
#ifndef DS_CRYPTO_H
#define DS_CRYPTO_H

#include <stddef.h>

#define DS_SHA256_HEX_LEN 64

/* Fills out with n cryptographically random bytes; returns 0 or DS_E_INTERNAL. */
int ds_random_bytes(void *out, size_t n);
/* Writes a random string of n characters from [A-Za-z0-9] plus NUL into out (n+1 bytes). */
int ds_random_token(char *out, size_t n);
/* Writes the lower-case hex SHA-256 of data (65 bytes with the NUL) into hex. */
void ds_sha256_hex(const void *data, size_t n, char hex[DS_SHA256_HEX_LEN + 1]);
/* 1 when a and b are equal, compared in time that depends only on their lengths. */
int ds_secure_equal(const char *a, const char *b);


/* ---- additions for the S3-compatible API (SigV4) and sealed secrets ---------------------------------- */

#define DS_SEAL_KEY_LEN 32 /* AES-256 */

/* Lower-case hex of n bytes into hex (2n+1 bytes with the NUL). */
void ds_hex(const void *data, size_t n, char *hex);
/* HMAC-SHA256 of data under key into out (32 bytes). */
void ds_hmac_sha256(const void *key, size_t key_len, const void *data, size_t n, unsigned char out[32]);
/* 1 when the n bytes at a and b are equal, in time that depends only on n. */
int ds_secure_equal_n(const void *a, const void *b, size_t n);

/* Standard base64 (with padding) of n bytes into out (4*ceil(n/3)+1 bytes with the NUL). Returns the length. */
size_t ds_base64_encode(const void *data, size_t n, char *out, size_t out_size);
/* Decodes standard base64 into out; returns the decoded length or -1 when the text is not base64 or does not
 * fit into out_size bytes. */
long ds_base64_decode(const char *text, void *out, size_t out_size);

/* Seals plain with AES-256-GCM under key: out receives base64(nonce(12) | ciphertext | tag(16)) as text.
 * aad (may be NULL) is authenticated but not stored: the same aad must be given to ds_unseal. Returns 0, or
 * DS_E_INTERNAL (no random bytes, OpenSSL failure) or DS_E_TOO_BIG (out_size too small). */
int ds_seal(const unsigned char key[DS_SEAL_KEY_LEN], const char *aad, const void *plain, size_t n, char *out,
            size_t out_size);
/* Opens what ds_seal made; the plain text plus a NUL goes into out. Returns the plain length, or -1 when the
 * text is malformed, the key or aad differ, or it was changed (tag mismatch), or out is too small. */
long ds_unseal(const unsigned char key[DS_SEAL_KEY_LEN], const char *aad, const char *sealed, char *out,
               size_t out_size);

/* A streaming digest (MD5 or SHA-256) for bodies that never sit in memory as a whole. */
typedef struct ds_digest ds_digest;
typedef enum ds_digest_kind { DS_DIGEST_MD5, DS_DIGEST_SHA256 } ds_digest_kind;
ds_digest *ds_digest_new(ds_digest_kind kind);
void ds_digest_update(ds_digest *d, const void *data, size_t n);
/* Writes the digest into out (16 bytes for MD5, 32 for SHA-256) and resets d for a new message. Returns the
 * length. */
size_t ds_digest_final(ds_digest *d, unsigned char *out);
/* NULL is ok. */
void ds_digest_free(ds_digest *d);

#endif
