/* The per-sector anchor test of the linear pass, in C: the same hits as src/scan/anchor-table.ts
 * (prefilter, then matchingCarvers' whole-anchor compare), at a fraction of its CPU time.
 *
 * Per distinct anchor offset, a 256-entry table maps the byte found there to its bucket (the
 * anchors at that offset starting with that byte), 0 for none. The prefilter ORs, without
 * branching, one lookup a sector per offset — on two bytes at an offset where many first bytes
 * start anchors (plan_probes) — so almost every sector costs one branch; only then are the
 * buckets' anchors compared whole. Per 512 MiB of the bench image (callgrind): 325 M instructions
 * as a loop over the offsets on one byte, 147 M now (prefilter 115 M, whole compare 32 M). The
 * tables touched a sector fit in L1 (~7 KiB one-byte rows, an 8 KiB bitset per two-byte probe). */
#include "anchors.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_OFFSETS 64
#define MAX_LEN 64
#define SECTOR 512

struct anchor {
  uint16_t at;
  uint8_t len;
  uint8_t bytes[MAX_LEN]; /* already masked */
  uint8_t mask[MAX_LEN];  /* a byte b matches when (b & mask) == bytes; mask[0] is 0xff */
  uint32_t back, ahead;   /* its carver's window around a hit: [s - back, s + ahead) */
};

/* An offset where more first bytes than this start anchors is prefiltered on two bytes. */
#define CROWDED 8
#define MAX_PAIRS 4

struct anchor_table {
  size_t n;                        /* distinct offsets */
  uint16_t off[MAX_OFFSETS];       /* ascending */
  uint8_t lead[MAX_OFFSETS][256];  /* bucket number (1..255) of (offset, first byte), 0: none */
  uint16_t first[256];             /* bucket k holds anchors a[first[k]] .. a[first[k + 1] - 1] */
  size_t reach;                    /* max at + len (+ 1 at a pair probe): a sector this far from the
                                      end needs no bound checks in the filter */
  /* The prefilter's probes: one byte (non-zero in row[i][byte] when an anchor at probe_off[i]
   * starts with it; rows past `probes` are zero and probe offset 0) ... */
  size_t probes;
  uint16_t probe_off[MAX_OFFSETS];
  uint8_t row[MAX_OFFSETS][256];
  /* ... and, at a crowded offset, two bytes: bit (first | second << 8) of pair[i] is set when an
   * anchor at pair_off[i] starts with them (any second byte for a one-byte anchor). */
  size_t pairs;
  uint16_t pair_off[MAX_PAIRS];
  uint8_t pair[MAX_PAIRS][8192];
  struct anchor *a;
  size_t max_back; /* the widest window's back; 0 with no windows given */
  int windows;     /* windows were given: anchor_read_keep can run */
};

static int by_offset_then_lead(const void *x, const void *y) {
  const struct anchor *p = x, *q = y;
  if (p->at != q->at) return p->at < q->at ? -1 : 1;
  if (p->bytes[0] != q->bytes[0]) return p->bytes[0] < q->bytes[0] ? -1 : 1;
  return 0;
}

/* Splits the offsets into one-byte probes and (the crowded ones, while there is room) two-byte ones.
 * Offset 0 of the bench images' anchors has 30 first bytes: as a one-byte probe it let 11.5% of
 * sectors through to the whole compare, as a two-byte one 1.5% (all offsets: 17% -> 7%). */
static void plan_probes(anchor_table *t) {
  for (size_t i = 0; i < t->n; i++) {
    size_t leads = 0;
    for (int x = 0; x < 256; x++) leads += t->lead[i][x] != 0;
    if (leads <= CROWDED || t->pairs == MAX_PAIRS) {
      memcpy(t->row[t->probes], t->lead[i], 256);
      t->probe_off[t->probes++] = t->off[i];
      continue;
    }
    uint8_t *bits = t->pair[t->pairs];
    t->pair_off[t->pairs++] = t->off[i];
    if ((size_t)t->off[i] + 2 > t->reach) t->reach = (size_t)t->off[i] + 2;
    for (int x = 0; x < 256; x++) {
      const uint8_t k = t->lead[i][x];
      if (k == 0) continue;
      for (uint16_t j = t->first[k]; j < t->first[k + 1]; j++)
        for (unsigned y = 0; y < 256; y++) {
          const unsigned v = (unsigned)x | y << 8;
          if (t->a[j].len == 1 || (y & t->a[j].mask[1]) == t->a[j].bytes[1]) bits[v >> 3] |= (uint8_t)(1u << (v & 7));
        }
    }
  }
}

anchor_table *anchor_table_new(size_t count, const int32_t *ats, const int32_t *lens, const int32_t *starts,
                               const uint8_t *bytes, const uint8_t *masks, size_t bytes_len, const int32_t *backs,
                               const int32_t *aheads) {
  if (count == 0 || count > 65535) return NULL;
  anchor_table *t = calloc(1, sizeof *t);
  struct anchor *a = calloc(count, sizeof *a);
  if (t == NULL || a == NULL) goto fail;
  for (size_t k = 0; k < count; k++) {
    if (ats[k] < 0 || ats[k] >= SECTOR || lens[k] < 1 || lens[k] > MAX_LEN || starts[k] < 0 ||
        (size_t)starts[k] + (size_t)lens[k] > bytes_len)
      goto fail;
    a[k].at = (uint16_t)ats[k];
    a[k].len = (uint8_t)lens[k];
    for (int32_t m = 0; m < lens[k]; m++) {
      a[k].mask[m] = masks == NULL ? 0xff : masks[starts[k] + m];
      a[k].bytes[m] = bytes[starts[k] + m] & a[k].mask[m];
    }
    if (a[k].mask[0] != 0xff) goto fail; /* the first byte picks the bucket: it is exact */
    if (backs != NULL && aheads != NULL) {
      if (backs[k] < 0 || backs[k] % SECTOR != 0 || aheads[k] < SECTOR || aheads[k] % SECTOR != 0) goto fail;
      a[k].back = (uint32_t)backs[k];
      a[k].ahead = (uint32_t)aheads[k];
      if (a[k].back > t->max_back) t->max_back = a[k].back;
    }
    if ((size_t)(ats[k] + lens[k]) > t->reach) t->reach = (size_t)(ats[k] + lens[k]);
  }
  qsort(a, count, sizeof *a, by_offset_then_lead);
  size_t buckets = 0;
  for (size_t k = 0; k < count; k++) {
    const int new_offset = k == 0 || a[k].at != a[k - 1].at;
    if (new_offset) {
      if (t->n == MAX_OFFSETS) goto fail;
      t->off[t->n++] = a[k].at;
    }
    if (new_offset || a[k].bytes[0] != a[k - 1].bytes[0]) {
      if (++buckets > 254) goto fail; /* first[buckets + 1] must fit */
      t->lead[t->n - 1][a[k].bytes[0]] = (uint8_t)buckets;
      t->first[buckets] = (uint16_t)k;
    }
  }
  t->first[buckets + 1] = (uint16_t)count;
  t->windows = backs != NULL && aheads != NULL;
  t->a = a;
  plan_probes(t);
  return t;
fail:
  free(a);
  free(t);
  return NULL;
}

void anchor_table_free(anchor_table *t) {
  if (t == NULL) return;
  free(t->a);
  free(t);
}

/* Anchor x matches whole at sector p, whose first byte the lead table already matched. */
static inline int anchor_matches(const struct anchor *x, const uint8_t *p, size_t room) {
  if ((size_t)x->at + x->len > room) return 0;
  size_t m = 1; /* a loop, not memcmp: anchors are a few bytes and most differ at the second */
  while (m < x->len && (p[x->at + m] & x->mask[m]) == x->bytes[m]) m++;
  return m == x->len;
}

/* Some anchor matches whole at sector p (`room`: bytes from p to the end of the buffer). */
static int sector_matches(const anchor_table *t, const uint8_t *p, size_t room) {
  for (size_t i = 0; i < t->n; i++) {
    if (t->off[i] >= room) break;
    const uint8_t k = t->lead[i][p[t->off[i]]];
    if (k == 0) continue;
    for (uint16_t j = t->first[k]; j < t->first[k + 1]; j++)
      if (anchor_matches(&t->a[j], p, room)) return 1;
  }
  return 0;
}

/* The prefilter's probes, unrolled: a switch enters the straight line at the table's count (one
 * well-predicted jump a sector), so each probe is three instructions at constant displacements
 * (offset, byte, row byte OR-ed in) — 2.3x fewer instructions a sector than a loop over t->n
 * (callgrind). */
#define FALL __attribute__((fallthrough))
#define PROBE(i) \
  case (i) + 1:  \
    hit |= t->row[i][p[t->probe_off[i]]]; \
    FALL;
#define PROBE8(i) PROBE((i) + 7) PROBE((i) + 6) PROBE((i) + 5) PROBE((i) + 4) PROBE((i) + 3) PROBE((i) + 2) PROBE((i) + 1) PROBE(i)
#define PAIR(i)                                                                 \
  case (i) + 1: {                                                               \
    const unsigned v = p[t->pair_off[i]] | (unsigned)p[t->pair_off[i] + 1] << 8; \
    hit |= (uint8_t)(t->pair[i][v >> 3] >> (v & 7) & 1);                        \
  }                                                                             \
    FALL;

static inline unsigned filter(const anchor_table *t, const uint8_t *p) {
  uint8_t hit = 0; /* a byte: the row byte is OR-ed in straight from memory */
  switch (t->probes) {
    PROBE8(56) PROBE8(48) PROBE8(40) PROBE8(32) PROBE8(24) PROBE8(16) PROBE8(8) PROBE8(0)
    default: break;
  }
  switch (t->pairs) {
    PAIR(3) PAIR(2) PAIR(1) PAIR(0)
    default: break;
  }
  return hit;
}

size_t anchor_scan(const anchor_table *t, const uint8_t *b, size_t len, size_t from, size_t to, int32_t *out,
                   size_t cap) {
  size_t n = 0;
  size_t s = from;
  /* Sectors whose every anchor lies inside the buffer: no bound checks in the filter. */
  const size_t safe_to = len >= t->reach ? len - t->reach + 1 : 0;
  const size_t fast_to = to < safe_to ? to : safe_to;
  for (; s < fast_to && n < cap; s += SECTOR)
    if (filter(t, b + s) && sector_matches(t, b + s, len - s)) out[n++] = (int32_t)s;
  for (; s < to && s < len && n < cap; s += SECTOR)
    if (sector_matches(t, b + s, len - s)) out[n++] = (int32_t)s;
  return n;
}

long anchor_read_scan(const anchor_table *t, int fd, uint8_t *b, size_t from, size_t to, size_t have, int64_t base,
                      int32_t *out, size_t cap, size_t *filled, int *err) {
  *err = 0;
  while (have < to) {
    const ssize_t got = pread(fd, b + have, to - have, (off_t)(base + (int64_t)have));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      *err = errno;
      *filled = have;
      return -1;
    }
    if (got == 0) { /* a source that ends early reads as zeros */
      memset(b + have, 0, to - have);
      have = to;
    } else
      have += (size_t)got;
  }
  *filled = have > to ? have : to;
  return (long)anchor_scan(t, b, to, from, to, out, cap);
}

long anchor_read_scan_pieces(const anchor_table *t, int fd, uint8_t *b, size_t from, size_t to, size_t have,
                             int64_t base, size_t piece, int32_t *out, size_t cap, size_t *filled, int *err) {
  size_t n = 0;
  *filled = have;
  *err = 0;
  for (size_t at = from; at < to;) {
    const size_t end = piece > 0 && to - at > piece ? at + piece : to;
    const long got = anchor_read_scan(t, fd, b, at, end, *filled, base, out + n, cap - n, filled, err);
    if (got < 0) return -1;
    n += (size_t)got;
    at = end;
  }
  return (long)n;
}

/* The union of the windows of the anchors that match whole at sector p: what its carvers read. */
static void hit_window(const anchor_table *t, const uint8_t *p, size_t room, size_t *back, size_t *ahead) {
  *back = 0;
  *ahead = SECTOR;
  for (size_t i = 0; i < t->n; i++) {
    if (t->off[i] >= room) break;
    const uint8_t k = t->lead[i][p[t->off[i]]];
    if (k == 0) continue;
    for (uint16_t j = t->first[k]; j < t->first[k + 1]; j++) {
      const struct anchor *x = &t->a[j];
      if (!anchor_matches(x, p, room)) continue;
      if (x->back > *back) *back = x->back;
      if (x->ahead > *ahead) *ahead = x->ahead;
    }
  }
}

/* Where anchor_read_keep's bytes are: the piece at `at` in cur, the one before it in prev. */
struct pieces {
  uint8_t *b;
  const uint8_t *cur, *prev;
  size_t at, piece;
  size_t lo, hi; /* the last range copied into b: a window overlapping it copies only the rest */
  size_t kept;
};

static void copy_out(struct pieces *p, size_t lo, size_t hi) {
  while (lo < hi) {
    const uint8_t *src = lo >= p->at ? p->cur + (lo - p->at) : p->prev + (lo - (p->at - p->piece));
    const size_t stop = lo >= p->at ? hi : (hi < p->at ? hi : p->at);
    memcpy(p->b + lo, src, stop - lo);
    p->kept += stop - lo;
    lo = stop;
  }
}

static void keep_range(struct pieces *p, size_t lo, size_t hi) {
  if (lo >= hi) return;
  if (hi < p->lo || lo > p->hi) { /* apart from the last one */
    copy_out(p, lo, hi);
    p->lo = lo;
    p->hi = hi;
    return;
  }
  if (lo < p->lo) copy_out(p, lo, p->lo);
  if (hi > p->hi) copy_out(p, p->hi, hi);
  if (lo < p->lo) p->lo = lo;
  if (hi > p->hi) p->hi = hi;
}

/* This thread's two pieces, 2 KiB off a page boundary (a copy from the page cache into a
 * page-aligned buffer runs slower here: 4 KiB aliasing). Kept for the thread's life. */
static __thread uint8_t *scratch;
static __thread size_t scratch_piece;

static uint8_t *scratch_for(size_t piece) {
  if (scratch != NULL && scratch_piece >= piece) return scratch + 2048;
  free(scratch);
  scratch = malloc(2 * piece + 4096);
  scratch_piece = scratch == NULL ? 0 : piece;
  return scratch == NULL ? NULL : scratch + 2048;
}

long anchor_read_keep(const anchor_table *t, int fd, uint8_t *b, size_t from, size_t to, int64_t base, size_t piece,
                      const int32_t *keep, size_t nkeep, int32_t *out, size_t cap, struct keep_result *r) {
  r->filled = from;
  r->tested = from;
  r->kept = 0;
  r->err = 0;
  if (!t->windows || piece < t->max_back || piece < SECTOR || piece % SECTOR != 0 || from % SECTOR != 0) {
    r->err = EINVAL;
    return -1;
  }
  uint8_t *buf = scratch_for(piece);
  if (buf == NULL) {
    r->err = ENOMEM;
    return -1;
  }
  struct pieces p = {.b = b, .piece = piece, .lo = 0, .hi = 0, .kept = 0};
  size_t n = 0, ahead_to = from, k = 0;
  int which = 0;
  for (size_t at = from; at < to; at += piece, which ^= 1) {
    const size_t end = to - at > piece ? at + piece : to;
    uint8_t *cur = buf + (size_t)which * piece;
    p.prev = buf + (size_t)(which ^ 1) * piece;
    p.cur = cur;
    p.at = at;
    size_t got = 0;
    while (at + got < end) {
      const ssize_t g = pread(fd, cur + got, end - at - got, (off_t)(base + (int64_t)(at + got)));
      if (g < 0 && errno == EINTR) continue;
      if (g < 0) {
        /* The caller reads and tests the rest itself: it gets the bytes before it that a hit
         * there may look back at, and this piece's as far as they came. */
        r->err = errno;
        keep_range(&p, at - from > t->max_back ? at - t->max_back : from, at + got);
        r->filled = at + got;
        r->tested = at;
        r->kept = p.kept;
        return (long)n;
      }
      if (g == 0) { /* a source that ends early reads as zeros */
        memset(cur + got, 0, end - at - got);
        got = end - at;
      } else
        got += (size_t)g;
    }
    /* What earlier hits' windows reach into, and the caller's ranges. */
    keep_range(&p, at, ahead_to < end ? ahead_to : end);
    while (k < nkeep && (size_t)keep[2 * k] < end) {
      const size_t lo = (size_t)keep[2 * k], hi = (size_t)keep[2 * k + 1];
      keep_range(&p, lo > at ? lo : at, hi < end ? hi : end);
      if (hi > end) break;
      k++;
    }
    const size_t first = n;
    n += anchor_scan(t, cur, end - at, 0, end - at, out + n, cap - n);
    for (size_t h = first; h < n; h++) {
      const size_t s = (size_t)out[h] + at, room = end - s;
      out[h] = (int32_t)s;
      size_t back, ahead;
      hit_window(t, cur + (s - at), room, &back, &ahead);
      const size_t lo = s - from > back ? s - back : from, hi = to - s > ahead ? s + ahead : to;
      keep_range(&p, lo, hi < end ? hi : end);
      if (hi > ahead_to) ahead_to = hi;
    }
    r->filled = end;
    r->tested = end;
  }
  r->kept = p.kept;
  return (long)n;
}
