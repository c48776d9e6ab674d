/* crypto.c: OpenSSL-backed helpers (see crypto.h): random, SHA-256, HMAC, base64, AES-256-GCM sealing, digests. */
#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
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

/* ---- additions for the S3-compatible API (SigV4) and sealed secrets ---------------------------------- */

#define SEAL_NONCE 12
#define SEAL_TAG 16
#define SEAL_MAX_PLAIN 1024

void ds_hex(const void *data, size_t n, char *hex) {
  static const char digits[] = "0123456789abcdef";
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++) {
    hex[2 * i] = digits[p[i] >> 4];
    hex[2 * i + 1] = digits[p[i] & 15];
  }
  hex[2 * n] = '\0';
}

void ds_hmac_sha256(const void *key, size_t key_len, const void *data, size_t n, unsigned char out[32]) {
  unsigned int len = 32;
  HMAC(EVP_sha256(), key, (int)key_len, data, n, out, &len);
}

int ds_secure_equal_n(const void *a, const void *b, size_t n) { return CRYPTO_memcmp(a, b, n) == 0; }

size_t ds_base64_encode(const void *data, size_t n, char *out, size_t out_size) {
  size_t need = 4 * ((n + 2) / 3) + 1;
  if (out_size < need) {
    if (out_size) out[0] = '\0';
    return 0;
  }
  return (size_t)EVP_EncodeBlock((unsigned char *)out, data, (int)n);
}

long ds_base64_decode(const char *text, void *out, size_t out_size) {
  size_t n = strlen(text);
  if (n % 4) return -1;
  size_t pad = (n && text[n - 1] == '=') + (n > 1 && text[n - 2] == '=');
  size_t want = n / 4 * 3 - pad;
  if (want > out_size || n > (size_t)1 << 20) return -1;
  unsigned char *tmp = OPENSSL_malloc(n / 4 * 3 + 1);
  int got = EVP_DecodeBlock(tmp, (const unsigned char *)text, (int)n);
  long rc = -1;
  if (got >= 0 && (size_t)got == n / 4 * 3) {
    memcpy(out, tmp, want);
    rc = (long)want;
  }
  OPENSSL_clear_free(tmp, n / 4 * 3 + 1);
  return rc;
}

int ds_seal(const unsigned char key[DS_SEAL_KEY_LEN], const char *aad, const void *plain, size_t n, char *out,
            size_t out_size) {
  unsigned char buf[SEAL_NONCE + SEAL_MAX_PLAIN + SEAL_TAG];
  int len = 0, rc = DS_E_INTERNAL;
  EVP_CIPHER_CTX *c = NULL;
  if (n > SEAL_MAX_PLAIN || out_size < 4 * ((SEAL_NONCE + n + SEAL_TAG + 2) / 3) + 1) return DS_E_TOO_BIG;
  if (ds_random_bytes(buf, SEAL_NONCE)) goto out;
  c = EVP_CIPHER_CTX_new();
  if (!c || EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, buf) != 1) goto out;
  if (aad && *aad && EVP_EncryptUpdate(c, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) != 1) goto out;
  if (EVP_EncryptUpdate(c, buf + SEAL_NONCE, &len, plain, (int)n) != 1) goto out;
  if (EVP_EncryptFinal_ex(c, buf + SEAL_NONCE + len, &len) != 1) goto out;
  if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SEAL_TAG, buf + SEAL_NONCE + n) != 1) goto out;
  ds_base64_encode(buf, SEAL_NONCE + n + SEAL_TAG, out, out_size);
  rc = 0;
out:
  EVP_CIPHER_CTX_free(c);
  OPENSSL_cleanse(buf, sizeof buf);
  return rc;
}

long ds_unseal(const unsigned char key[DS_SEAL_KEY_LEN], const char *aad, const char *sealed, char *out,
               size_t out_size) {
  unsigned char buf[SEAL_NONCE + SEAL_MAX_PLAIN + SEAL_TAG];
  long rc = -1;
  int len = 0;
  EVP_CIPHER_CTX *c = NULL;
  long total = ds_base64_decode(sealed, buf, sizeof buf);
  if (total < SEAL_NONCE + SEAL_TAG) goto out;
  size_t n = (size_t)total - SEAL_NONCE - SEAL_TAG;
  if (n + 1 > out_size) goto out;
  c = EVP_CIPHER_CTX_new();
  if (!c || EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, buf) != 1) goto out;
  if (aad && *aad && EVP_DecryptUpdate(c, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) != 1) goto out;
  if (EVP_DecryptUpdate(c, (unsigned char *)out, &len, buf + SEAL_NONCE, (int)n) != 1) goto out;
  if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, SEAL_TAG, buf + SEAL_NONCE + n) != 1) goto out;
  if (EVP_DecryptFinal_ex(c, (unsigned char *)out + len, &len) != 1) {
    OPENSSL_cleanse(out, n);
    goto out;
  }
  out[n] = '\0';
  rc = (long)n;
out:
  EVP_CIPHER_CTX_free(c);
  OPENSSL_cleanse(buf, sizeof buf);
  return rc;
}

struct ds_digest {
  EVP_MD_CTX *ctx;
  const EVP_MD *md;
};

ds_digest *ds_digest_new(ds_digest_kind kind) {
  ds_digest *d = OPENSSL_zalloc(sizeof *d);
  if (!d) abort(); /* small allocation: the out-of-memory policy of mem.h */
  d->md = kind == DS_DIGEST_MD5 ? EVP_md5() : EVP_sha256();
  d->ctx = EVP_MD_CTX_new();
  if (!d->ctx || EVP_DigestInit_ex(d->ctx, d->md, NULL) != 1) abort();
  return d;
}

void ds_digest_update(ds_digest *d, const void *data, size_t n) {
  if (n) EVP_DigestUpdate(d->ctx, data, n);
}

size_t ds_digest_final(ds_digest *d, unsigned char *out) {
  unsigned int len = 0;
  EVP_DigestFinal_ex(d->ctx, out, &len);
  EVP_DigestInit_ex(d->ctx, d->md, NULL);
  return len;
}

void ds_digest_free(ds_digest *d) {
  if (!d) return;
  EVP_MD_CTX_free(d->ctx);
  OPENSSL_free(d);
}
