import { describe, expect, it } from 'vitest';
import { CANCEL, choices, initialChoice, pickDevice, type PickerUi } from '../../src/cli/pick-device.ts';
import { isSystemDisk, parseLsblk } from '../../src/cli/devices.ts';

// What `lsblk --json -b -o NAME,PATH,MODEL,VENDOR,SIZE,RM,TRAN,TYPE,MOUNTPOINTS,FSTYPE,LABEL` prints.
const NVME = { name: 'nvme0n1', path: '/dev/nvme0n1', model: 'Samsung SSD 980', vendor: null, size: 500107862016, rm: false, tran: 'nvme', type: 'disk', mountpoints: [null],
  children: [{ name: 'nvme0n1p1', path: '/dev/nvme0n1p1', size: 500000000000, rm: false, type: 'part', mountpoints: ['/'], fstype: 'ext4' }] };
const STICK = { name: 'sdb', path: '/dev/sdb', model: 'DataTraveler 3.0', vendor: 'Kingston', size: 15502147584, rm: true, tran: 'usb', type: 'disk', mountpoints: [null],
  children: [{ name: 'sdb1', path: '/dev/sdb1', size: 15500000000, rm: true, type: 'part', mountpoints: [null], fstype: 'vfat', label: 'RUTOKEN' }] };
const MOUNTED_STICK = { ...STICK, name: 'sda', path: '/dev/sda', children: [{ ...STICK.children[0], name: 'sda1', path: '/dev/sda1', mountpoints: ['/media/tech/FLASH'] }] };
const LOOP = { name: 'loop0', path: '/dev/loop0', size: 1048576, rm: false, type: 'loop', mountpoints: [null] };
// A VM's only disk, mounted whole at / (what `keycarve devices` shows on the test machine).
const VDA = { name: 'vda', path: '/dev/vda', size: 274877906944, rm: false, tran: null, type: 'disk', mountpoints: ['/'] };
const lsblk = (...d: object[]) => JSON.stringify({ blockdevices: d });

/** A scripted picker: answers select/confirm as given, records what it was offered. */
function fakeUi(pick: string | symbol, confirm: boolean | symbol) {
  const seen: { initial?: string; confirmDefault?: boolean; confirmMessage?: string } = {};
  const CANCELLED = Symbol('cancel');
  const ui: PickerUi = {
    intro: () => undefined,
    select: async (o) => ((seen.initial = o.initialValue), pick === 'cancel' ? CANCELLED : pick),
    confirm: async (o) => ((seen.confirmDefault = o.initialValue), (seen.confirmMessage = o.message), confirm),
    isCancel: (v): v is symbol => v === CANCELLED,
  };
  return { ui, seen };
}
const stderr = () => {
  const lines: string[] = [];
  return { lines, io: { stderr: { write: (s: string) => lines.push(s) } } };
};

describe('drive picker', () => {
  it('offers removable drives first, each followed by its partitions, with size and mount state', () => {
    const devices = parseLsblk(lsblk(NVME, STICK, LOOP));
    const list = choices(devices);
    expect(list.map((c) => c.value)).toEqual(['/dev/sdb', '/dev/sdb1', '/dev/nvme0n1', '/dev/nvme0n1p1', CANCEL]);
    expect(list[0]!.label).toMatch(/Kingston DataTraveler 3\.0.*removable, usb/);
    expect(list[1]!.label).toMatch(/^\s+└.*vfat "RUTOKEN"/);
    expect(list[2]!.label).toMatch(/system disk/);
    expect(list[3]!.label).toMatch(/mounted at \//);
    expect(list[4]!.label).toMatch(/cancel, scan nothing/);
    // one unit system (decimal, as on the drive's label)
    for (const c of list.slice(0, 4)) expect(c.label).toMatch(/^\s*(└ )?\/dev\/\S+\s+[\d.]+ GB/);
    expect(list[0]!.label).toMatch(/15\.5 GB/);
  });

  it('never starts on a mounted or system disk', () => {
    expect(initialChoice(parseLsblk(lsblk(NVME, STICK)))).toBe('/dev/sdb');
    expect(initialChoice(parseLsblk(lsblk(MOUNTED_STICK, NVME, STICK)))).toBe('/dev/sdb');
    expect(initialChoice(parseLsblk(lsblk(VDA)))).toBe(CANCEL);
    expect(initialChoice(parseLsblk(lsblk(MOUNTED_STICK, NVME)))).toBe(CANCEL);
    expect(isSystemDisk(parseLsblk(lsblk(VDA))[0]!)).toBe(true);
  });

  it('asks with No as the default for the system disk, and says when cancelled', async () => {
    const { ui, seen } = fakeUi('/dev/vda', false);
    const e = stderr();
    expect(await pickDevice(e.io, async () => lsblk(VDA), ui)).toBeNull();
    expect(seen).toMatchObject({ initial: CANCEL, confirmDefault: false });
    expect(seen.confirmMessage).toMatch(/mounted or holds the running system/);
    expect(e.lines).toEqual(['keycarve: cancelled, nothing scanned\n']);
  });

  it('returns a confirmed drive; Escape or "scan nothing" cancels with one line', async () => {
    const ok = fakeUi('/dev/sdb', true);
    expect(await pickDevice(stderr().io, async () => lsblk(STICK), ok.ui)).toBe('/dev/sdb');
    expect(ok.seen.confirmDefault).toBe(true);
    for (const pick of ['cancel', CANCEL]) {
      const e = stderr();
      expect(await pickDevice(e.io, async () => lsblk(STICK), fakeUi(pick, true).ui)).toBeNull();
      expect(e.lines).toEqual(['keycarve: cancelled, nothing scanned\n']);
    }
  });
});
