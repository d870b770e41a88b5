/**
 * Cluster-level access to one exFAT volume through a MediaReader: FAT and allocation bitmap read
 * lazily in pages (a 2 TB stick has a FAT of hundreds of MB), chains followed with a bound and
 * cycle detection, extents computed in absolute offsets.
 */
import type { ByteRange } from '../../source/types.ts';
import type { FsProblem, MediaReader } from '../types.ts';
import type { ExfatGeometry } from './boot.ts';
import { u32 } from '../../layout/le.ts';
import { clusterOffset, clustersToExtents, validCluster, type ClusterGeometry } from '../fat-common/clusters.ts';

const PAGE = 64 * 1024;
export const FAT_EOC = 0xffffffff;
export const FAT_BAD = 0xfffffff7;

class PagedRegion {
  private readonly pages = new Map<number, Uint8Array | null>();
  constructor(
    private readonly reader: MediaReader,
    private readonly start: number,
    private readonly length: number,
  ) {}
  async byteAt(rel: number): Promise<number | null> {
    if (rel < 0 || rel >= this.length) return null;
    const p = Math.floor(rel / PAGE);
    let page = this.pages.get(p);
    if (page === undefined) {
      page = await this.reader.read(this.start + p * PAGE, Math.min(PAGE, this.length - p * PAGE));
      this.pages.set(p, page);
    }
    if (!page) return null;
    return page[rel - p * PAGE] ?? null;
  }
  /** The page holding byte `rel` and where it starts, or null where unreadable or outside. */
  async pageAt(rel: number): Promise<{ page: Uint8Array; start: number } | null> {
    if (rel < 0 || rel >= this.length) return null;
    await this.byteAt(rel);
    const page = this.pages.get(Math.floor(rel / PAGE));
    return page ? { page, start: Math.floor(rel / PAGE) * PAGE } : null;
  }
  async u32At(rel: number): Promise<number | null> {
    if (rel % 4 !== 0 || rel + 4 > this.length) return null;
    const p = Math.floor(rel / PAGE);
    await this.byteAt(rel);
    const page = this.pages.get(p);
    if (!page || rel - p * PAGE + 4 > page.length) return null;
    return u32(page, rel - p * PAGE);
  }
}

export interface ChainResult {
  readonly clusters: number[];
  /** Why the chain stopped early, when it did. */
  readonly problem?: string;
}

export class ExfatVolume {
  readonly base: number;
  readonly geo: ExfatGeometry;
  /** The cluster heap in the terms FAT uses: exFAT numbers heap clusters from 2 too. */
  private readonly clusters: ClusterGeometry;
  private readonly fat: PagedRegion;
  private bitmap: PagedRegion | null = null;
  readonly problems: FsProblem[] = [];

  constructor(
    readonly reader: MediaReader,
    volumeOffset: number,
    geo: ExfatGeometry,
  ) {
    this.base = volumeOffset;
    this.geo = geo;
    this.clusters = { volumeOffset, dataStart: volumeOffset + geo.heapOffset, clusterSize: geo.clusterSize, clusterCount: geo.clusterCount };
    const fatStart = volumeOffset + geo.fatOffset + geo.activeFat * geo.fatLength;
    this.fat = new PagedRegion(reader, fatStart, Math.min(geo.fatLength, (geo.clusterCount + 2) * 4));
  }

  /** The heap in the terms FAT uses, for the code both share (src/fs/fat-common). */
  get geometry(): ClusterGeometry {
    return this.clusters;
  }

  get hasBitmap(): boolean {
    return this.bitmap !== null;
  }

  validCluster(c: number): boolean {
    return validCluster(this.clusters, c);
  }

  /** Absolute offset of cluster `c`'s first byte. */
  clusterOffset(c: number): number {
    return clusterOffset(this.clusters, c);
  }

  /** Cluster holding absolute offset `abs`, or null outside the heap. */
  clusterAt(abs: number): number | null {
    const rel = abs - this.base - this.geo.heapOffset;
    if (rel < 0) return null;
    const c = Math.floor(rel / this.geo.clusterSize) + 2;
    return this.validCluster(c) ? c : null;
  }

  async fatEntry(c: number): Promise<number | null> {
    return this.fat.u32At(c * 4);
  }

  setBitmap(firstCluster: number, length: number): void {
    const need = Math.ceil(this.geo.clusterCount / 8);
    if (!this.validCluster(firstCluster) || length < need) {
      this.problems.push({ at: this.clusterOffset(this.validCluster(firstCluster) ? firstCluster : 2), what: 'exfat: allocation bitmap entry invalid' });
      return;
    }
    // The bitmap is normally contiguous (NoFatChain is not recorded for it; mkfs lays it out in one run).
    this.bitmap = new PagedRegion(this.reader, this.clusterOffset(firstCluster), need);
  }

  /** Allocation state of a cluster: true/false, or null when the bitmap is unknown. */
  async allocated(c: number): Promise<boolean | null> {
    if (!this.bitmap || !this.validCluster(c)) return null;
    const byte = await this.bitmap.byteAt((c - 2) >> 3);
    if (byte === null) return null;
    return ((byte >> ((c - 2) & 7)) & 1) === 1;
  }

  /** The first cluster from c through `last` the bitmap marks free (last + 1: none; an
   * unreadable bitmap page ends the search), or null when the bitmap is unknown. Bytes of eight
   * allocated clusters are skipped whole. */
  async nextFree(c: number, last: number): Promise<number | null> {
    if (!this.bitmap) return null;
    while (c <= last) {
      const at = await this.bitmap.pageAt((c - 2) >> 3);
      if (!at) return last + 1;
      const { page, start } = at;
      for (let i = ((c - 2) >> 3) - start; i < page.length && c <= last; i++) {
        const byte = page[i]!;
        const next = (start + i + 1) * 8 + 2; // the first cluster of the next byte
        if (byte !== 0xff) for (; c < next && c <= last; c++) if (((byte >> ((c - 2) & 7)) & 1) === 0) return c;
        c = next;
      }
    }
    return last + 1;
  }

  /** How many clusters from c on the bitmap marks free, at most `max` (0 when it is unknown). */
  async freeRun(c: number, max: number): Promise<number> {
    if (!this.bitmap) return 0;
    let n = 0;
    while (n < max) {
      const at = await this.bitmap.pageAt((c + n - 2) >> 3);
      if (!at) return n;
      const past = (at.start + at.page.length) * 8 + 2; // the first cluster past this page
      for (; n < max && c + n < past; n++) {
        const k = c + n - 2;
        if ((at.page[(k >> 3) - at.start]! >> (k & 7)) & 1) return n;
      }
    }
    return n;
  }

  /** Follow the FAT from `first` for at most `max` clusters; stops at EOC, cycles, bad links. */
  async chain(first: number, max: number): Promise<ChainResult> {
    const clusters: number[] = [];
    const seen = new Set<number>();
    let c = first;
    while (clusters.length < max) {
      if (!this.validCluster(c)) return { clusters, problem: `cluster ${c} out of range` };
      if (seen.has(c)) return { clusters, problem: `FAT cycle at cluster ${c}` };
      seen.add(c);
      clusters.push(c);
      const next = await this.fatEntry(c);
      if (next === null) return { clusters, problem: `FAT unreadable at cluster ${c}` };
      if (next === FAT_EOC) return { clusters };
      if (next === FAT_BAD) return { clusters, problem: `bad-cluster mark in chain at ${c}` };
      if (next === 0) return { clusters, problem: `free FAT entry in chain at ${c}` };
      c = next;
    }
    return { clusters, problem: clusters.length >= max ? 'chain longer than the file' : undefined };
  }

  /** Absolute extents for `clusters` holding `size` bytes (last one trimmed), merged when adjacent. */
  extents(clusters: readonly number[], size: number): ByteRange[] {
    return clustersToExtents(this.clusters, clusters, size);
  }

  /** Reads the bytes of `extents` into one buffer (null if any read fails). */
  async readExtents(extents: readonly ByteRange[], total: number): Promise<Uint8Array | null> {
    const out = new Uint8Array(total);
    let at = 0;
    for (const e of extents) {
      const b = await this.reader.read(e.offset, e.length);
      if (!b || b.length < e.length) return null;
      out.set(b.subarray(0, e.length), at);
      at += e.length;
    }
    return at === total ? out : null;
  }
}
