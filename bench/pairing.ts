/**
 * Pairing cost: 100 primaries × 100 masks (plus 100 headers) with no folder evidence — the worst
 * case after a quick format that also wiped the directories. Prints the work counters and time, with
 * the default cap and with the cap lifted.
 */
import { makeContainer } from '../test/helpers/containers.ts';
import { identifyKeyFile } from '../src/format/key-file-id.ts';
import { pairByCryptography } from '../src/reassemble/crypto-pairing.ts';
import type { KeyFile } from '../src/reassemble/key-files.ts';
import { passwordVariants } from '../src/reassemble/password-variants.ts';

const N = Number(process.env.PAIRS ?? 100);
let id = 0;
const file = (bytes: Uint8Array, offset: number): KeyFile => ({
  id: id++, kind: identifyKeyFile(bytes)!.kind, role: null, bytes, offset, fragments: 1, evidence: new Set(['carved']),
  ident: identifyKeyFile(bytes)!, fs: null, problems: [], sha256: String(id),
});
const headers: KeyFile[] = [];
const masks: KeyFile[] = [];
const primaries: KeyFile[] = [];
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const c = makeContainer({ algorithm: 'gost2012-256', seed: `bench-${i}`, reserve: false, ...(i % 2 ? { password: 'Qwerty12' } : {}) });
  // Scatter the files: offsets say nothing about which belong together.
  headers.push(file(c.files['header.key']!, ((i * 7919) % N) * 65536));
  masks.push(file(c.files['masks.key']!, ((i * 104729) % N) * 65536 + 4096));
  primaries.push(file(c.files['primary.key']!, ((i * 1299709) % N) * 65536 + 8192));
}
console.log(`made ${N} containers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const variants = passwordVariants(['Qwerty12']);
for (const cap of [20_000, Number.MAX_SAFE_INTEGER]) {
  const t = performance.now();
  const r = pairByCryptography(headers, masks, primaries, [], variants, { maxScalarMults: cap, maxKdf: 10_000 });
  const ms = performance.now() - t;
  console.log(
    `pairing ${N} primaries × ${N} masks (cap ${cap === Number.MAX_SAFE_INTEGER ? 'none' : cap}): ${(ms / 1000).toFixed(2)} s, ` +
      `${r.matched.length} matched, KDF ${r.work.kdf}, unmask ${r.work.unmask}, scalar mults ${r.work.scalarMults}, cut off ${r.work.cutOff}`,
  );
}
