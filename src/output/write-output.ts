/**
 * Writes the reassembly into --out: containers/<path>/<folder>/ ready for CryptoPro, pkcs12/,
 * certificates/, loose/, report.json, report.dfxml, report.html and summary.txt. Everything goes through OutDir (safe names, no overwrite).
 */
import { decodeCp1251 } from '../format/name-key.ts';
import { parseName } from '../format/name-key.ts';
import type { Reassembly, RecoveredContainer } from '../reassemble/index.ts';
import { ROLES, type OtherFile } from '../reassemble/key-files.ts';
import { OutDir } from './out-dir.ts';
import { dfxml } from './dfxml.ts';
import { html } from './html.ts';
import { placementOf, type Placements } from './placement.ts';
import { REPORT_FILES, type Report, type ReportContainer } from './report.ts';
import { nextFreeFolder, safeName, safePath } from './safe-name.ts';
import { summary } from './summary.ts';

const hex = (n: number) => n.toString(16).padStart(8, '0');

/** CryptoPro's folder rule: the first 8 characters of the name, extension .000 (format notes §1). */
function folderFromName(c: RecoveredContainer): string {
  const nameFile = c.files['name.key'];
  if (nameFile) {
    const p = parseName(nameFile.bytes);
    if (p.ok) {
      const ascii = p.value.text.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 8);
      if (ascii.length > 0) return `${ascii}.000`;
    }
  }
  // Bytes with no place on the medium (NTFS-resident, decoded from a .reg) have offset -1: no number then.
  const at = Object.values(c.files).find((k) => k!.offset >= 0)?.offset;
  return at === undefined ? 'container.000' : `container-${hex(at)}.000`;
}

/** A registry key (HKLM\\…\\Users\\<SID>\\Keys\\<name>, in a hive or a .reg export) goes under registry/<SID or machine>/; a folder under its path. */
function containerParents(c: RecoveredContainer): string[] {
  const registry = c.evidence.includes('registry') || c.evidence.includes('reg-export');
  if (!c.originalPath) return registry ? ['registry'] : [];
  if (!registry || !c.originalPath.startsWith('HKLM\\')) return safePath(c.originalPath).slice(0, -1);
  const sid = /\\Users\\([^\\]+)\\Keys\\/i.exec(c.originalPath)?.[1];
  return ['registry', ...safePath(sid ?? 'machine')];
}

/** How the summary is laid out: `out` as the user typed it, `width` the terminal's (summary.txt is the same text). */
export interface SummaryView {
  readonly out: string;
  readonly width?: number;
}

export async function writeOutput(out: OutDir, r: Reassembly, report: Report, view: SummaryView): Promise<void> {
  const dirs: string[] = [];
  const placements: Placements = new Map();
  for (const c of r.containers) {
    const folder = c.folder ?? folderFromName(c);
    const dir = out.reserve('containers', containerParents(c), folder, nextFreeFolder);
    dirs.push(dir);
    for (const role of ROLES) {
      const k = c.files[role];
      if (!k) continue;
      await out.writeFile(`${dir}/${role}`, k.bytes);
      placements.set(`${dir}/${role}`, placementOf(k));
    }
  }
  r.containers.forEach((c, i) => report.containers.push(containerEntry(c, dirs[i]!, dirs)));

  for (const { file: p, keyId, checks } of r.pkcs12) {
    const path = reserveOther(out, 'pkcs12', p, `pkcs12-${hex(p.offset)}.p12`);
    await out.writeFile(path, p.bytes);
    placements.set(path, placementOf(p));
    report.pkcs12.push({
      path, offset: p.offset, size: p.bytes.length, sha256: p.sha256, evidence: [...p.evidence], originalName: p.name, originalPath: p.originalPath, deleted: p.deleted, keyId,
      checks: checks.map((c) => ({ name: c.name, ok: c.ok, detail: c.detail })),
      problems: checks.filter((c) => !c.ok).map((c) => c.detail),
    });
  }
  const written = new Map<OtherFile, string>(); // a bundle is written once, for all its certificates
  for (const { file, info, format } of r.certificates) {
    let path = written.get(file);
    if (!path) {
      const fallback = certificateFileName(info.subject, info.serialHex).replace(/\.cer$/, format.startsWith('pkcs7') ? '.p7b' : '.cer');
      path = reserveOther(out, 'certificates', file, fallback);
      await out.writeFile(path, file.bytes); // the bytes as found (DER, PEM, PKCS#7), so sha256 matches the medium
      written.set(file, path);
      placements.set(path, placementOf(file));
    }
    report.certificates.push({
      path, offset: file.offset, size: file.bytes.length, sha256: file.sha256, evidence: [...file.evidence], originalName: file.name,
      originalPath: file.originalPath, deleted: file.deleted, format,
      subject: info.subject, issuer: info.issuer, serial: info.serialHex, notBefore: info.notBefore.toISOString(), notAfter: info.notAfter.toISOString(),
    });
  }
  for (const k of r.loose) {
    const base = k.role ? k.role.replace(/\.key$/, '') : k.kind;
    const path = out.reserve('loose', [], `${base}-${hex(Math.max(0, k.offset))}.key`, nextFreeName);
    await out.writeFile(path, k.bytes);
    placements.set(path, placementOf(k));
    report.loose.push({ path, kind: k.kind, offset: k.offset, size: k.bytes.length, sha256: k.sha256, evidence: [...k.evidence], ...(k.fs?.from ? { from: k.fs.from } : {}) });
  }
  await out.writeFile(REPORT_FILES.json, JSON.stringify(report, null, 2) + '\n');
  await out.writeFile(REPORT_FILES.dfxml, dfxml(report, placements));
  await out.writeFile(REPORT_FILES.html, html(report, placements));
  await out.writeFile(REPORT_FILES.summary, summary(report, view.out, view.width));
}

/**
 * "<CN>-<serial>.cer": the holder a technician looks for, and the serial the CA's records use, which
 * also tells two certificates of one person apart (a clash still gets -1, -2 … from reserve()).
 */
export function certificateFileName(subject: string, serialHex: string): string {
  const cn = /(?:^|, )CN=(.*?)(?=, [A-Za-z][A-Za-z0-9.]*=|$)/.exec(subject)?.[1] ?? subject.split(', ')[0]!.replace(/^[^=]*=/, '');
  const tail = `-${serialHex.replace(/^(00)+(?=.)/, '') || '0'}.cer`;
  // Shorten the CN, not the serial, to stay within safeName's byte bound.
  let stem = [...safeName(cn, 'certificate')];
  while (Buffer.byteLength(stem.join('') + tail) > 200) stem = stem.slice(0, -1);
  return safeName(stem.join('') + tail);
}

/** `<area>/<path on the medium>/<original name>` when a file system knows them, else `<area>/<fallback>`. */
function reserveOther(out: OutDir, area: string, f: OtherFile, fallback: string): string {
  const parents = f.originalPath ? safePath(f.originalPath).slice(0, -1) : [];
  return out.reserve(area, parents, f.name ? safeName(f.name) : fallback, nextFreeName);
}

function nextFreeName(name: string, taken: (n: string) => boolean): string {
  if (!taken(name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let i = 1; ; i++) if (!taken(`${stem}-${i}${ext}`)) return `${stem}-${i}${ext}`;
}

function containerEntry(c: RecoveredContainer, dir: string, dirs: string[]): ReportContainer {
  const r = c.result;
  const files: ReportContainer['files'] = {};
  for (const role of ROLES) {
    const k = c.files[role];
    if (k) files[role] = { offset: k.offset, size: k.bytes.length, sha256: k.sha256, fragments: k.fragments, evidence: [...k.evidence], ...(k.fs?.from ? { from: k.fs.from } : {}) };
  }
  return {
    dir,
    name: r.name ?? (r.nameRawHex ? decodeCp1251(Buffer.from(r.nameRawHex, 'hex')) : null),
    status: r.status.kind,
    evidence: c.evidence,
    deleted: c.deleted,
    originalPath: c.originalPath,
    ...(c.profilePath ? { profilePath: c.profilePath } : {}),
    algorithm: r.algorithm,
    passwordProtected: r.passwordRequired,
    // A built-in likely password: named by its variant only; `keycarve password <dir>` prints it.
    password: c.password && c.password.index >= 0 && c.password.variant !== 'likely' ? c.password.index : null,
    passwordVariant: c.password && c.password.index >= 0 ? c.password.variant : null,
    certificate: r.certificate ? { subject: r.certificate.subject, notBefore: r.certificate.notBefore, notAfter: r.certificate.notAfter, source: r.certificate.source } : null,
    keyNotAfter: r.keyNotAfter,
    fingerprint: r.fingerprint,
    files,
    keys: r.keys.map((k) => ({ role: k.role, files: [...k.files], verified: k.verified, reserve: k.reserve })),
    checks: r.checks.map((x) => ({ name: x.name, ok: x.ok, detail: x.detail })),
    problems: c.problems,
    copies: c.copies.map((i) => dirs[i]!),
  };
}
