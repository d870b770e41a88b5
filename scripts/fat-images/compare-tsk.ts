// Builds the FAT test images (test/fs/fat/build.ts) and recovers them with keycarve and with The
// Sleuth Kit (`tsk_recover -e -o <sector>`), then reports per container file whether each tool got
// the exact bytes. Run: npx tsx scripts/fat-images/compare-tsk.ts
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fatDirCarver } from '../../src/carve/fat-dir.ts';
import { analyseFat } from '../../src/fs/fat/index.ts';
import {
  buildFat12Plain, buildFat16Plain, buildFat32HighWord, buildFat32Plain, buildFragmented, buildMbrTwo, buildQuickFormat, type BuiltImage,
} from '../../test/fs/fat/build.ts';
import { bytesOf, carveImage, fileReader } from '../../test/fs/fat/images.ts';

export type Outcome = 'exact' | 'wrong-bytes' | 'missing';
export interface Row {
  image: string;
  container: string;
  file: string;
  keycarve: Outcome;
  tsk: Outcome;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

const same = (a: Uint8Array | null, b: Uint8Array) => !!a && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
/** TSK shows a lost first letter as '_'; match names case-insensitively with that in mind. */
const nameLike = (got: string, want: string | RegExp) =>
  typeof want === 'string' ? got.toLowerCase() === want.toLowerCase() || got.toLowerCase() === '_' + want.slice(1).toLowerCase() : want.test(got);

export async function compareWithTsk(dir: string): Promise<{ rows: Row[]; fls: Record<string, string> }> {
  const images: BuiltImage[] = [
    buildFat12Plain(dir),
    buildFat16Plain(dir),
    buildFat32Plain(dir),
    buildFat32HighWord(dir),
    buildFragmented(dir),
    buildQuickFormat(dir),
    ...buildMbrTwo(dir),
  ];
  const rows: Row[] = [];
  const fls: Record<string, string> = {};
  for (const img of images) {
    const r = fileReader(img.path);
    const orphanDirs = img.name.includes('quick') ? await carveImage(r, fatDirCarver) : undefined;
    const res = await analyseFat(r, img.offset, orphanDirs ? { orphanDirs } : {});
    const out = join(dir, `tsk-${img.name}`);
    try {
      execFileSync('tsk_recover', ['-e', '-o', String(img.offset / 512), img.path, out], { stdio: 'pipe' });
    } catch {
      // TSK gives up on some images; everything then counts as missing.
    }
    try {
      fls[img.name] = execFileSync('fls', ['-r', '-d', '-o', String(img.offset / 512), img.path], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      fls[img.name] = `fls failed: ${String(e)}`;
    }
    const tskFiles = existsSync(out) ? walk(out).map((p) => relative(out, p).split('/')) : [];
    for (const ex of img.expects)
      for (const [name, want] of Object.entries(ex.files)) {
        const kc = res?.files.find((f) => f.parentName !== null && nameLike(f.parentName, ex.folder) && f.name.toLowerCase() === name);
        const kcBytes = kc && kc.confirmed ? await bytesOf(r, kc) : null;
        const t = tskFiles.find((parts) => parts.length >= 2 && nameLike(parts[parts.length - 2]!, ex.folder) && nameLike(parts[parts.length - 1]!, name));
        const tBytes = t ? new Uint8Array(readFileSync(join(out, ...t))) : null;
        rows.push({
          image: img.name,
          container: String(ex.folder),
          file: name,
          keycarve: !kcBytes ? 'missing' : same(kcBytes, want) ? 'exact' : 'wrong-bytes',
          tsk: !tBytes ? 'missing' : same(tBytes, want) ? 'exact' : 'wrong-bytes',
        });
      }
    r.close();
  }
  return { rows, fls };
}

export function summarise(rows: readonly Row[]): string {
  const by = new Map<string, Row[]>();
  for (const r of rows) by.set(r.image, [...(by.get(r.image) ?? []), r]);
  const lines = ['image | files | keycarve exact | TSK exact | TSK wrong bytes | TSK missing'];
  for (const [img, rs] of by) {
    const n = (f: (r: Row) => boolean) => rs.filter(f).length;
    lines.push(`${img} | ${rs.length} | ${n((r) => r.keycarve === 'exact')} | ${n((r) => r.tsk === 'exact')} | ${n((r) => r.tsk === 'wrong-bytes')} | ${n((r) => r.tsk === 'missing')}`);
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'kc-tsk-'));
  try {
    const { rows } = await compareWithTsk(dir);
    console.log(summarise(rows));
    for (const r of rows) if (r.tsk !== 'exact' || r.keycarve !== 'exact') console.log(`  ${r.image} ${r.container}/${r.file}: keycarve ${r.keycarve}, TSK ${r.tsk}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
