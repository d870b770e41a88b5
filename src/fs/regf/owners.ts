/**
 * Who a value belonged to, for values no live key lists (docs/registry.md §2.8, §6): the key node
 * whose value list still names it — live, or freed with its value count kept (Windows) — else a
 * bare value-list cell naming it (hivex zeroes a freed key's value count but leaves the list).
 * Records inside coalesced free cells sit at their old cell starts, so free cells are read at every
 * 8-byte step. What none of these claims is left to the reassembler's cryptographic pairing.
 */
import { u32 } from '../../layout/le.ts';
import { cellAt, cells, keyAt, parseNk, parseVk, type Hive, type KeyNode, type ValueKey } from './hive.ts';
import { keyFileName } from '../../format/key-file-names.ts';

/** A key node's value list or a lone list: the offset it is known by, and the key when it survives. */
export interface Owner {
  readonly id: string;
  readonly nk: KeyNode | null;
}

/** More values than this in one key is no container (six files, a few extra at most). */
const MAX_VALUES = 64;
/** Parent links followed when naming a freed key (a registry path is far shallower). */
const MAX_DEPTH = 64;

/** Every vk named like a container file: in free cells at every 8-byte step; allocated ones too
 * when `allocated` (a carved fragment, whose live keys no root leads to). Keyed by cell offset. */
export function containerVks(h: Hive, allocated: boolean, problems: string[]): Map<number, ValueKey> {
  const out = new Map<number, ValueKey>();
  for (const c of cells(h, problems)) {
    if (!c.free && !allocated) continue;
    const last = c.free ? c.data.length - 20 : 0;
    for (let i = 0; i <= last; i += 8) {
      if (c.data[i] !== 0x76 || c.data[i + 1] !== 0x6b) continue; // "vk"
      const vk = parseVk(c.data.subarray(i), c.rel + i);
      if (vk && vk.type === 3 && keyFileName(vk.name)) out.set(vk.off, vk);
    }
  }
  return out;
}

/** vk offset → its owner, for the offsets in `vks`. A key node wins over a bare list. (The cell
 * walk's problems were said by containerVks.) */
export function valueOwners(h: Hive, vks: ReadonlyMap<number, ValueKey>): Map<number, Owner> {
  const owners = new Map<number, Owner>();
  if (vks.size === 0) return owners; // the usual hive: nothing to look for
  const lists = new Set<number>();
  for (const c of cells(h, [])) {
    const last = c.free ? c.data.length - 76 : 0;
    for (let i = 0; i <= last; i += 8) {
      if (c.data[i] !== 0x6e || c.data[i + 1] !== 0x6b) continue; // "nk"
      const nk = parseNk(c.data.subarray(i), c.rel + i);
      if (!nk || nk.valueCount === 0 || nk.valueCount > MAX_VALUES) continue;
      const list = cellAt(h, nk.valueList);
      if (!list || list.data.length < nk.valueCount * 4) continue;
      const mine = Array.from({ length: nk.valueCount }, (_, k) => u32(list.data, k * 4)).filter((o) => vks.has(o));
      if (mine.length === 0) continue;
      lists.add(nk.valueList);
      for (const o of mine) if (!owners.get(o)?.nk) owners.set(o, { id: `key:${nk.off}`, nk });
    }
  }
  // Bare lists: runs of container vk offsets in free cells that no key node claimed.
  for (const c of cells(h, [])) {
    if (!c.free || lists.has(c.rel)) continue;
    let run: number[] = [];
    const flush = () => {
      if (run.length >= 2) for (const o of run) if (!owners.has(o)) owners.set(o, { id: `list:${c.rel}`, nk: null });
      run = [];
    };
    for (let i = 0; i + 4 <= c.data.length; i += 4) {
      const o = u32(c.data, i);
      if (vks.has(o) && !run.includes(o)) run.push(o);
      else flush();
    }
    flush();
  }
  return owners;
}

/** The registry path of a container key from its parent chain, `…\` where the chain breaks; null
 * when its parent is no `Keys` key (then the key is no container key this reader knows). */
export function keyPath(h: Hive, nk: KeyNode): string | null {
  const names: string[] = [nk.name];
  const seen = new Set<number>([nk.off]);
  let at = nk.parent;
  let whole = false;
  while (names.length < MAX_DEPTH) {
    if (seen.has(at)) break;
    seen.add(at);
    const p = keyAt(h, at);
    if (!p) {
      whole = at === h.root || at === 0xffffffff;
      break;
    }
    if (p.off === h.root || p.root) {
      whole = true;
      break;
    }
    names.push(p.name);
    at = p.parent;
  }
  if (names.length < 2 || names[1]!.toLowerCase() !== 'keys') return null;
  const path = names.reverse().join('\\');
  return whole ? `HKLM\\SOFTWARE\\${path}` : `HKLM\\SOFTWARE\\…\\${path}`;
}
