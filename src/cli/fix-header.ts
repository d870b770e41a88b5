/**
 * `keycarve fix-header <container-dir> --cert <file> [--password <pw>]... [--out <dir> | --in-place]`
 * Rebuilds header.key from the certificate (format notes §7) after proving that the key in
 * primary/masks is the certificate's key; writes a copy into --out, or with --in-place replaces
 * header.key after keeping the old one as header.key.bak (never overwriting anything).
 */
import { copyFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileProblem } from '../file-errors.ts';
import { verifyContainer } from '../format/container.ts';
import { rebuildFromCertificate } from '../format/header-rebuild.ts';
import { OutDir } from '../output/out-dir.ts';
import { readContainerDir, readSmallFile, FIELD } from './container-dir.ts';
import { lineIo, type CommandIo } from './io.ts';

export interface FixHeaderOptions {
  cert: string;
  password: string[];
  out?: string;
  inPlace?: boolean;
}

export async function fixHeaderCommand(dir: string, opts: FixHeaderOptions, commandIo: CommandIo): Promise<number> {
  const io = lineIo(commandIo);
  if (!opts.out && !opts.inPlace) {
    io.err('keycarve fix-header: give --out <dir> for a repaired copy, or --in-place to replace header.key (the old one is kept as header.key.bak)');
    return 2;
  }
  let loaded;
  let cert: Uint8Array;
  try {
    loaded = await readContainerDir(dir);
  } catch (e) {
    io.err(`keycarve fix-header: ${fileProblem(dir, e)}`);
    return 1;
  }
  try {
    cert = await readSmallFile(opts.cert, 'certificate');
  } catch (e) {
    io.err(`keycarve fix-header: ${fileProblem(`--cert ${opts.cert}`, e)}`);
    return 1;
  }
  const r = rebuildFromCertificate(loaded.files, cert, opts.password);
  if (!r.ok) {
    io.err(`keycarve fix-header: refused: ${r.why}`);
    return 1;
  }
  let target: string;
  if (opts.inPlace) {
    target = resolve(dir);
    const actual = loaded.names['header.key'];
    if (actual) {
      let bak = join(target, 'header.key.bak');
      for (let i = 1; await exists(bak); i++) bak = join(target, `header.key.bak${i}`);
      await rename(join(target, actual), bak);
      io.out(`old header kept as ${bak}`);
    }
    await writeFile(join(target, 'header.key'), r.header, { flag: 'wx' });
  } else {
    try {
      target = (await OutDir.prepare(opts.out!)).root;
    } catch (e) {
      io.err(`keycarve fix-header: ${(e as Error).message}`);
      return 1;
    }
    for (const [fname, actual] of Object.entries(loaded.names)) if (fname !== 'header.key') await copyFile(join(dir, actual), join(target, fname), 1 /* COPYFILE_EXCL */);
    await writeFile(join(target, 'header.key'), r.header, { flag: 'wx' });
  }
  const fixed = { ...loaded.files, [FIELD['header.key']]: r.header };
  const v = verifyContainer(fixed, opts.password);
  io.out(`header.key rebuilt from ${opts.cert} → ${join(target, 'header.key')}`);
  io.out(`verdict: ${v.status.kind}${v.problems.length ? ` (${v.problems.join('; ')})` : ''}`);
  return v.status.kind === 'verified' ? 0 : 1;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
