import { readFile } from 'node:fs/promises';
import type { ByteRange } from './types.ts';

/**
 * GNU ddrescue mapfiles (ddrescue manual, "Mapfile structure"): comment lines start with '#';
 * the first data line is `current_pos current_status [current_pass]`, then one line per block,
 * `pos size status`, contiguous from 0. Numbers are written in hex (0x...), read in any C base.
 */
export type BlockStatus =
  | '?' // non-tried
  | '*' // failed, non-trimmed
  | '/' // failed, non-scraped
  | '-' // bad sector(s)
  | '+'; // finished

export interface MapBlock {
  pos: number;
  size: number;
  status: BlockStatus;
}

const BLOCK_STATUSES = new Set(['?', '*', '/', '-', '+']);
const CURRENT_STATUSES = new Set(['?', '*', '/', '-', 'F', 'G', '+']);

export class RescueMap {
  currentPos = 0;
  /** '?' copying, '*' trimming, '/' scraping, '-' retrying, '+' finished. */
  currentStatus = '?';
  currentPass = 1;
  /** Sorted, contiguous, adjacent blocks never share a status. */
  blocks: MapBlock[];

  constructor(readonly size: number, blocks?: MapBlock[]) {
    this.blocks = blocks ?? (size > 0 ? [{ pos: 0, size, status: '?' }] : []);
  }

  /** Marks [pos, pos+size) with `status`, splitting and merging blocks. */
  set(pos: number, size: number, status: BlockStatus): void {
    const end = Math.min(pos + size, this.size);
    if (end <= pos) return;
    const out: MapBlock[] = [];
    let placed = false;
    for (const b of this.blocks) {
      const bEnd = b.pos + b.size;
      if (bEnd <= pos || b.pos >= end) {
        if (!placed && b.pos >= end) {
          push(out, { pos, size: end - pos, status });
          placed = true;
        }
        push(out, { ...b });
        continue;
      }
      if (b.pos < pos) push(out, { pos: b.pos, size: pos - b.pos, status: b.status });
      if (!placed) {
        push(out, { pos, size: end - pos, status });
        placed = true;
      }
      if (bEnd > end) push(out, { pos: end, size: bEnd - end, status: b.status });
    }
    if (!placed) push(out, { pos, size: end - pos, status });
    this.blocks = out;
  }

  /** Blocks with one of the given statuses (copies, safe to iterate while calling set). */
  find(...statuses: BlockStatus[]): MapBlock[] {
    return this.blocks.filter((b) => statuses.includes(b.status)).map((b) => ({ ...b }));
  }

  bytesWith(status: BlockStatus): number {
    return this.blocks.reduce((n, b) => n + (b.status === status ? b.size : 0), 0);
  }

  /** Everything not finished: what `scan --map` must treat as unread. */
  unreadRanges(): ByteRange[] {
    return this.blocks.filter((b) => b.status !== '+').map((b) => ({ offset: b.pos, length: b.size }));
  }
}

function push(out: MapBlock[], b: MapBlock): void {
  if (b.size <= 0) return;
  const last = out[out.length - 1];
  if (last && last.status === b.status && last.pos + last.size === b.pos) last.size += b.size;
  else out.push(b);
}

function num(s: string, line: number): number {
  const v = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^0[0-7]*$/.test(s) ? parseInt(s, 8) : /^[1-9][0-9]*$/.test(s) ? parseInt(s, 10) : NaN;
  if (!Number.isSafeInteger(v)) throw new Error(`mapfile line ${line}: bad number '${s}'`);
  return v;
}

/** Parses a mapfile; `size`, when given, must match the extent of the blocks. */
export function parseMap(text: string, size?: number): RescueMap {
  let header: [number, string, number] | null = null;
  const blocks: MapBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    if (!header) {
      if (f.length < 2 || !CURRENT_STATUSES.has(f[1]!)) throw new Error(`mapfile line ${i + 1}: bad status line`);
      header = [num(f[0]!, i + 1), f[1]!, f[2] ? num(f[2], i + 1) : 1];
      continue;
    }
    if (f.length < 3 || !BLOCK_STATUSES.has(f[2]!)) throw new Error(`mapfile line ${i + 1}: bad block line`);
    const b = { pos: num(f[0]!, i + 1), size: num(f[1]!, i + 1), status: f[2] as BlockStatus };
    const prev = blocks[blocks.length - 1];
    if ((prev ? prev.pos + prev.size : 0) !== b.pos) throw new Error(`mapfile line ${i + 1}: blocks not contiguous`);
    blocks.push(b);
  }
  if (!header) throw new Error('mapfile: no status line');
  const last = blocks[blocks.length - 1];
  const extent = last ? last.pos + last.size : 0;
  if (size !== undefined && extent !== size) {
    throw new Error(`mapfile covers ${extent} bytes but the source has ${size}`);
  }
  const map = new RescueMap(extent, []);
  for (const b of blocks) push(map.blocks, b);
  [map.currentPos, map.currentStatus, map.currentPass] = header;
  return map;
}

const hex = (n: number, w: number) => '0x' + n.toString(16).toUpperCase().padStart(w, '0');

export function formatMap(map: RescueMap, commandLine = 'keycarve image'): string {
  const now = new Date().toISOString().replace('T', ' ').slice(0, 19);
  const lines = [
    '# Mapfile. Created by keycarve (GNU ddrescue mapfile format)',
    `# Command line: ${commandLine.replace(/\n/g, ' ')}`,
    `# Current time: ${now}`,
    '# current_pos  current_status  current_pass',
    `${hex(map.currentPos, 8)}     ${map.currentStatus}               ${map.currentPass}`,
    '#      pos        size  status',
    ...map.blocks.map((b) => `${hex(b.pos, 8)}  ${hex(b.size, 8)}  ${b.status}`),
  ];
  return lines.join('\n') + '\n';
}

/** Writing a map is output's job (output/rescue-files.ts); the source only reads. */
export async function readMapFile(path: string, size?: number): Promise<RescueMap> {
  return parseMap(await readFile(path, 'utf8'), size);
}
