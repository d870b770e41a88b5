/* keycarve native helpers: the two block-device ioctls Node lacks, page-aligned memory for
 * O_DIRECT, and the CryptoPro password KDF (cpkdf.c) for password search. Reads themselves go
 * through Node's fs.read (libuv thread pool) into these buffers, so a stalled device never blocks
 * the event loop. Plain Node-API, no C++ wrapper. */
#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <node_api.h>

#include "cpkdf.h"

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "keycarve native: " #call " failed"); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

/* Throws an Error whose .code is the errno name Node uses (EBADF, ENOTTY, ...). */
static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  const char *code = err == EBADF ? "EBADF" : err == ENOTTY ? "ENOTTY" : err == EINVAL ? "EINVAL"
                   : err == ENOMEM ? "ENOMEM" : "EIO";
  napi_throw_error(env, code, msg);
  return NULL;
}

static int arg_fd(napi_env env, napi_callback_info info, napi_value *argv, size_t want) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) return -1;
  int32_t fd = -1;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok) return -1;
  return fd;
}

/* deviceSize(fd): bytes, via BLKGETSIZE64. */
static napi_value device_size(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd = arg_fd(env, info, argv, 1);
  if (fd < 0) return throw_errno(env, "deviceSize", EBADF);
  uint64_t size = 0;
  if (ioctl(fd, BLKGETSIZE64, &size) != 0) return throw_errno(env, "BLKGETSIZE64", errno);
  napi_value out;
  CHECK(napi_create_double(env, (double)size, &out)); /* exact below 2^53 bytes */
  return out;
}

/* sectorSize(fd): logical sector size, via BLKSSZGET. */
static napi_value sector_size(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd = arg_fd(env, info, argv, 1);
  if (fd < 0) return throw_errno(env, "sectorSize", EBADF);
  int ssz = 0;
  if (ioctl(fd, BLKSSZGET, &ssz) != 0) return throw_errno(env, "BLKSSZGET", errno);
  napi_value out;
  CHECK(napi_create_int32(env, ssz, &out));
  return out;
}

static void free_aligned(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

/* alignedBuffer(size, align): ArrayBuffer over posix_memalign memory, freed by the GC. */
static napi_value aligned_buffer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  double size_d = 0;
  int32_t align = 4096;
  if (argc < 1 || napi_get_value_double(env, argv[0], &size_d) != napi_ok || size_d < 1 ||
      size_d > (double)(1u << 30))
    return throw_errno(env, "alignedBuffer size", EINVAL);
  if (argc >= 2 && napi_get_value_int32(env, argv[1], &align) != napi_ok)
    return throw_errno(env, "alignedBuffer align", EINVAL);
  if (align < (int32_t)sizeof(void *) || (align & (align - 1)) != 0)
    return throw_errno(env, "alignedBuffer align", EINVAL);
  size_t size = (size_t)size_d;
  void *mem = NULL;
  int err = posix_memalign(&mem, (size_t)align, size);
  if (err != 0) return throw_errno(env, "posix_memalign", err);
  memset(mem, 0, size);
  napi_value out;
  if (napi_create_external_arraybuffer(env, mem, size, free_aligned, NULL, &out) != napi_ok) {
    free(mem);
    napi_throw_error(env, NULL, "keycarve native: external ArrayBuffer not supported");
    return NULL;
  }
  return out;
}

/* Bytes of a Uint8Array (Buffer included) argument, or NULL after throwing a TypeError. */
static const uint8_t *arg_bytes(napi_env env, napi_value v, size_t *len, const char *what) {
  bool is_ta = false;
  napi_typedarray_type type;
  void *data = NULL;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, len, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, what);
    return NULL;
  }
  return data != NULL ? data : (const uint8_t *)"";
}

/* cpkdf(hash: 'gost3411-94' | 'streebog256', pin4: Uint8Array, salt: Uint8Array): Uint8Array(32). */
static napi_value cpkdf_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char name[16] = {0};
  size_t name_len = 0;
  if (argc < 3 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &name_len) != napi_ok) {
    napi_throw_type_error(env, NULL, "cpkdf(hash, pin4, salt)");
    return NULL;
  }
  enum cpkdf_hash hash;
  if (strcmp(name, "gost3411-94") == 0) hash = CPKDF_GOST94;
  else if (strcmp(name, "streebog256") == 0) hash = CPKDF_STREEBOG256;
  else {
    napi_throw_type_error(env, NULL, "cpkdf: hash must be 'gost3411-94' or 'streebog256'");
    return NULL;
  }
  size_t pin4_len = 0, salt_len = 0;
  const uint8_t *pin4 = arg_bytes(env, argv[1], &pin4_len, "cpkdf: pin4 must be a Uint8Array");
  if (pin4 == NULL) return NULL;
  const uint8_t *salt = arg_bytes(env, argv[2], &salt_len, "cpkdf: salt must be a Uint8Array");
  if (salt == NULL) return NULL;
  napi_value ab, out;
  void *kek = NULL;
  CHECK(napi_create_arraybuffer(env, 32, &kek, &ab));
  if (cpkdf(hash, pin4, pin4_len, salt, salt_len, kek) != 0) return throw_errno(env, "cpkdf", ENOMEM);
  CHECK(napi_create_typedarray(env, napi_uint8_array, 32, ab, 0, &out));
  return out;
}

/* Adler-32 (RFC 1950) of `len` bytes: 32 bytes a step as s += 32a + sum((32 - i) * p[i]), a loop
 * the compiler vectorizes; 64-bit sums reduced once per 64 KiB stay far below 2^64. */
static uint32_t adler32_bytes(const uint8_t *p, size_t len) {
  uint64_t a = 1, s = 0;
  while (len > 0) {
    size_t block = len < 65536 ? len : 65536;
    len -= block;
    for (; block >= 32; block -= 32, p += 32) {
      uint32_t sum = 0, weighted = 0;
      for (int i = 0; i < 32; i++) {
        sum += p[i];
        weighted += (uint32_t)(32 - i) * p[i];
      }
      s += 32 * a + weighted;
      a += sum;
    }
    for (; block > 0; block--) {
      a += *p++;
      s += a;
    }
    a %= 65521;
    s %= 65521;
  }
  return (uint32_t)(s << 16 | a);
}

/* adler32(bytes: Uint8Array): number — the EWF chunk and section checksum. */
static napi_value adler32_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  size_t len = 0;
  const uint8_t *p = arg_bytes(env, argc < 1 ? NULL : argv[0], &len, "adler32: bytes must be a Uint8Array");
  if (p == NULL) return NULL;
  napi_value out;
  CHECK(napi_create_uint32(env, adler32_bytes(p, len), &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"deviceSize", NULL, device_size, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sectorSize", NULL, sector_size, NULL, NULL, NULL, napi_enumerable, NULL},
      {"alignedBuffer", NULL, aligned_buffer, NULL, NULL, NULL, napi_enumerable, NULL},
      {"cpkdf", NULL, cpkdf_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adler32", NULL, adler32_js, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok)
    return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
