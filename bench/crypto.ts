// Speed of the recovery hot paths: CPKDF (per password × masks candidate) and unmask + fingerprint
// (per primary × masks candidate). Run: npx tsx bench/crypto.ts
import { cpkdf } from '../src/crypto/cpkdf.ts';
import { curveByOid, fingerprint } from '../src/crypto/curves.ts';
import { SBOX_CRYPTOPRO_A, SBOX_TC26_Z, ecbEncrypt } from '../src/crypto/gost28147.ts';
import { gost341194 } from '../src/crypto/gost341194.ts';
import { streebog256 } from '../src/crypto/streebog.ts';
import { unmaskPrivateKey } from '../src/crypto/unmask.ts';

function bench(name: string, runs: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(5, runs); i++) fn(i); // warm-up: JIT and noble's lazy base-point tables
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`${name.padEnd(44)} median ${median.toFixed(3).padStart(8)} ms   min ${times[0]!.toFixed(3)} ms   (${runs} runs)`);
  return median;
}

const pw = new TextEncoder().encode('password');
const salt = Uint8Array.from({ length: 12 }, (_, i) => i * 17);
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 7 + 1) & 255);

console.log(`node ${process.version}`);
bench('CPKDF 2000 it, GOST R 34.11-94', 30, (i) => { salt[0] = i; cpkdf(pw, salt, 'gost3411-94'); });
bench('CPKDF 2000 it, Streebog-256', 30, (i) => { salt[0] = i; cpkdf(pw, salt, 'streebog256'); });
bench('  the same in TypeScript, GOST R 34.11-94', 10, (i) => { salt[0] = i; cpkdf(pw, salt, 'gost3411-94', { native: false }); });
bench('  the same in TypeScript, Streebog-256', 10, (i) => { salt[0] = i; cpkdf(pw, salt, 'streebog256', { native: false }); });
bench('GOST R 34.11-94, 128 B x1000', 10, () => { const m = bytes(128, 1); for (let i = 0; i < 1000; i++) gost341194(m); });
bench('Streebog-256, 192 B x1000', 10, () => { const m = bytes(192, 1); for (let i = 0; i < 1000; i++) streebog256(m); });
bench('28147 ECB 64 KiB', 10, () => { ecbEncrypt(bytes(32, 3), new Uint8Array(65536), SBOX_TC26_Z); });

for (const [oid, sbox] of [['1.2.643.2.2.36.0', SBOX_CRYPTOPRO_A], ['1.2.643.7.1.2.1.1.1', SBOX_TC26_Z], ['1.2.643.7.1.2.1.2.1', SBOX_TC26_Z]] as const) {
  const curve = curveByOid(oid)!;
  const kek = bytes(32, 5);
  bench(`unmask + fingerprint, ${curve.size * 8}-bit ${oid}`, 200, (i) => {
    const d = unmaskPrivateKey(curve, kek, bytes(curve.size, i), bytes(curve.size, i + 1000), sbox);
    if (d !== null) fingerprint(curve, d);
  });
}
