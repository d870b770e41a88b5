/**
 * Split raw images: dd/FTK/split cut the medium into equal segments named by a counter after the
 * base name: `disk.001 disk.002 …`, `disk.000 …`, `disk.aa disk.ab …` (split's default `xaa`).
 * Given the first segment we find the rest by that pattern; a segment missing in the middle reads
 * as unreadable bytes (its size taken from the first), so the rest of the medium is still scanned.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { formatError, SegmentSet, type SegmentFile } from './segments.ts';
import { MappedSource, type Piece } from './mapped.ts';

interface Pattern {
  readonly prefix: string;
  readonly width: number;
  readonly alpha: boolean;
}

function parse(name: string): (Pattern & { index: number }) | null {
  const num = /^(.+\.)(\d{2,4})$/.exec(name);
  if (num) return { prefix: num[1]!, index: Number(num[2]), width: num[2]!.length, alpha: false };
  const alpha = /^(.*[.x])([a-z]{2,3})$/.exec(name);
  if (alpha) return { prefix: alpha[1]!, index: fromAlpha(alpha[2]!), width: alpha[2]!.length, alpha: true };
  return null;
}

const fromAlpha = (s: string) => [...s].reduce((n, c) => n * 26 + c.charCodeAt(0) - 97, 0);
function suffix(p: Pattern, i: number): string {
  if (!p.alpha) return String(i).padStart(p.width, '0');
  let s = '';
  for (let k = 0, n = i; k < p.width; k++, n = Math.floor(n / 26)) s = String.fromCharCode(97 + (n % 26)) + s;
  return s;
}

export interface SplitPlan {
  /** Segment paths in order, with whether each exists. */
  readonly segments: { path: string; present: boolean }[];
}

/**
 * The split set `path` starts, or null when it is a single file (no name pattern, or no second
 * segment). Giving a later segment is an error naming the first.
 */
export async function findSplitSet(path: string): Promise<SplitPlan | null> {
  const p = parse(basename(path));
  if (!p) return null;
  const dir = dirname(path);
  const present = new Map<number, string>();
  for (const n of await readdir(dir)) {
    const q = parse(n);
    if (q && q.prefix === p.prefix && q.width === p.width && q.alpha === p.alpha) present.set(q.index, join(dir, n));
  }
  const start = p.alpha || present.has(0) ? 0 : 1;
  if (p.index !== start) {
    if (present.has(start)) throw formatError(path, `it is segment ${p.index} of a split image; give the first segment, ${join(dir, p.prefix + suffix(p, start))}`);
    return null;
  }
  const last = Math.max(...present.keys());
  if (last === start) return null;
  const segments: SplitPlan['segments'] = [];
  for (let i = start; i <= last; i++) segments.push({ path: join(dir, p.prefix + suffix(p, i)), present: present.has(i) });
  return { segments };
}

export class SplitRawSource extends MappedSource {
  private constructor(
    path: string,
    size: number,
    set: SegmentSet,
    private readonly slots: { start: number; size: number; file: SegmentFile | null; name: string }[],
  ) {
    super(path, size, set, 'split-raw');
  }

  static async open(path: string, plan: SplitPlan): Promise<SplitRawSource> {
    const set = await SegmentSet.of(plan.segments.filter((s) => s.present).map((s) => s.path));
    const unit = set.files[0]!.size;
    const slots: SplitRawSource['slots'] = [];
    let start = 0;
    let k = 0;
    for (const [i, s] of plan.segments.entries()) {
      const file = s.present ? set.files[k++]! : null;
      if (file && i < plan.segments.length - 1 && file.size !== unit) {
        throw formatError(file.path, `segment size ${file.size} differs from the first segment's ${unit}; a segment is truncated or from another image`);
      }
      slots.push({ start, size: file?.size ?? unit, file, name: s.path });
      start += file?.size ?? unit;
    }
    const src = new SplitRawSource(path, start, set, slots);
    for (const s of slots) if (!s.file) src.note(`${s.name} of the split image is missing: ${s.size} bytes at medium offset ${s.start} read as unreadable`);
    return src;
  }

  protected locate(offset: number): Promise<Piece> {
    let lo = 0;
    let hi = this.slots.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.slots[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    const s = this.slots[lo]!;
    const length = s.start + s.size - offset;
    if (!s.file) return Promise.resolve({ length, lost: `${s.name} of the split image is missing` });
    return Promise.resolve({ length, file: s.file, at: offset - s.start });
  }
}
