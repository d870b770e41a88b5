/* The linear pass's per-sector anchor test (src/scan/anchor-table.ts is the TypeScript twin and
 * the tests' oracle); see anchors.c. */
#ifndef KEYCARVE_ANCHORS_H
#define KEYCARVE_ANCHORS_H
#include <stddef.h>
#include <stdint.h>

typedef struct anchor_table anchor_table;

/* A table of `count` anchors: anchor k is bytes[starts[k] .. starts[k] + lens[k]) at ats[k] from a
 * sector start (0 <= at < 512, 1 <= len <= 64). NULL on bad input or no memory. */
anchor_table *anchor_table_new(size_t count, const int32_t *ats, const int32_t *lens, const int32_t *starts,
                               const uint8_t *bytes, size_t bytes_len);
void anchor_table_free(anchor_table *t);

/* Writes to out each sector start s (s = from, from + 512, ... < to) where some anchor matches
 * whole within b[0, len); returns how many, at most cap. */
size_t anchor_scan(const anchor_table *t, const uint8_t *b, size_t len, size_t from, size_t to, int32_t *out,
                   size_t cap);

/* The linear pass's reading of one chunk b[0, len) from fd (b[0] at file offset base): in pieces of
 * `piece` bytes (a multiple of 512), each pread (from `have` on: the bytes before are in) and
 * scanned right after, as anchor_scan(b, end, at, end) while it is in cache. Returns the hits
 * written to out (at most cap), with *filled = len; or -1 with *err = errno and *filled the bytes
 * that did arrive. A source that ends early reads as zeros. */
long anchor_read_scan(const anchor_table *t, int fd, uint8_t *b, size_t len, size_t have, size_t piece, int64_t base,
                      int32_t *out, size_t cap, size_t *filled, int *err);

#endif
