/**
 * report.html: one self-contained page for a technician or a client (no network, no script, inline
 * CSS and SVG). At the top the medium drawn to scale — volumes, unreadable areas, one lane per
 * container with a mark per file (hover for what it is, click for its row); below, the containers,
 * then PKCS#12 files, certificates, loose key files and problems. Status is always in words too, so
 * it reads in black and white and on paper.
 */
import { escapeMarkup as esc } from './markup.ts';
import type { ByteRun, Placements } from './placement.ts';
import type { Report, ReportContainer } from './report.ts';
import { formatBytes } from './units.ts';

const W = 1200; // SVG user units across
const LABEL = 210; // left margin for lane labels
const BAR = W - LABEL - 10;
const LANE = 22;
/** More containers than this share one lane: the map stays a map. */
const MAX_LANES = 24;

const STATUS_WORDS: Record<ReportContainer['status'], string> = {
  verified: 'the private key was unmasked and matches its public key: the container works',
  intact: 'every file present and valid, but the key could not be checked (password unknown)',
  partial: 'something is missing or damaged',
};

const hex = (n: number) => '0x' + n.toString(16);
const at = (n: number) => `${hex(n)} (${formatBytes(n)})`;

interface Lane {
  label: string;
  href: string;
  status: string;
  files: { title: string; runs: readonly ByteRun[] }[];
}

export function html(report: Report, placements: Placements): string {
  const title = `keycarve report — ${report.source.path}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head><body>
<header><h1>${esc(title)}</h1>${interrupted(report)}${overview(report)}</header>
<section><h2>Map of the medium</h2>${maps(report, placements)}${LEGEND}</section>
<section><h2>Containers (${report.containers.length})</h2>${containers(report)}</section>
${pkcs12(report)}${certificates(report)}${loose(report)}${problems(report)}
<footer>${esc(report.tool.name)} ${esc(report.tool.version)} · started ${esc(report.run.startedAt)}${report.run.commandLine ? ` · <code>${esc(report.run.commandLine.join(' '))}</code>` : ''}</footer>
</body></html>
`;
}

/** A partial report says so before anything else: its counts are not the medium's. */
function interrupted(r: Report): string {
  if (r.complete) return '';
  return `<p class="bad"><b>Interrupted scan — partial results.</b> The pass covered ${esc(formatBytes(r.source.passedTo ?? 0))} of ${esc(formatBytes(r.source.size))}; resume the scan for the rest.</p>`;
}

function overview(r: Report): string {
  const by = (s: string) => r.containers.filter((c) => c.status === s).length;
  const lost = r.source.readErrors.reduce((n, e) => n + e.length, 0);
  const facts = [
    `${formatBytes(r.source.size)} (${r.source.size} bytes), sectors of ${r.source.sectorSize}`,
    r.mode === 'quick' ? 'quick scan: file-system metadata and free clusters, no full pass' : `read in ${r.stats.seconds.toFixed(1)} s`,
    r.source.readErrors.length ? `<b class="bad">${r.source.readErrors.length} unreadable areas, ${formatBytes(lost)} lost</b>` : 'no read errors',
    `volumes: ${r.volumes.map((v) => esc(`${v.type}${v.label ? ` “${v.label}”` : ''} at ${hex(v.offset)}`)).join(', ') || 'none recognised'}`,
  ];
  const counts = `${r.containers.length} containers: ${by('verified')} verified, ${by('intact')} intact, ${by('partial')} partial · ${r.pkcs12.length} PKCS#12 · ${r.certificates.length} certificates · ${r.loose.length} loose key files`;
  return `<p class="facts">${facts.join(' · ')}</p><p class="counts">${counts}</p>`;
}

function lanes(r: Report, placements: Placements): Lane[] {
  const runs = (path: string) => placements.get(path)?.runs ?? [];
  const where = (path: string, size: number) => `${formatBytes(size)} at ${runs(path).map((x) => hex(x.imgOffset)).join(', ') || 'no place of its own'}`;
  const each: Lane[] = r.containers.map((c, i) => ({
    label: c.dir.replace(/^containers\//, ''),
    href: `#c${i + 1}`,
    status: c.status,
    files: Object.entries(c.files).map(([role, f]) => ({ title: `${c.dir}/${role} — ${c.status}\n${where(`${c.dir}/${role}`, f.size)}`, runs: runs(`${c.dir}/${role}`) })),
  }));
  const merged: Lane[] = each.length > MAX_LANES ? [{ label: `${each.length} containers`, href: '#containers', status: 'mixed', files: each.flatMap((l) => l.files) }] : each;
  const other = (label: string, href: string, items: { path: string; size: number }[]): Lane[] =>
    items.length ? [{ label, href, status: 'other', files: items.map((x) => ({ title: `${x.path}\n${where(x.path, x.size)}`, runs: runs(x.path) })) }] : [];
  const certFiles = [...new Map(r.certificates.map((c) => [c.path, c])).values()];
  return [...merged, ...other('PKCS#12', '#pkcs12', r.pkcs12), ...other('certificates', '#certificates', certFiles), ...other('loose key files', '#loose', r.loose)];
}

/** The whole medium; and, when the files sit in a small part of it, that part enlarged. */
function maps(r: Report, placements: Placements): string {
  const ls = lanes(r, placements);
  const whole = map(r, ls, 0, r.source.size);
  const runs = ls.flatMap((l) => l.files.flatMap((f) => f.runs));
  if (!runs.length) return whole;
  const lo = Math.min(...runs.map((x) => x.imgOffset));
  const hi = Math.max(...runs.map((x) => x.imgOffset + x.length));
  if (hi - lo > r.source.size / 10) return whole;
  const pad = Math.max(4096, (hi - lo) / 20);
  const from = Math.max(0, lo - pad);
  const to = Math.min(r.source.size, hi + pad);
  return `${whole}<h3>Where the files lie, enlarged: ${esc(formatBytes(from))} – ${esc(formatBytes(to))}</h3>${map(r, ls, from, to)}`;
}

function map(r: Report, ls: Lane[], from: number, to: number): string {
  const span = Math.max(1, to - from);
  const x = (off: number) => LABEL + ((Math.min(Math.max(off, from), to) - from) / span) * BAR;
  // Clipped to the view; a 4 kB file on a 1 TB disk still shows.
  const w = (off: number, len: number) => Math.max(2, x(off + len) - x(off));
  const inView = (off: number, len: number) => off < to && off + len > from;
  const top = 46;
  const height = top + ls.length * LANE + 30;
  const s: string[] = [];
  s.push(`<svg class="map" viewBox="0 0 ${W} ${height}" role="img" aria-label="map of the medium from ${from} to ${to}" xmlns="http://www.w3.org/2000/svg">`);
  s.push('<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4c7c3"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b3261e" stroke-width="3"/></pattern></defs>');
  s.push(`<text class="lane" x="4" y="17">medium</text><rect class="medium" x="${LABEL}" y="4" width="${BAR}" height="18"><title>${esc(`${r.source.path}: ${formatBytes(r.source.size)}`)}</title></rect>`);
  for (const e of r.source.readErrors.filter((e) => inView(e.offset, e.length)))
    s.push(`<rect class="unread" x="${x(e.offset).toFixed(2)}" y="2" width="${w(e.offset, e.length).toFixed(2)}" height="22"><title>${esc(`unreadable: ${formatBytes(e.length)} at ${at(e.offset)}`)}</title></rect>`);
  s.push(`<text class="lane" x="4" y="39">volumes</text>`);
  for (const v of r.volumes.filter((v) => inView(v.offset, v.size)))
    s.push(`<g class="volume"><rect x="${x(v.offset).toFixed(2)}" y="27" width="${w(v.offset, v.size).toFixed(2)}" height="16"><title>${esc(`${v.type} “${v.label}”: ${formatBytes(v.size)} at ${at(v.offset)}`)}</title></rect><text x="${(x(v.offset) + 4).toFixed(2)}" y="39">${esc(`${v.type} ${v.label}`)}</text></g>`);
  ls.forEach((l, i) => {
    const y = top + i * LANE;
    s.push(`<a href="${l.href}"><text class="lane" x="4" y="${y + 14}">${esc(clip(l.label, 30))}<title>${esc(l.label)}</title></text></a><line class="guide" x1="${LABEL}" x2="${LABEL + BAR}" y1="${y + 10}" y2="${y + 10}"/>`);
    for (const f of l.files) {
      const rects = f.runs.filter((run) => inView(run.imgOffset, run.length)).map((run) => `<rect x="${x(run.imgOffset).toFixed(2)}" y="${y + 2}" width="${w(run.imgOffset, run.length).toFixed(2)}" height="16"/>`).join('');
      s.push(`<a href="${l.href}"><g class="mark ${l.status}">${rects}<title>${esc(f.title)}</title></g></a>`);
    }
  });
  const axisY = top + ls.length * LANE + 4;
  for (let k = 0; k <= 4; k++) {
    const off = from + (span * k) / 4;
    const anchor = k === 0 ? 'start' : k === 4 ? 'end' : 'middle';
    s.push(`<line class="tick" x1="${x(off)}" x2="${x(off)}" y1="${axisY}" y2="${axisY + 5}"/><text class="axis" x="${x(off)}" y="${axisY + 18}" text-anchor="${anchor}">${esc(span < r.source.size ? hex(Math.round(off)) : formatBytes(off))}</text>`);
  }
  s.push('</svg>');
  return s.join('\n');
}

/** A path that wraps after its slashes, not inside a name. */
const path = (p: string) => `<code>${esc(p).replace(/\//g, '/<wbr>')}</code>`;

const clip = (s: string, n: number) => ([...s].length > n ? [...s].slice(0, n - 1).join('') + '…' : s);

function containers(r: Report): string {
  if (!r.containers.length) return '<p>No containers recovered.</p>';
  const now = r.run.startedAt;
  const rows = r.containers.map((c, i) => {
    const cert = c.certificate
      ? `${esc(c.certificate.subject)}<br><span class="dates">${validity(c.certificate.notBefore, c.certificate.notAfter, now)}</span>`
      : '<span class="none">none found</span>';
    const files = Object.entries(c.files)
      .map(([role, f]) => `${esc(role)} at ${hex(f.offset)}${f.fragments > 1 ? `, ${f.fragments} fragments` : ''} <span class="ev">(${esc(f.evidence.join(', '))})</span>`)
      .join('<br>');
    const copies = c.copies.length ? `<div class="ev">same key as ${c.copies.map(path).join(', ')}</div>` : '';
    return `<tr id="c${i + 1}" class="${c.status}"><td>${i + 1}</td>
<td><span class="badge ${c.status}">${c.status}</span><div class="why">${esc(STATUS_WORDS[c.status])}</div>${c.problems.length ? `<ul class="problems">${c.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : ''}${copies}</td>
<td><b>${esc(c.name ?? '(no name)')}</b><br>${path(c.dir)}</td>
<td>${c.originalPath ? `${path(c.originalPath)}` : '<span class="none">not known (carved)</span>'}</td>
<td>${c.deleted === true ? '<b>deleted</b>' : c.deleted === false ? 'live' : '<span class="none">unknown</span>'}</td>
<td>${esc(c.algorithm ?? 'unknown')}${c.passwordProtected ? `<br><span class="ev">${c.password !== null ? `password #${c.password + 1}` : 'password not known'}</span>` : c.passwordProtected === false ? '<br><span class="ev">no password</span>' : ''}</td>
<td>${cert}</td><td class="files">${files}</td></tr>`;
  });
  return `<table id="containers"><thead><tr><th>#</th><th>Status</th><th>Name / written to</th><th>Original path</th><th>Deleted</th><th>Algorithm</th><th>Certificate</th><th>Found at</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

function validity(from: string, to: string, now: string): string {
  const expired = to < now;
  return `valid ${esc(from.slice(0, 10))} – ${esc(to.slice(0, 10))}${expired ? ' <b class="expired">EXPIRED</b>' : ''}`;
}

const original = (p: string | null, deleted: boolean | null) =>
  `${p ? path(p) : '<span class="none">carved</span>'}${deleted ? ' <b>deleted</b>' : ''}`;

function pkcs12(r: Report): string {
  if (!r.pkcs12.length) return '';
  const rows = r.pkcs12.map((p) => `<tr><td>${path(p.path)}</td><td>${original(p.originalPath, p.deleted)}</td><td>${formatBytes(p.size)} at ${hex(p.offset)}</td><td>${p.problems.length ? esc(p.problems.join('; ')) : 'structure valid'}</td></tr>`);
  return `<section><h2>PKCS#12 files (${r.pkcs12.length})</h2><table id="pkcs12"><thead><tr><th>Written to</th><th>Original path</th><th>Found</th><th>Checks</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></section>\n`;
}

function certificates(r: Report): string {
  if (!r.certificates.length) return '';
  const rows = r.certificates.map((c) => `<tr><td>${esc(c.subject)}<br><span class="ev">issuer: ${esc(c.issuer)}</span></td><td>${validity(c.notBefore, c.notAfter, r.run.startedAt)}</td><td>${path(c.path)}</td><td>${original(c.originalPath, c.deleted)}</td></tr>`);
  return `<section><h2>Certificates (${r.certificates.length})</h2><table id="certificates"><thead><tr><th>Subject</th><th>Validity</th><th>Written to</th><th>Original path</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></section>\n`;
}

function loose(r: Report): string {
  if (!r.loose.length) return '';
  const rows = r.loose.map((l) => `<tr><td>${path(l.path)}</td><td>${esc(l.kind)}</td><td>${formatBytes(l.size)} at ${hex(l.offset)}</td></tr>`);
  return `<section><h2>Loose key files (${r.loose.length})</h2><p>Key files that could not be placed in any container.</p><table id="loose"><thead><tr><th>Written to</th><th>Kind</th><th>Found</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></section>\n`;
}

function problems(r: Report): string {
  const items = [
    ...r.source.readErrors.map((e) => `unreadable: ${formatBytes(e.length)} at ${at(e.offset)}`),
    ...r.problems.map((p) => (p.at >= 0 ? `at ${hex(p.at)}: ${p.what}` : p.what)),
    ...r.carverFailures.map((f) => `carver ${f.carver} failed at ${hex(f.offset)}: ${f.message}`),
  ];
  if (!items.length) return '';
  return `<section><h2>Problems (${items.length})</h2><ul class="plist">${items.map((p) => `<li>${esc(p)}</li>`).join('')}</ul></section>\n`;
}

const LEGEND = `<p class="legend"><span class="key k-read"></span> read <span class="key k-unread"></span> unreadable <span class="key k-vol"></span> volume
<span class="key k-verified"></span> verified <span class="key k-intact"></span> intact <span class="key k-partial"></span> partial <span class="key k-other"></span> other files
· hover a mark for what it is, click it for its row</p>`;

const CSS = `
:root{--ok:#1b7f3b;--intact:#1f5fa8;--partial:#b85c00;--bad:#b3261e;--ink:#1d1d1f;--mute:#5f6368;--line:#d9dce1}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);margin:0 auto;padding:20px 28px;max-width:1500px}
h1{font-size:22px;margin:0 0 6px;word-break:break-all}h2{font-size:18px;margin:26px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
.facts,.counts{margin:2px 0;color:var(--mute)}.counts{color:var(--ink);font-weight:600}
code{font:13px/1.3 ui-monospace,"DejaVu Sans Mono",monospace;overflow-wrap:anywhere}h3{font-size:14px;margin:14px 0 6px;color:var(--mute);font-weight:600}
.map{width:100%;height:auto;display:block;border:1px solid var(--line);border-radius:6px;background:#fafbfc}
.map text{font-size:12px;fill:var(--ink)}.map .lane{fill:var(--mute)}.map .axis{fill:var(--mute);font-size:11px}
.map .medium{fill:#e3e6ea}.map .unread{fill:url(#hatch)}.map .tick,.map .guide{stroke:var(--line)}
.map .volume rect{fill:#cfe3f7;stroke:#6d9bc9}.map .volume text{font-size:11px}
.map .mark rect{stroke:#fff;stroke-width:.5}.map .mark.verified{fill:var(--ok)}.map .mark.intact{fill:var(--intact)}.map .mark.partial{fill:var(--partial)}.map .mark.other,.map .mark.mixed{fill:#6b4fa0}
.map a:hover rect{stroke:var(--ink);stroke-width:1.5}
.legend{color:var(--mute);font-size:13px}.key{display:inline-block;width:14px;height:10px;margin:0 3px 0 10px;border:1px solid #999;vertical-align:middle}
.k-read{background:#e3e6ea}.k-unread{background:repeating-linear-gradient(45deg,#b3261e 0 2px,#f4c7c3 2px 5px)}.k-vol{background:#cfe3f7}
.k-verified{background:var(--ok)}.k-intact{background:var(--intact)}.k-partial{background:var(--partial)}.k-other{background:#6b4fa0}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{border-bottom:1px solid var(--line);padding:7px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f5;font-weight:600;position:sticky;top:0}tbody tr:target{outline:3px solid #f2b705}
.badge{display:inline-block;font-weight:700;text-transform:uppercase;font-size:12px;letter-spacing:.04em;padding:2px 8px;border-radius:10px;color:#fff}
.badge.verified{background:var(--ok)}.badge.intact{background:var(--intact)}.badge.partial{background:var(--partial)}
.why,.ev,.dates{color:var(--mute);font-size:13px}.none{color:var(--mute);font-style:italic}
.problems{margin:4px 0 0;padding-left:18px;color:var(--bad);font-size:13px}.bad,.expired{color:var(--bad)}
.files{font-size:13px;white-space:nowrap}
footer{margin-top:30px;color:var(--mute);font-size:12px}
@media print{body{padding:0;font-size:11px}th{position:static}.badge{color:var(--ink);border:1px solid var(--ink);background:none!important}tr{break-inside:avoid}}
`;
