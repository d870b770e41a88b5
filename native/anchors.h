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

#endif
