/** Which image format a file holds, by its content (never its name). */
import type { ImageFormat } from '../types.ts';

export type Detected = Exclude<ImageFormat, 'device' | 'split-raw'> | { refuse: string };

const ascii = (b: Uint8Array, at: number, len: number) => String.fromCharCode(...b.subarray(at, at + len));
const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => sig.every((x, i) => b[at + i] === x);

export const EWF_SIGNATURE = [0x45, 0x56, 0x46, 0x09, 0x0d, 0x0a, 0xff, 0x00];
const EWF2_SIGNATURE = [0x45, 0x56, 0x46, 0x32, 0x0d, 0x0a, 0x81, 0x00];
const LEF_SIGNATURES = [[0x4c, 0x56, 0x46, 0x09, 0x0d, 0x0a, 0xff, 0x00], [0x4c, 0x45, 0x46, 0x32, 0x0d, 0x0a, 0x81, 0x00]];

/** `head`: the file's first 4 KiB (or less); `tail`: its last 512 bytes. */
export function detectFormat(head: Uint8Array, tail: Uint8Array): Detected {
  if (startsWith(head, EWF_SIGNATURE)) return 'ewf';
  if (startsWith(head, EWF2_SIGNATURE)) {
    return { refuse: 'it is an Ex01 image (EWF2, EnCase 7 and later), which keycarve does not read; convert it to E01 or raw first (ewfexport -f encase6 or -f raw)' };
  }
  if (LEF_SIGNATURES.some((s) => startsWith(head, s))) {
    return { refuse: 'it is a logical evidence file (L01/Lx01: files, not a disk); export the files or image the disk itself' };
  }
  if (ascii(head, 0, 8) === 'vhdxfile') return 'vhdx';
  if (ascii(head, 0, 4) === 'KDMV') return 'vmdk';
  if (ascii(head, 0, 4) === 'COWD') return { refuse: 'it is an ESX sparse VMDK extent (COWD); convert it with qemu-img convert -O raw first' };
  if (startsWith(head, [0x51, 0x46, 0x49, 0xfb])) return 'qcow2';
  if (/^# Disk DescriptorFile/.test(ascii(head, 0, 21))) return 'vmdk';
  if (ascii(tail, tail.length - 512, 8) === 'conectix' || ascii(head, 0, 8) === 'conectix') return 'vhd';
  return 'raw';
}
