/* crypto.c: OpenSSL-backed helpers (see crypto.h). */
#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "core/err.h"

int ds_random_bytes(void *out, size_t n) { return RAND_bytes(out, (int)n) == 1 ? 0 : DS_E_INTERNAL; }

int ds_random_token(char *out, size_t n) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  size_t i = 0;
  unsigned char r[64];
  while (i < n) {
    if (ds_random_bytes(r, sizeof r)) return DS_E_INTERNAL;
    for (size_t j = 0; j < sizeof r && i < n; j++) {
      if (r[j] >= 248) continue; /* 248 = 4 * 62: reject to keep the choice uniform */
      out[i++] = alphabet[r[j] % 62];
    }
  }
  out[n] = '\0';
  return 0;
}

void ds_sha256_hex(const void *data, size_t n, char hex[DS_SHA256_HEX_LEN + 1]) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(data, n, md, &len, EVP_sha256(), NULL);
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  hex[64] = '\0';
}

int ds_secure_equal(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la != lb) return 0;
  return CRYPTO_memcmp(a, b, la) == 0;
}
