// `keycarve verify <container-dir> [--password <pw>]... [--cert <file>] [--json]`
// Reads one container folder, runs verifyContainer and prints each check. Exit code: 0 for
// verified/intact, 1 otherwise — including a folder (or --cert) that cannot be read or holds no
// key files (main.ts: a named file that cannot be used is "could not run").

import { certificatesIn } from '../format/certificate.ts';
import { verifyAgainstCertificates } from '../format/certificate-file.ts';
import { verifyContainer, type ContainerResult } from '../format/container.ts';
import { fileProblem } from '../file-errors.ts';
import { downgrade, nonEmpty } from '../format/status.ts';
import { readContainerDir, readSmallFile, MAX_FILE } from './container-dir.ts';
import { lineIo, type CommandIo, type LineIo } from './io.ts';

export interface VerifyOptions {
  password: string[];
  cert?: string | undefined;
  json?: boolean | undefined;
}

export async function verifyCommand(dir: string, opts: VerifyOptions, commandIo: CommandIo): Promise<number> {
  const io = lineIo(commandIo);
  let loaded: Awaited<ReturnType<typeof readContainerDir>>;
  try {
    loaded = await readContainerDir(dir);
  } catch (e) {
    io.err(`keycarve verify: ${fileProblem(dir, e)}`);
    return 1;
  }
  const { files, tooBig } = loaded;
  if (Object.keys(files).length === 0 && tooBig.length === 0) {
    io.err(`keycarve verify: ${dir} holds no CryptoPro key files (header.key, primary.key, masks.key, name.key) — give the container folder itself, e.g. …/abcdefgh.000`);
    return 1;
  }
  let cert: Uint8Array | undefined;
  if (opts.cert) {
    try {
      cert = await readSmallFile(opts.cert, 'certificate');
    } catch (e) {
      io.err(`keycarve verify: ${fileProblem(`--cert ${opts.cert}`, e)}`);
      return 1;
    }
  }
  // A bundle (PKCS#7, PEM chain): the certificate the key proves; else the first, whose mismatch is reported.
  const proven = cert ? verifyAgainstCertificates(files, opts.password, certificatesIn(cert)?.certificates ?? [], 'folder') : null;
  const r = proven ?? verifyContainer(files, opts.password, cert);
  const unread = nonEmpty(tooBig.map((f) => `${f}: larger than ${MAX_FILE} bytes, not read`));
  const result: ContainerResult = unread ? { ...r, status: downgrade(r.status, ...unread), problems: [...r.problems, ...unread] } : r;
  if (opts.json) io.out(JSON.stringify(toJson(dir, result), null, 2));
  else printHuman(dir, result, opts, io);
  return result.status.kind === 'verified' || result.status.kind === 'intact' ? 0 : 1;
}

/** The JSON form: every public field, never the private key. */
export function toJson(dir: string, r: ContainerResult): Record<string, unknown> {
  const { privateKey: _omit, ...pub } = r;
  void _omit;
  return { dir, ...pub, status: r.status.kind };
}

function printHuman(dir: string, r: ContainerResult, opts: VerifyOptions, io: LineIo): void {
  const yesNo = (b: boolean | null): string => (b === null ? 'unknown' : b ? 'yes' : 'no');
  io.out(`Container:   ${dir}`);
  io.out(`Name:        ${r.name ?? '(name.key missing or unreadable)'}`);
  io.out(`Algorithm:   ${r.algorithm ?? 'unknown'}${r.curveOid ? ` (curve ${r.curveOid})` : ''}`);
  io.out(`Password:    ${r.passwordRequired === null ? 'unknown' : r.passwordRequired ? 'required' : 'none'}`);
  if (!r.opened && r.passwordRequired) io.out(`Opened with: not opened — ${opts.password.length === 0 ? 'no password given' : `none of ${opts.password.length} password(s) matches`}`);
  if (r.opened) io.out(`Opened with: ${r.passwordIndex === null ? 'the empty password' : `password #${r.passwordIndex + 1}${r.passwordEncoding === 'cp1251' ? ' (cp1251 bytes)' : ''}`}`);
  if (r.fingerprint) io.out(`Fingerprint: ${r.fingerprint}`);
  const keyText = (k: ContainerResult['keys'][number]) => `${k.reserve ? 'reserve copy' : (k.role ?? 'key')} in ${k.files.join(' + ')} ${k.verified ? '✓' : '(not proven)'}`;
  if (r.keys.length) io.out(`Keys:        ${r.keys.map(keyText).join('; ')}`);
  if (r.keyNotAfter) io.out(`Key valid until: ${r.keyNotAfter}`);
  if (r.exportable !== null) io.out(`Exportable:  ${yesNo(r.exportable)}`);
  if (r.certificate) {
    io.out(`Certificate: ${r.certificate.subject} (${r.certificate.source === 'header' ? 'in header.key' : 'given file'})`);
    io.out(`             valid ${r.certificate.notBefore} … ${r.certificate.notAfter}`);
  } else io.out('Certificate: none');
  io.out('Checks:');
  for (const c of r.checks) io.out(`  ${c.ok ? '✓' : '✗'} ${c.name.padEnd(18)} ${c.files.join(', ')}: ${c.detail}`);
  for (const p of r.problems) if (!r.checks.some((c) => !c.ok && p.endsWith(c.detail))) io.out(`  ! ${p}`);
  const verdict =
    r.status.kind === 'verified'
      ? 'VERIFIED: the private key was unmasked and matches its public key — the container works'
      : r.status.kind === 'intact'
        ? 'INTACT: every file is valid and its MACs are correct; the key was not checked (password unknown)'
        : `PARTIAL: ${r.problems.length} problem(s) — ${r.problems.join('; ')}`;
  io.out(verdict);
}
