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
                               const uint8_t *bytes, const uint8_t *masks, size_t bytes_len);
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

#endif
