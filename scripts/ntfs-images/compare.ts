// Case-by-case comparison on the make.sh images: keycarve (MFT walk, linear-pass records) vs
// The Sleuth Kit (tsk_recover -e, icat by the inode fls -r -d/-p reports) vs ntfsundelete.
//   npx tsx scripts/ntfs-images/compare.ts <dir with a.img b.img>
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseNtfs, parseNtfsBoot } from '../../src/fs/ntfs/index.ts';
import { filesFromRecords } from '../../src/fs/ntfs/records.ts';
import { ntfsRecordCarver } from '../../src/carve/ntfs-record.ts';
import type { Candidate } from '../../src/carve/types.ts';
import type { FileEvidence } from '../../src/fs/types.ts';
import { WANT_A, WANT_B, type Want } from './expected.ts';

const SAMPLES = process.env.SAMPLES ?? '/work/shared/samples';
const dir = process.argv[2]!;

function run(cmd: string, args: string[]): Buffer | null {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  } catch {
    return null;
  }
}
function carveAll(img: Uint8Array): Candidate[] {
  const out: Candidate[] = [];
  for (let o = 0; o + 512 <= img.length; o += 512)
    if (img[o] === 0x46 && img[o + 1] === 0x49 && img[o + 2] === 0x4c && img[o + 3] === 0x45)
      out.push(...ntfsRecordCarver.carve({ base: 0, bytes: img, page: img.length }, o));
  return out;
}
function bytesOf(img: Uint8Array, f: FileEvidence): Buffer | null {
  if (f.resident) return Buffer.from(f.resident);
  if (!f.extents.length && f.size) return null;
  return Buffer.concat(f.extents.map((e) => img.subarray(e.offset, e.offset + e.length))).subarray(0, f.size);
}
const verdict = (got: Buffer | null | undefined, want: Buffer) =>
  got === undefined || got === null ? 'missing' : got.equals(want) ? 'exact' : got.length !== want.length ? `wrong size ${got.length}` : 'wrong bytes';

async function image(name: string, wants: readonly Want[]) {
  const path = join(dir, name);
  const img = new Uint8Array(readFileSync(path));
  const reader = { size: img.length, read: async (o: number, l: number) => (o < img.length ? img.slice(o, o + l) : null) };
  const recs = carveAll(img);
  const boot = parseNtfsBoot(img);
  const walk = (await analyseNtfs(reader, 0, {}))?.files ?? [];
  const linear = filesFromRecords(recs, boot ? { offset: 0, clusterSize: boot.clusterSize, totalClusters: boot.totalClusters } : undefined).files;
  // TSK: fls -r -p names every entry (deleted ones with '*') with its inode address.
  const fls = run('fls', ['-r', '-p', path])?.toString() ?? '';
  const flsDeleted = run('fls', ['-r', '-d', '-p', path])?.toString() ?? '';
  const inode = new Map<string, string>();
  for (const line of fls.split('\n')) {
    const m = /^\S+ (?:\* )?(\d+-\d+-\d+):\t(.*)$/.exec(line.trim());
    if (m) inode.set('/' + m[2]!, m[1]!);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'kc-cmp-'));
  const tskOut = join(tmp, 'tsk');
  const tskOk = run('tsk_recover', ['-e', path, tskOut]) !== null;
  const nu = run('ntfsundelete', ['-s', path])?.toString() ?? null;
  console.log(`\n== ${name}: TSK ${fls ? 'reads it' : 'cannot read it'} (fls -r -d lists ${flsDeleted.split('\n').filter(Boolean).length} deleted entries); ntfsundelete ${nu ? 'reads it' : 'cannot mount it'}; keycarve carved ${recs.length} FILE records`);
  console.log(['case', 'file', 'keycarve walk', 'keycarve records', 'tsk_recover -e', 'icat', 'ntfsundelete'].join('\t'));
  for (const w of wants) {
    const folder = w.path.split('/').pop()!;
    for (const fname of readdirSync(join(SAMPLES, w.sample)).sort()) {
      const want = readFileSync(join(SAMPLES, w.sample, fname));
      const pick = (fs: readonly FileEvidence[]) => fs.find((f) => f.parentPath === w.path && f.parentName === folder && f.name === fname);
      const a = pick(walk);
      const b = pick(linear);
      const t = join(tskOut, w.path, fname);
      const tsk = tskOk && existsSync(t) ? readFileSync(t) : null;
      const ino = inode.get(`${w.path}/${fname}`);
      const icat = ino ? run('icat', [path, ino]) : null;
      let und = 'n/a (live)';
      if (w.deleted) {
        if (!ino || !nu) und = 'missing';
        else {
          const out = join(tmp, `u-${ino}`);
          run('ntfsundelete', ['-u', '-i', ino.split('-')[0]!, '-d', tmp, '-o', `u-${ino}`, path]);
          und = verdict(existsSync(out) ? readFileSync(out) : null, want) + ' (no folder)';
        }
      }
      console.log(
        [
          `${w.path} ${w.deleted ? 'deleted' : 'live'}`,
          `${fname} ${want.length}`,
          verdict(a && bytesOf(img, a), want),
          verdict(b && bytesOf(img, b), want) + (b && !b.extents.length && !b.resident ? ' (no extents)' : ''),
          verdict(tsk, want),
          verdict(icat, want),
          und,
        ].join('\t'),
      );
    }
  }
  rmSync(tmp, { recursive: true, force: true });
}

await image('a.img', WANT_A);
await image('b.img', WANT_B);
