// What scripts/ntfs-images/make.sh puts on its images (shared by the tests and compare.ts).
export interface Want {
  /** Sample container folder under /work/shared/samples. */
  readonly sample: string;
  /** Folder path on the image. */
  readonly path: string;
  readonly deleted: boolean;
  readonly nonResidentHeader: boolean;
}

export const WANT_A: readonly Want[] = [
  { sample: '91team_cryptopro/srv.000', path: '/srv.000', deleted: false, nonResidentHeader: true },
  { sample: 'dbfun_cryptopro/bundle-cyrillic/obnokykb.000', path: '/Клиенты/obnokykb.000', deleted: false, nonResidentHeader: true },
  { sample: 'dbfun_cryptopro/bundle-no-pin/le-22951.000', path: '/le-22951.000', deleted: false, nonResidentHeader: false },
  { sample: 'kov-serg_get-cpcert/g2001.000', path: '/g2001.000', deleted: true, nonResidentHeader: true },
  { sample: 'dbfun_cryptopro/bundle-pin/le-09650.000', path: '/le-09650.000', deleted: true, nonResidentHeader: false },
  { sample: 'waves-enterprise_cryptopro-sign/test.000', path: '/Архив/test.000', deleted: true, nonResidentHeader: true },
];

export const WANT_B: readonly Want[] = [
  { sample: 'svkreml_ExtractPkey/00000000.000', path: '/00000000.000', deleted: false, nonResidentHeader: true },
  { sample: 'dbfun_cryptopro/bundle-cosign/e4ac4ef8.000', path: '/e4ac4ef8.000', deleted: true, nonResidentHeader: true },
  { sample: 'kov-serg_get-cpcert/g2012512.000', path: '/g2012512.000', deleted: false, nonResidentHeader: true },
];
