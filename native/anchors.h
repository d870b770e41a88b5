/* The linear pass's per-sector anchor test (src/scan/anchor-table.ts is the TypeScript twin and
 * the tests' oracle); see anchors.c. */
#ifndef KEYCARVE_ANCHORS_H
#define KEYCARVE_ANCHORS_H
#include <stddef.h>
#include <stdint.h>

typedef struct anchor_table anchor_table;

/* A table of `count` anchors: anchor k is bytes[starts[k] .. starts[k] + lens[k]) at ats[k] from a
 * sector start (0 <= at < 512, 1 <= len <= 64), a byte b matching where (b & mask) equals the
 * anchor's byte under the same mask (`masks` laid out as `bytes`, NULL: all 0xff; an anchor's
 * first mask byte must be 0xff). NULL on bad input or no memory. */
anchor_table *anchor_table_new(size_t count, const int32_t *ats, const int32_t *lens, const int32_t *starts,
                               const uint8_t *bytes, const uint8_t *masks, size_t bytes_len, const int32_t *backs,
                               const int32_t *aheads);
void anchor_table_free(anchor_table *t);

/* Writes to out each sector start s (s = from, from + 512, ... < to) where some anchor matches
 * whole within b[0, len); returns how many, at most cap. */
size_t anchor_scan(const anchor_table *t, const uint8_t *b, size_t len, size_t from, size_t to, int32_t *out,
                   size_t cap);

/* The linear pass's read of one piece: b[have, to) from fd (b[0] at file offset base), then
 * anchor_scan(b, to, from, to) while the bytes are in cache. Returns the hits written to out (at
 * most cap); or -1 with *err = errno and *filled the bytes up to which b holds the file. A source
 * that ends early reads as zeros. */
long anchor_read_scan(const anchor_table *t, int fd, uint8_t *b, size_t from, size_t to, size_t have, int64_t base,
                      int32_t *out, size_t cap, size_t *filled, int *err);

/* anchor_read_scan over [from, to) in pieces of `piece` bytes (0: one), each tested while it is in
 * cache; the hits of all pieces in order. The same results and errors as anchor_read_scan. */
long anchor_read_scan_pieces(const anchor_table *t, int fd, uint8_t *b, size_t from, size_t to, size_t have,
                             int64_t base, size_t piece, int32_t *out, size_t cap, size_t *filled, int *err);

struct keep_result {
  size_t filled; /* b holds the file's bytes it kept up to here (the rest: not read) */
  size_t tested; /* sectors before this are tested; its hits are the ones returned */
  size_t kept;   /* bytes copied into b */
  int err;       /* a read's errno (or EINVAL, ENOMEM), 0: none */
};

/* The linear pass's read of a chunk that keeps only what will be read again: [from, to) of fd
 * (b[0] at file offset base) read piece by piece into this thread's two buffers of `piece` bytes
 * (in cache), each piece tested (anchor_scan), and copied into b only where it is kept: the
 * caller's ranges (`nkeep` sorted [start, end) pairs, relative to b) and, for each hit s, the
 * window [s - back, s + ahead) of its matching anchors (clipped to [from, to)). Every other byte of
 * b is left as it was. Needs the table's windows, `piece` >= every back and a multiple of 512.
 * Returns the hits (sector starts, relative to b, at most cap) in order. On a failed read r->err is
 * set: b then also holds [r->tested - the widest back, r->filled), and the caller tests from
 * r->tested. A source that ends early reads as zeros. */
long anchor_read_keep(const anchor_table *t, int fd, uint8_t *b, size_t from, size_t to, int64_t base, size_t piece,
                      const int32_t *keep, size_t nkeep, int32_t *out, size_t cap, struct keep_result *r);

#endif
