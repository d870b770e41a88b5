/* CryptoPro password KDF (cryptopro-format.md §3.2); see cpkdf.c. */
#ifndef KEYCARVE_CPKDF_H
#define KEYCARVE_CPKDF_H
#include <stddef.h>
#include <stdint.h>

enum cpkdf_hash { CPKDF_GOST94, CPKDF_STREEBOG256 };

/* KEK = CPKDF(pin4, salt) with the given hash; pin4 is the password already widened to 32-bit
 * units (§3.2 step 1), empty for the empty password (2 rounds instead of 2000).
 * Returns 0, or -1 when memory for the two message buffers cannot be had. */
int cpkdf(enum cpkdf_hash hash, const uint8_t *pin4, size_t pin4_len, const uint8_t *salt, size_t salt_len,
          uint8_t kek[32]);

#endif
