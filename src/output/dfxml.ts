/**
 * report.dfxml: the report as DFXML 2.0 for forensic suites (validates against the working group's
 * schema). The medium with what was read and what failed, one volume per volume found, one
 * fileobject per written file with its exact byte runs and the times its file system keeps;
 * keycarve's own facts (container, role, status) in a namespace of their own.
 */
import { escapeMarkup as esc } from './markup.ts';
import type { FileTime, Placement, Placements } from './placement.ts';
import type { Report } from './report.ts';

export const DFXML_NS = 'http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML';
export const KEYCARVE_NS = 'urn:keycarve:dfxml:1';

/** One written file, whatever its kind. */
interface Written {
  path: string;
  size: number;
  sha256: string;
  evidence: readonly string[];
  /** header.key … for key files, else pkcs12 / certificate / loose. */
  role: string;
  container?: { dir: string; status: string };
}

const attr = (name: string, v: string | number) => ` ${name}="${esc(String(v))}"`;
const el = (name: string, v: string | number) => `<${name}>${esc(String(v))}</${name}>`;

export function dfxml(report: Report, placements: Placements): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<dfxml xmlns="${DFXML_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:keycarve="${KEYCARVE_NS}" version="2.0.0-beta.0">`,
    '  <metadata><dc:type>Carve Results</dc:type></metadata>',
    creator(report),
    `  <source>${el('image_filename', report.source.path)}</source>`,
    '  <diskimageobject>',
    mediumRuns(report),
    `    ${el('sector_size', report.source.sectorSize)}`,
    ...report.volumes.map(volume),
    ...writtenFiles(report).map((w) => fileobject(w, placements.get(w.path))),
    '  </diskimageobject>',
    '</dfxml>',
  ];
  return lines.join('\n') + '\n';
}

function creator(r: Report): string {
  const env = [r.run.commandLine ? el('command_line', r.run.commandLine.join(' ')) : '', el('start_time', r.run.startedAt)].join('');
  return `  <creator>${el('program', r.tool.name)}${el('version', r.tool.version)}<execution_environment>${env}</execution_environment></creator>`;
}

/** The whole medium as alternating runs: read (or, in a quick scan, not read by a pass) and unreadable;
 * after where an interrupted pass stopped, not-scanned. */
function mediumRuns(r: Report): string {
  const bad = [...r.source.readErrors].sort((a, b) => a.offset - b.offset);
  const good = r.mode === 'quick' ? 'not-scanned' : 'read';
  const end = r.source.passedTo ?? r.source.size;
  const runs: string[] = [];
  let at = 0;
  const run = (offset: number, length: number, state: string) => runs.push(`      <byte_run${attr('img_offset', offset)}${attr('len', length)}${attr('type', state)}/>`);
  for (const b of bad) {
    if (b.offset > at) run(at, b.offset - at, good);
    run(b.offset, b.length, 'unreadable');
    at = Math.max(at, b.offset + b.length);
  }
  if (at < end) run(at, end - at, good);
  if (Math.max(at, end) < r.source.size) run(Math.max(at, end), r.source.size - Math.max(at, end), 'not-scanned');
  return ['    <byte_runs>', ...runs, '    </byte_runs>'].join('\n');
}

function volume(v: Report['volumes'][number]): string {
  return [
    `    <volume${attr('offset', v.offset)}>`,
    `      <byte_runs><byte_run${attr('img_offset', v.offset)}${attr('len', v.size)}/></byte_runs>`,
    `      ${el('partition_offset', v.offset)}${v.clusterSize > 0 ? el('block_size', v.clusterSize) : ''}${el('ftype_str', v.type)}${v.clusterSize > 0 ? el('block_count', Math.floor(v.size / v.clusterSize)) : ''}`,
    `      ${el('keycarve:label', v.label)}${el('keycarve:found_by', v.foundBy)}`,
    '    </volume>',
  ].join('\n');
}

/** Every file written under --out, once (a certificate bundle is one file for several certificates). */
function writtenFiles(r: Report): Written[] {
  const files: Written[] = [];
  for (const c of r.containers)
    for (const [role, f] of Object.entries(c.files)) files.push({ path: `${c.dir}/${role}`, size: f.size, sha256: f.sha256, evidence: f.evidence, role, container: { dir: c.dir, status: c.status } });
  for (const p of r.pkcs12) files.push({ path: p.path, size: p.size, sha256: p.sha256, evidence: p.evidence, role: 'pkcs12' });
  const seen = new Set<string>();
  for (const c of r.certificates) if (!seen.has(c.path) && seen.add(c.path)) files.push({ path: c.path, size: c.size, sha256: c.sha256, evidence: c.evidence, role: 'certificate' });
  for (const l of r.loose) files.push({ path: l.path, size: l.size, sha256: l.sha256, evidence: l.evidence, role: `loose-${l.kind}` });
  return files;
}

/** A time without a zone says so: keycarve:zone="unknown" (local time of a zone the file system does not record). */
function time(name: string, t: FileTime): string {
  const attrs = (t.precision ? attr('prec', t.precision) : '') + (t.zoned ? '' : attr('keycarve:zone', 'unknown'));
  return `<${name}${attrs}>${esc(t.value)}</${name}>`;
}

function fileobject(w: Written, p: Placement | undefined): string {
  const out = [`      <filename${attr('keycarve:name', 'written')}>${esc(w.path)}</filename>`];
  if (p?.originalPath) out.push(`      <filename${attr('keycarve:name', 'original')}>${esc(p.originalPath)}</filename>`);
  out.push(`      ${el('filesize', w.size)}`);
  if (p && p.alloc !== null) out.push(`      ${el('alloc', p.alloc ? 1 : 0)}${el('orphan', p.orphan ? 1 : 0)}`);
  const times = (['mtime', 'atime', 'crtime'] as const).flatMap((k) => (p?.times[k] ? [time(k, p.times[k])] : [])); // the schema's order
  if (times.length) out.push(`      ${times.join('')}`);
  if (p?.runs.length) {
    out.push('      <byte_runs>');
    for (const r of p.runs) out.push(`        <byte_run${attr('file_offset', r.fileOffset)}${attr('img_offset', r.imgOffset)}${attr('len', r.length)}/>`);
    out.push('      </byte_runs>');
  }
  out.push(`      <hashdigest type="sha256">${w.sha256}</hashdigest>`);
  const kc = [attr('role', w.role), attr('evidence', w.evidence.join(' '))];
  if (w.container) kc.push(attr('container', w.container.dir), attr('status', w.container.status));
  if (p?.resident) kc.push(attr('resident', 'ntfs-record'));
  out.push(`      <keycarve:file${kc.join('')}/>`);
  return ['    <fileobject>', ...out, '    </fileobject>'].join('\n');
}
