#ifndef SENSEGATE_CCRYPTO_SHIM_H
#define SENSEGATE_CCRYPTO_SHIM_H
/* The system's libcrypto (OpenSSL 3, already loaded through libmosquitto's TLS): HMAC-SHA-256
   for signed commands, and its constant-time comparison. Nothing here hashes by hand. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

/* One-shot HMAC-SHA-256 of `data` under `key` into 32 bytes at `out`; 1 on success. */
static inline int ccrypto_hmac_sha256(const void *key, int key_len, const unsigned char *data, size_t data_len,
                                      unsigned char *out) {
    static const unsigned char empty = 0;
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), key ? key : &empty, key_len, data ? data : &empty, data_len, out, &len) == NULL) return 0;
    return len == 32;
}

/* 1 when the n bytes at a and b are equal, in a time that does not depend on where they differ. */
static inline int ccrypto_equal(const void *a, const void *b, size_t n) { return CRYPTO_memcmp(a, b, n) == 0; }
#endif
