/* keycarve native helpers: the two block-device ioctls Node lacks, page-aligned memory for
 * O_DIRECT, the CryptoPro password KDF (cpkdf.c) for password search, and the linear pass's
 * anchor test (anchors.c). Reads of a device go through Node's fs.read (libuv thread pool) into
 * these buffers, so a stalled device never blocks the event loop; only an image file the pass
 * reads whole (its carving thread blocks on it anyway) is pread here, with its anchor test. Plain
 * Node-API, no C++ wrapper. */
#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <node_api.h>

#include "anchors.h"
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

/* Elements and data of a typed array argument of `want` type (any backing store, shared too), or
 * NULL after throwing a TypeError. */
static void *arg_typed(napi_env env, napi_value v, napi_typedarray_type want, size_t *len, const char *what) {
  bool is_ta = false;
  napi_typedarray_type type;
  void *data = NULL;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, len, &data, NULL, NULL) != napi_ok || type != want) {
    napi_throw_type_error(env, NULL, what);
    return NULL;
  }
  static uint8_t none;
  return data != NULL ? data : &none;
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
  const uint8_t *pin4 = arg_typed(env, argv[1], napi_uint8_array, &pin4_len, "cpkdf: pin4 must be a Uint8Array");
  if (pin4 == NULL) return NULL;
  const uint8_t *salt = arg_typed(env, argv[2], napi_uint8_array, &salt_len, "cpkdf: salt must be a Uint8Array");
  if (salt == NULL) return NULL;
  napi_value ab, out;
  void *kek = NULL;
  CHECK(napi_create_arraybuffer(env, 32, &kek, &ab));
  if (cpkdf(hash, pin4, pin4_len, salt, salt_len, kek) != 0) return throw_errno(env, "cpkdf", ENOMEM);
  CHECK(napi_create_typedarray(env, napi_uint8_array, 32, ab, 0, &out));
  return out;
}

static void free_table(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  anchor_table_free(data);
}

/* anchorTable(ats: Int32Array, lens: Int32Array, starts: Int32Array, bytes: Uint8Array, masks?:
 * Uint8Array): an opaque table for anchorScan, freed by the GC; null when the anchors do not fit
 * its limits. `masks` (as long as bytes) frees bits of anchor bytes (anchorMasks tells it is read). */
static napi_value anchor_table_js(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  static const char *usage = "anchorTable(ats: Int32Array, lens: Int32Array, starts: Int32Array, bytes: Uint8Array, masks?: Uint8Array, "
                             "backs?: Int32Array, aheads?: Int32Array)";
  if (argc < 4) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  size_t n_at = 0, n_len = 0, n_start = 0, n_bytes = 0, n_masks = 0;
  const int32_t *ats = arg_typed(env, argv[0], napi_int32_array, &n_at, usage);
  if (ats == NULL) return NULL;
  const int32_t *lens = arg_typed(env, argv[1], napi_int32_array, &n_len, usage);
  if (lens == NULL) return NULL;
  const int32_t *starts = arg_typed(env, argv[2], napi_int32_array, &n_start, usage);
  if (starts == NULL) return NULL;
  const uint8_t *bytes = arg_typed(env, argv[3], napi_uint8_array, &n_bytes, usage);
  if (bytes == NULL) return NULL;
  napi_valuetype mt = napi_undefined;
  if (argc >= 5) CHECK(napi_typeof(env, argv[4], &mt));
  const uint8_t *masks = NULL;
  if (mt != napi_undefined) {
    masks = arg_typed(env, argv[4], napi_uint8_array, &n_masks, usage);
    if (masks == NULL) return NULL;
    if (n_masks != n_bytes) {
      napi_throw_range_error(env, NULL, "anchorTable: masks must be as long as bytes");
      return NULL;
    }
  }
  /* Each anchor's window (anchor_read_keep): both or neither. */
  const int32_t *backs = NULL, *aheads = NULL;
  size_t n_backs = n_at, n_aheads = n_at;
  napi_valuetype wt = napi_undefined;
  if (argc >= 7) CHECK(napi_typeof(env, argv[5], &wt));
  if (wt != napi_undefined) {
    if ((backs = arg_typed(env, argv[5], napi_int32_array, &n_backs, usage)) == NULL) return NULL;
    if ((aheads = arg_typed(env, argv[6], napi_int32_array, &n_aheads, usage)) == NULL) return NULL;
  }
  napi_value out;
  anchor_table *t = n_at == n_len && n_at == n_start && n_backs == n_at && n_aheads == n_at
                        ? anchor_table_new(n_at, ats, lens, starts, bytes, masks, n_bytes, backs, aheads)
                        : NULL;
  if (t == NULL) {
    CHECK(napi_get_null(env, &out));
    return out;
  }
  if (napi_create_external(env, t, free_table, NULL, &out) != napi_ok) {
    anchor_table_free(t);
    napi_throw_error(env, NULL, "keycarve native: napi_create_external failed");
    return NULL;
  }
  return out;
}

/* anchorScan(table, b: Uint8Array, from, to, out: Int32Array): writes into out the sector starts
 * in [from, to) where an anchor matches whole inside b; returns how many (at most out.length). */
static napi_value anchor_scan_js(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  static const char *usage = "anchorScan(table, b: Uint8Array, from: number, to: number, out: Int32Array)";
  anchor_table *t = NULL;
  double from = 0, to = 0;
  if (argc < 5 || napi_get_value_external(env, argv[0], (void **)&t) != napi_ok || t == NULL ||
      napi_get_value_double(env, argv[2], &from) != napi_ok || napi_get_value_double(env, argv[3], &to) != napi_ok ||
      !(from >= 0) || !(to >= 0) || from > 1e15 || to > 1e15) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  size_t len = 0, cap = 0;
  const uint8_t *b = arg_typed(env, argv[1], napi_uint8_array, &len, usage);
  if (b == NULL) return NULL;
  int32_t *out = arg_typed(env, argv[4], napi_int32_array, &cap, usage);
  if (out == NULL) return NULL;
  napi_value n;
  CHECK(napi_create_uint32(env, (uint32_t)anchor_scan(t, b, len, (size_t)from, (size_t)to, out, cap), &n));
  return n;
}

/* The arguments anchorReadScan and anchorReadScanAsync share: (table, fd, b, from, to, have, base,
 * out, status), checked; false with a TypeError thrown. */
struct read_scan_args {
  anchor_table *t;
  int32_t fd;
  uint8_t *b;
  size_t from, to, have, cap;
  int64_t base;
  int32_t *out;
  double *status;
};

static bool read_scan_args(napi_env env, size_t argc, napi_value *argv, const char *usage, struct read_scan_args *a) {
  double from = 0, to = 0, have = 0, base = 0;
  a->t = NULL;
  a->fd = -1;
  if (argc < 9 || napi_get_value_external(env, argv[0], (void **)&a->t) != napi_ok || a->t == NULL ||
      napi_get_value_int32(env, argv[1], &a->fd) != napi_ok || napi_get_value_double(env, argv[3], &from) != napi_ok ||
      napi_get_value_double(env, argv[4], &to) != napi_ok || napi_get_value_double(env, argv[5], &have) != napi_ok ||
      napi_get_value_double(env, argv[6], &base) != napi_ok || a->fd < 0 || !(from >= 0) || !(to >= from) ||
      !(have >= 0) || !(base >= 0) || base > 9e15) {
    napi_throw_type_error(env, NULL, usage);
    return false;
  }
  size_t len = 0, slots = 0;
  if ((a->b = arg_typed(env, argv[2], napi_uint8_array, &len, usage)) == NULL) return false;
  if ((a->out = arg_typed(env, argv[7], napi_int32_array, &a->cap, usage)) == NULL) return false;
  if ((a->status = arg_typed(env, argv[8], napi_float64_array, &slots, usage)) == NULL) return false;
  if (slots < 2 || to > (double)len) {
    napi_throw_type_error(env, NULL, usage);
    return false;
  }
  a->from = (size_t)from;
  a->to = (size_t)to;
  a->have = (size_t)have;
  a->base = (int64_t)base;
  return true;
}

/* anchorReadScan(table, fd, b: Uint8Array, from, to, have, base, out: Int32Array, status: Float64Array):
 * reads b[have, to) from fd at base + have, then writes into out the sector starts in [from, to)
 * where an anchor matches whole inside b[0, to) (anchor_read_scan); returns how many, or -1 with
 * status = [bytes filled, errno]. */
static napi_value anchor_read_scan_js(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  static const char *usage =
      "anchorReadScan(table, fd: number, b: Uint8Array, from: number, to: number, have: number, base: number, out: Int32Array, status: Float64Array)";
  struct read_scan_args a;
  if (!read_scan_args(env, argc, argv, usage, &a)) return NULL;
  size_t filled = 0;
  int err = 0;
  const long n = anchor_read_scan(a.t, a.fd, a.b, a.from, a.to, a.have, a.base, a.out, a.cap, &filled, &err);
  a.status[0] = (double)filled;
  a.status[1] = err;
  napi_value r;
  CHECK(napi_create_int64(env, n, &r));
  return r;
}

/* anchorReadScanAsync(table, fd, b, from, to, have, base, out, status, piece): anchorReadScan over
 * [from, to) in pieces of `piece` bytes, on a libuv thread: a Promise of the count (or -1 with
 * status = [bytes filled, errno]). The JS thread carves other chunks meanwhile, and chunks in
 * flight are read on every core. Its arguments are referenced until it settles; the caller must
 * not touch b[have, to), out or status before then. */
struct read_scan_work {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref refs[4]; /* table, b, out, status */
  int held;
  struct read_scan_args a;
  size_t piece, filled;
  long n;
  int err;
};

static void read_scan_execute(napi_env env, void *data) {
  (void)env;
  struct read_scan_work *w = data;
  const struct read_scan_args *a = &w->a;
  w->n = anchor_read_scan_pieces(a->t, a->fd, a->b, a->from, a->to, a->have, a->base, w->piece, a->out, a->cap, &w->filled, &w->err);
}

static void read_scan_free(napi_env env, struct read_scan_work *w) {
  for (int i = 0; i < w->held; i++) napi_delete_reference(env, w->refs[i]);
  free(w);
}

/* An async read's promise: resolved with n, or rejected as `name` cancelled. */
static void settle(napi_env env, napi_deferred d, napi_status status, long n, const char *name) {
  napi_value r;
  if (status == napi_ok && napi_create_int64(env, n, &r) == napi_ok) {
    napi_resolve_deferred(env, d, r);
    return;
  }
  char text[64];
  snprintf(text, sizeof text, "%s: cancelled", name);
  napi_value msg, e;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &e);
  napi_reject_deferred(env, d, e);
}

static void read_scan_complete(napi_env env, napi_status status, void *data) {
  struct read_scan_work *w = data;
  w->a.status[0] = (double)w->filled;
  w->a.status[1] = w->err;
  settle(env, w->deferred, status, w->n, "anchorReadScanAsync");
  napi_delete_async_work(env, w->work);
  read_scan_free(env, w);
}

static napi_value anchor_read_scan_async_js(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  static const char *usage = "anchorReadScanAsync(table, fd: number, b: Uint8Array, from: number, to: number, have: number, "
                             "base: number, out: Int32Array, status: Float64Array, piece: number)";
  struct read_scan_args a;
  if (!read_scan_args(env, argc, argv, usage, &a)) return NULL;
  double piece = 0;
  if (argc < 10 || napi_get_value_double(env, argv[9], &piece) != napi_ok || !(piece >= 0)) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  struct read_scan_work *w = calloc(1, sizeof *w);
  if (w == NULL) {
    napi_throw_error(env, NULL, "anchorReadScanAsync: out of memory");
    return NULL;
  }
  w->a = a;
  w->piece = piece > 1e9 ? 0 : (size_t)piece;
  const size_t held[4] = {0, 2, 7, 8};
  napi_value promise, name;
  bool ok = napi_create_promise(env, &w->deferred, &promise) == napi_ok &&
            napi_create_string_utf8(env, "keycarve:anchorReadScan", NAPI_AUTO_LENGTH, &name) == napi_ok;
  while (ok && w->held < 4) {
    ok = napi_create_reference(env, argv[held[w->held]], 1, &w->refs[w->held]) == napi_ok;
    if (ok) w->held++;
  }
  ok = ok && napi_create_async_work(env, NULL, name, read_scan_execute, read_scan_complete, w, &w->work) == napi_ok;
  if (ok && napi_queue_async_work(env, w->work) == napi_ok) return promise;
  read_scan_free(env, w);
  napi_throw_error(env, NULL, "anchorReadScanAsync: could not queue the read");
  return NULL;
}

/* anchorReadKeepAsync(table, fd, b: Uint8Array, from, to, base, piece, keep: Int32Array, out: Int32Array,
 * status: Float64Array): anchor_read_keep on a libuv thread — the chunk b[from, to) read in pieces
 * that stay in cache, only the kept bytes written into b. A Promise of the hit count; status =
 * [filled, errno (0: none), tested, kept]. Its arguments are referenced until it settles; the caller
 * must not touch b[from, to), keep, out or status before then. */
struct read_keep_work {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref refs[5]; /* table, b, keep, out, status */
  int held;
  anchor_table *t;
  int32_t fd;
  uint8_t *b;
  size_t from, to, piece, nkeep, cap;
  int64_t base;
  const int32_t *keep;
  int32_t *out;
  double *status;
  struct keep_result r;
  long n;
};

static void read_keep_execute(napi_env env, void *data) {
  (void)env;
  struct read_keep_work *w = data;
  w->n = anchor_read_keep(w->t, w->fd, w->b, w->from, w->to, w->base, w->piece, w->keep, w->nkeep, w->out, w->cap, &w->r);
}

static void read_keep_free(napi_env env, struct read_keep_work *w) {
  for (int i = 0; i < w->held; i++) napi_delete_reference(env, w->refs[i]);
  free(w);
}

static void read_keep_complete(napi_env env, napi_status status, void *data) {
  struct read_keep_work *w = data;
  w->status[0] = (double)w->r.filled;
  w->status[1] = w->r.err;
  w->status[2] = (double)w->r.tested;
  w->status[3] = (double)w->r.kept;
  settle(env, w->deferred, status, w->n, "anchorReadKeepAsync");
  napi_delete_async_work(env, w->work);
  read_keep_free(env, w);
}

static napi_value anchor_read_keep_async_js(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  static const char *usage = "anchorReadKeepAsync(table, fd: number, b: Uint8Array, from: number, to: number, base: number, "
                             "piece: number, keep: Int32Array, out: Int32Array, status: Float64Array)";
  struct read_keep_work a = {0};
  double from = 0, to = 0, base = 0, piece = 0;
  size_t len = 0, nkeep = 0, slots = 0;
  if (argc < 10 || napi_get_value_external(env, argv[0], (void **)&a.t) != napi_ok || a.t == NULL ||
      napi_get_value_int32(env, argv[1], &a.fd) != napi_ok || napi_get_value_double(env, argv[3], &from) != napi_ok ||
      napi_get_value_double(env, argv[4], &to) != napi_ok || napi_get_value_double(env, argv[5], &base) != napi_ok ||
      napi_get_value_double(env, argv[6], &piece) != napi_ok || a.fd < 0 || !(from >= 0) || !(to >= from) ||
      !(base >= 0) || base > 9e15 || !(piece >= 512) || piece > 1 << 30) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  if ((a.b = arg_typed(env, argv[2], napi_uint8_array, &len, usage)) == NULL) return NULL;
  int32_t *keep = arg_typed(env, argv[7], napi_int32_array, &nkeep, usage);
  if (keep == NULL) return NULL;
  if ((a.out = arg_typed(env, argv[8], napi_int32_array, &a.cap, usage)) == NULL) return NULL;
  if ((a.status = arg_typed(env, argv[9], napi_float64_array, &slots, usage)) == NULL) return NULL;
  if (slots < 4 || to > (double)len || nkeep % 2 != 0) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  for (size_t i = 0; i < nkeep; i++) /* sorted, non-negative pairs */
    if (keep[i] < 0 || (i > 0 && keep[i] < keep[i - 1])) {
      napi_throw_range_error(env, NULL, "anchorReadKeepAsync: keep must be sorted [start, end) pairs");
      return NULL;
    }
  struct read_keep_work *w = malloc(sizeof *w);
  if (w == NULL) {
    napi_throw_error(env, NULL, "anchorReadKeepAsync: out of memory");
    return NULL;
  }
  *w = a;
  w->from = (size_t)from;
  w->to = (size_t)to;
  w->base = (int64_t)base;
  w->piece = (size_t)piece;
  w->keep = keep;
  w->nkeep = nkeep / 2;
  const size_t held[5] = {0, 2, 7, 8, 9};
  napi_value promise, name;
  bool ok = napi_create_promise(env, &w->deferred, &promise) == napi_ok &&
            napi_create_string_utf8(env, "keycarve:anchorReadKeep", NAPI_AUTO_LENGTH, &name) == napi_ok;
  while (ok && w->held < 5) {
    ok = napi_create_reference(env, argv[held[w->held]], 1, &w->refs[w->held]) == napi_ok;
    if (ok) w->held++;
  }
  ok = ok && napi_create_async_work(env, NULL, name, read_keep_execute, read_keep_complete, w, &w->work) == napi_ok;
  if (ok && napi_queue_async_work(env, w->work) == napi_ok) return promise;
  read_keep_free(env, w);
  napi_throw_error(env, NULL, "anchorReadKeepAsync: could not queue the read");
  return NULL;
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
  const uint8_t *p = arg_typed(env, argc < 1 ? NULL : argv[0], napi_uint8_array, &len, "adler32: bytes must be a Uint8Array");
  if (p == NULL) return NULL;
  napi_value out;
  CHECK(napi_create_uint32(env, adler32_bytes(p, len), &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value yes;
  if (napi_get_boolean(env, true, &yes) != napi_ok) return NULL;
  napi_property_descriptor props[] = {
      {"anchorMasks", NULL, NULL, NULL, NULL, yes, napi_enumerable, NULL},
      {"deviceSize", NULL, device_size, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sectorSize", NULL, sector_size, NULL, NULL, NULL, napi_enumerable, NULL},
      {"alignedBuffer", NULL, aligned_buffer, NULL, NULL, NULL, napi_enumerable, NULL},
      {"cpkdf", NULL, cpkdf_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"anchorTable", NULL, anchor_table_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"anchorScan", NULL, anchor_scan_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"anchorReadScan", NULL, anchor_read_scan_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"anchorReadScanAsync", NULL, anchor_read_scan_async_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"anchorReadKeepAsync", NULL, anchor_read_keep_async_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adler32", NULL, adler32_js, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok)
    return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
