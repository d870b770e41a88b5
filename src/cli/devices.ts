import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { CommandIo } from './io.ts';
import { errnoCode, errorLine } from '../file-errors.ts';
import { formatBytes } from '../output/units.ts';

/**
 * `keycarve devices`: block devices from `lsblk --json`. (node-disk-info runs `df`, so it only
 * sees mounted file systems and never shows an unmounted or damaged drive — the ones we need.)
 */
export interface BlockDevice {
  name: string;
  path: string;
  model: string | null;
  vendor: string | null;
  size: number;
  removable: boolean;
  transport: string | null;
  type: string;
  mountpoints: string[];
  fstype: string | null;
  label: string | null;
  partitions: BlockDevice[];
}

const LSBLK_ARGS = ['--json', '-b', '-o', 'NAME,PATH,MODEL,VENDOR,SIZE,RM,TRAN,TYPE,MOUNTPOINTS,FSTYPE,LABEL'];

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const bool = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 'true';
const int = (v: unknown): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
};

function toDevice(raw: Record<string, unknown>, parent: BlockDevice | null): BlockDevice {
  const mp = Array.isArray(raw['mountpoints']) ? raw['mountpoints'] : [raw['mountpoint']];
  const dev: BlockDevice = {
    name: str(raw['name']) ?? '?',
    path: str(raw['path']) ?? `/dev/${str(raw['name']) ?? '?'}`,
    model: str(raw['model']),
    vendor: str(raw['vendor']),
    size: int(raw['size']),
    // partitions inherit what describes the physical drive
    removable: bool(raw['rm']) || (parent?.removable ?? false),
    transport: str(raw['tran']) ?? parent?.transport ?? null,
    type: str(raw['type']) ?? 'disk',
    mountpoints: mp.filter((m): m is string => typeof m === 'string' && m !== ''),
    fstype: str(raw['fstype']),
    label: str(raw['label']),
    partitions: [],
  };
  const kids = Array.isArray(raw['children']) ? raw['children'] : [];
  dev.partitions = kids.filter(isObject).map((k) => toDevice(k, dev));
  return dev;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Pure: lsblk's JSON (text or parsed) to the devices to show — disks with their partitions nested,
 * removable/USB first. Loop, ram and zram devices and optical drives only with `all`.
 */
export function parseLsblk(json: string | unknown, opts: { all?: boolean } = {}): BlockDevice[] {
  const data: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  const list = isObject(data) && Array.isArray(data['blockdevices']) ? data['blockdevices'] : [];
  const devices = list.filter(isObject).map((d) => toDevice(d, null));
  const shown = devices.filter(
    (d) => opts.all === true || (d.type === 'disk' && !/^(z?ram|loop)\d/.test(d.name)),
  );
  const portable = (d: BlockDevice) => (d.removable || d.transport === 'usb' || d.transport === 'mmc' ? 0 : 1);
  return shown.sort((a, b) => portable(a) - portable(b) || a.name.localeCompare(b.name, 'en', { numeric: true }));
}

/** Mount points of a device and of everything on it (partitions, LVM volumes, …). */
export function mountsOf(d: BlockDevice): string[] {
  return [...d.mountpoints, ...d.partitions.flatMap(mountsOf)];
}

// Where a running Linux keeps itself: a disk holding one of these is the system disk.
const SYSTEM_MOUNT = /^(\/|\/boot(\/efi)?|\/efi|\/usr|\/var|\/home|\/opt|\/srv|\[SWAP\])$/;

/** True when the running system lives on the device (or on a partition of it). */
export function isSystemDisk(d: BlockDevice): boolean {
  return mountsOf(d).some((m) => SYSTEM_MOUNT.test(m)) || d.fstype === 'swap' || d.partitions.some(isSystemDisk);
}

function line(d: BlockDevice, indent: string): string {
  const what = [d.vendor, d.model].filter(Boolean).join(' ');
  const parts = [
    `${indent}${d.path}`.padEnd(indent ? 18 : 16),
    formatBytes(d.size).padStart(10),
    (d.transport ?? '').padEnd(5),
    d.removable ? 'removable' : '',
    what,
    d.fstype ?? '',
    d.label ? `"${d.label}"` : '',
    d.mountpoints.length ? `mounted at ${d.mountpoints.join(', ')}` : '',
  ];
  return parts.filter((p, i) => i < 3 || p !== '').join('  ').trimEnd();
}

export async function runLsblk(): Promise<string> {
  const { stdout } = await promisify(execFile)('lsblk', LSBLK_ARGS, { maxBuffer: 16 << 20 });
  return stdout;
}

export async function devicesCommand(
  opts: { all?: boolean; json?: boolean },
  io: CommandIo,
  lsblk: () => Promise<string> = runLsblk,
): Promise<number> {
  let devices: BlockDevice[];
  try {
    devices = parseLsblk(await lsblk(), { all: opts.all });
  } catch (err) {
    const why = errnoCode(err) === 'ENOENT' ? 'lsblk is not installed — install the util-linux package' : errorLine(err);
    io.stderr.write(`keycarve devices: cannot list block devices with lsblk: ${why}\n`);
    return 1;
  }
  if (opts.json) {
    io.stdout.write(JSON.stringify(devices, null, 2) + '\n');
    return 0;
  }
  if (devices.length === 0) {
    io.stdout.write('no block devices found (try --all, or run as root)\n');
    return 0;
  }
  for (const d of devices) {
    io.stdout.write(line(d, '') + '\n');
    for (const p of d.partitions) io.stdout.write(line(p, '  ') + '\n');
  }
  return 0;
}
