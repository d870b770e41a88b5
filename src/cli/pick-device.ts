/**
 * The interactive drive picker: `keycarve scan --out <dir>` with no source, on a terminal, lists
 * the block devices (removable first, from lsblk) and asks which one to scan, then confirms.
 * Mounted drives are marked: scanning a mounted file system works (read-only), but the technician
 * should know the picture may change under the scan.
 */
import * as p from '@clack/prompts';
import { parseLsblk, runLsblk, type BlockDevice } from './devices.ts';

const gb = (n: number) => `${(n / 1e9).toFixed(n < 1e10 ? 1 : 0)} GB`;

export function describe(d: BlockDevice): string {
  const what = [d.vendor, d.model].filter(Boolean).join(' ') || d.type;
  const flags = [d.removable ? 'removable' : null, d.transport, d.mountpoints.length ? `mounted at ${d.mountpoints.join(', ')}` : null].filter(Boolean);
  return `${d.path}  ${gb(d.size)}  ${what}${flags.length ? `  (${flags.join(', ')})` : ''}`;
}

/** The choices in picker order: each disk, then its partitions. */
export function choices(devices: readonly BlockDevice[]): { value: string; label: string }[] {
  return devices.flatMap((d) => [
    { value: d.path, label: describe(d) },
    ...d.partitions.map((x) => ({ value: x.path, label: `  └ ${describe(x)}${x.fstype ? `  ${x.fstype}` : ''}${x.label ? ` "${x.label}"` : ''}` })),
  ]);
}

/** Returns the chosen device path, or null when the user cancelled. */
export async function pickDevice(lsblk: () => Promise<string> = runLsblk): Promise<string | null> {
  const devices = parseLsblk(await lsblk());
  if (devices.length === 0) throw new Error('no block devices found (is the drive attached? `keycarve devices --all` lists everything)');
  p.intro('keycarve — choose the drive to scan (read-only)');
  const path = await p.select({ message: 'Drive', options: choices(devices) });
  if (p.isCancel(path)) return null;
  const ok = await p.confirm({ message: `Scan ${String(path)} read-only?` });
  if (p.isCancel(ok) || !ok) return null;
  return String(path);
}
