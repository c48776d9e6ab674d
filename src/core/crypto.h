/*
 * crypto.h: the few cryptographic helpers the service needs, on OpenSSL: random secrets, SHA-256 and
 * constant-time comparison. Thread safe.
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

#endif
