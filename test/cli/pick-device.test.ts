import { describe, expect, it } from 'vitest';
import { choices } from '../../src/cli/pick-device.ts';
import { parseLsblk } from '../../src/cli/devices.ts';

// What `lsblk --json -b -o NAME,PATH,MODEL,VENDOR,SIZE,RM,TRAN,TYPE,MOUNTPOINTS,FSTYPE,LABEL` prints.
const LSBLK = JSON.stringify({
  blockdevices: [
    { name: 'nvme0n1', path: '/dev/nvme0n1', model: 'Samsung SSD 980', vendor: null, size: 500107862016, rm: false, tran: 'nvme', type: 'disk', mountpoints: [null],
      children: [{ name: 'nvme0n1p1', path: '/dev/nvme0n1p1', size: 500000000000, rm: false, type: 'part', mountpoints: ['/'], fstype: 'ext4' }] },
    { name: 'sdb', path: '/dev/sdb', model: 'DataTraveler 3.0', vendor: 'Kingston', size: 15502147584, rm: true, tran: 'usb', type: 'disk', mountpoints: [null],
      children: [{ name: 'sdb1', path: '/dev/sdb1', size: 15500000000, rm: true, type: 'part', mountpoints: [null], fstype: 'vfat', label: 'RUTOKEN' }] },
    { name: 'loop0', path: '/dev/loop0', size: 1048576, rm: false, type: 'loop', mountpoints: [null] },
  ],
});

describe('drive picker', () => {
  it('offers removable drives first, each followed by its partitions, with size and mount state', () => {
    const devices = parseLsblk(LSBLK);
    const list = choices(devices);
    expect(list.length).toBeGreaterThan(0);
    expect(list.map((c) => c.value)).toEqual(['/dev/sdb', '/dev/sdb1', '/dev/nvme0n1', '/dev/nvme0n1p1']);
    expect(list[0]!.label).toMatch(/Kingston DataTraveler 3\.0.*removable, usb/);
    expect(list[1]!.label).toMatch(/vfat "RUTOKEN"/);
    expect(list[3]!.label).toMatch(/mounted at \//);
    for (const c of list) expect(c.label).toMatch(/\/dev\/\S+\s+[\d.]+ GB/);
    const withParts = devices.find((d) => d.partitions.length > 0);
    if (withParts) {
      const i = list.findIndex((c) => c.value === withParts.path);
      expect(list[i + 1]!.value).toBe(withParts.partitions[0]!.path);
      expect(list[i + 1]!.label).toMatch(/^\s+└/);
    }
  });
});
