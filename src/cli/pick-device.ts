/**
 * The interactive drive picker: `keycarve scan --out <dir>` with no source, on a terminal, lists
 * the block devices (removable first, from lsblk) and asks which one to scan, then confirms.
 * Mounted drives are marked: scanning a mounted file system works (read-only), but the picture
 * may change under the scan. The cursor never starts on a mounted or system disk, and the
 * confirmation for one defaults to No.
 */
import * as p from '@clack/prompts';
import { isSystemDisk, mountsOf, parseLsblk, runLsblk, type BlockDevice } from './devices.ts';
import type { CommandIo } from './io.ts';
import { formatBytes } from '../output/units.ts';

/** The value of the "scan nothing" choice. */
export const CANCEL = '';

export function describe(d: BlockDevice, system = isSystemDisk(d)): string {
  const what = [d.vendor, d.model].filter(Boolean).join(' ') || d.type;
  const flags = [
    system ? 'system disk' : null,
    d.removable ? 'removable' : null,
    d.transport,
    d.mountpoints.length ? `mounted at ${d.mountpoints.join(', ')}` : null,
  ].filter(Boolean);
  return `${d.path}  ${formatBytes(d.size)}  ${what}${flags.length ? `  (${flags.join(', ')})` : ''}`;
}

/** The choices in picker order: each disk, then its partitions, and last "scan nothing". */
export function choices(devices: readonly BlockDevice[]): { value: string; label: string }[] {
  return [
    ...devices.flatMap((d) => [
      { value: d.path, label: describe(d) },
      ...d.partitions.map((x) => ({ value: x.path, label: `  └ ${describe(x, false)}${x.fstype ? `  ${x.fstype}` : ''}${x.label ? ` "${x.label}"` : ''}` })),
    ]),
    { value: CANCEL, label: 'none — cancel, scan nothing' },
  ];
}

/** True when scanning `path` needs a second thought: it, or its disk, is mounted or the system's. */
export function risky(devices: readonly BlockDevice[], path: string): boolean {
  for (const d of devices) {
    if (d.path === path) return isSystemDisk(d) || mountsOf(d).length > 0;
    const part = d.partitions.find((x) => x.path === path);
    if (part) return isSystemDisk(d) || mountsOf(part).length > 0;
  }
  return true;
}

/** Where the cursor starts: the first whole disk that is neither mounted nor the system's, else "scan nothing". */
export function initialChoice(devices: readonly BlockDevice[]): string {
  return devices.find((d) => !risky(devices, d.path))?.path ?? CANCEL;
}

export interface PickerUi {
  intro(title: string): void;
  select(o: { message: string; options: { value: string; label: string }[]; initialValue: string }): Promise<string | symbol>;
  confirm(o: { message: string; initialValue: boolean }): Promise<boolean | symbol>;
  isCancel(v: unknown): v is symbol;
}

const clack: PickerUi = { intro: (t) => p.intro(t), select: (o) => p.select(o), confirm: (o) => p.confirm(o), isCancel: p.isCancel };

/** Returns the chosen device path, or null (after saying so on stderr) when the user cancelled. */
export async function pickDevice(io: Pick<CommandIo, 'stderr'>, lsblk: () => Promise<string> = runLsblk, ui: PickerUi = clack): Promise<string | null> {
  const devices = parseLsblk(await lsblk());
  if (devices.length === 0) throw new Error('no block devices found (is the drive attached? `keycarve devices --all` lists everything)');
  const cancelled = () => (io.stderr.write('keycarve: cancelled, nothing scanned\n'), null);
  ui.intro('keycarve — choose the drive to scan (read-only)');
  const path = await ui.select({ message: 'Drive', options: choices(devices), initialValue: initialChoice(devices) });
  if (ui.isCancel(path) || path === CANCEL) return cancelled();
  const warn = risky(devices, path) ? ' It is mounted or holds the running system: the picture may change under the scan.' : '';
  const ok = await ui.confirm({ message: `Scan ${path} read-only?${warn}`, initialValue: warn === '' });
  if (ui.isCancel(ok) || !ok) return cancelled();
  return path;
}
