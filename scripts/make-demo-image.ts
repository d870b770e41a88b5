/**
 * Builds samples/demo.img.gz: a 40 MiB FAT32 flash-drive image made with real tools (mkfs.vfat +
 * mtools, no mount) holding CryptoPro containers written by keycarve's own container writer, then
 * deleted the way a user would. Run: npx tsx scripts/make-demo-image.ts
 *
 *   /Клиенты/ООО Ромашка/ivanov01.000  2012-256, password "Qwerty12", certificate inside  deleted
 *   /Keys/petrov.000                    2001, no password                                  deleted
 *   /Keys/sidorov.000                   2012-512, password typed as "Йцукен12" (wrong layout) live
 *   /Keys/sidorov.001                   a copy of sidorov.000                               deleted
 *   report.txt, photos/*.jpg            filler (random data)                                live/deleted
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeCertificate } from '../test/helpers/certificates.ts';
import { makeContainer, seededRandom, writeContainerDir } from '../test/helpers/containers.ts';

const out = resolve(process.argv[2] ?? join(import.meta.dirname, '../samples/demo.img.gz'));
const work = mkdtempSync(join(tmpdir(), 'keycarve-demo-'));
const img = join(work, 'demo.img');
const m = (tool: string, ...args: string[]) => execFileSync(tool, ['-i', img, ...args], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });

try {
  execFileSync('truncate', ['-s', '40M', img]);
  execFileSync('mkfs.vfat', ['-F', '32', '-s', '1', '-n', 'FLASH', '-i', '4b455943', img], { stdio: 'ignore' });

  const ivanovKey = makeContainer({ algorithm: 'gost2012-256', seed: 'ivanov' }).privateKey;
  const ivanov = makeContainer({
    algorithm: 'gost2012-256',
    seed: 'ivanov',
    privateKey: ivanovKey,
    name: 'ivanov01',
    password: 'Qwerty12',
    keyValidity: '20270301120000Z',
    certificate: makeCertificate({ generation: 'gost2012-256', privateKey: ivanovKey, subject: 'Иванов Иван Иванович', padding: 900 }),
  });
  const petrov = makeContainer({ algorithm: 'gost2001', seed: 'petrov', name: 'petrov' });
  const sidorov = makeContainer({ algorithm: 'gost2012-512', seed: 'sidorov', name: 'sidorov', password: 'Йцукен12' });
  const sidorovCopy = makeContainer({ algorithm: 'gost2012-512', seed: 'sidorov-copy', privateKey: sidorov.privateKey, name: 'sidorov - копия', password: 'Йцукен12' });

  const stage = join(work, 'stage');
  const put = (dir: string, files: Record<string, Uint8Array>) => {
    const local = writeContainerDir(join(stage, dir.replace(/\//g, '_')), files);
    m('mmd', '-D', 's', `::${dir}`);
    for (const f of Object.keys(files)) m('mcopy', join(local, f), `::${dir}/${f}`);
  };
  const random = seededRandom('filler');
  writeFileSync(join(work, 'report.txt'), 'Quarterly report\n'.repeat(2000));
  m('mcopy', join(work, 'report.txt'), '::/report.txt');
  m('mmd', '::/photos', '::/Клиенты', '::/Клиенты/ООО Ромашка', '::/Keys');
  for (let i = 0; i < 4; i++) {
    writeFileSync(join(work, `p${i}.jpg`), random(300_000 + i * 7777));
    m('mcopy', join(work, `p${i}.jpg`), `::/photos/IMG_000${i}.JPG`);
  }
  put('/Клиенты/ООО Ромашка/ivanov01.000', ivanov.files);
  put('/Keys/petrov.000', petrov.files);
  put('/Keys/sidorov.000', sidorov.files);
  put('/Keys/sidorov.001', sidorovCopy.files);
  // The user deletes the key folders and two photos.
  m('mdeltree', '::/Клиенты/ООО Ромашка/ivanov01.000');
  m('mdeltree', '::/Keys/petrov.000');
  m('mdeltree', '::/Keys/sidorov.001');
  m('mdel', '::/photos/IMG_0001.JPG', '::/photos/IMG_0002.JPG');

  const gz = gzipSync(execFileSync('cat', [img], { maxBuffer: 64 << 20 }), { level: 9 });
  writeFileSync(out, gz);
  console.log(`wrote ${out} (${gz.length} bytes compressed)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
