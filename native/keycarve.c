/* keycarve native helpers: the two block-device ioctls Node lacks and page-aligned memory for
 * O_DIRECT. Reads themselves go through Node's fs.read (libuv thread pool) into these buffers,
 * so a stalled device never blocks the event loop. Plain Node-API, no C++ wrapper. */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <node_api.h>

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

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"deviceSize", NULL, device_size, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sectorSize", NULL, sector_size, NULL, NULL, NULL, napi_enumerable, NULL},
      {"alignedBuffer", NULL, aligned_buffer, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok)
    return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
