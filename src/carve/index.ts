/** The one list of carvers the scan runs at every 512-byte boundary (PhotoRec's file_list.c). */
import { carveWindow } from './window.ts';
import { bootSectorCarver } from './boot-sector.ts';
import { exfatDirCarver } from './exfat-dir.ts';
import { fatDirCarver } from './fat-dir.ts';
import { ntfsRecordCarver } from './ntfs-record.ts';
import { headerKeyCarver } from './header-key.ts';
import { masksKeyCarver } from './masks-key.ts';
import { nameKeyCarver } from './name-key.ts';
import { pkcs12Carver } from './pkcs12.ts';
import { primaryKeyCarver } from './primary-key.ts';
import type { CarverSpec } from './types.ts';
import { withLeadByte } from './framed.ts';
import { x509Carver } from './x509.ts';
import { pemCarver } from './pem.ts';
import { pkcs7Carver } from './pkcs7.ts';
import { regExportCarver } from './reg-export.ts';
import { hiveBinCarver, regfCarver } from './regf.ts';

export const CARVERS: readonly CarverSpec[] = Object.freeze([
  // Key files also come with a token's leading 01 byte (format notes §11).
  ...[headerKeyCarver, masksKeyCarver, primaryKeyCarver, nameKeyCarver].map(withLeadByte),
  pkcs12Carver,
  x509Carver,
  pemCarver,
  pkcs7Carver,
  bootSectorCarver,
  fatDirCarver,
  exfatDirCarver,
  ntfsRecordCarver,
  regExportCarver,
  regfCarver,
  hiveBinCarver,
]);

/** The margin a chunk must carry so that every carver sees its whole window (src/carve/window.ts:
 * its object and the object's last sector). */
export const MAX_CARVE_LENGTH = Math.max(...CARVERS.map((c) => carveWindow(c).ahead));
