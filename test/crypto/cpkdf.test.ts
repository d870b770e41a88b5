import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/native.ts';
import { encodeCp1251 } from '../../src/format/name-key.ts';
import { fromHex, hex } from '../../src/crypto/bytes.ts';
import { cpkdf, cpkdfIterations, type KdfHash } from '../../src/crypto/cpkdf.ts';
import { SBOX_CRYPTOPRO_A, SBOX_TC26_Z, mac4 } from '../../src/crypto/gost28147.ts';
import { needSamples, SAMPLES_DIR } from '../helpers/samples-dir.ts';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('CPKDF', () => {
  // cryptopro-format.md §3.5, every row.
  const vectors: [string, string, KdfHash, string][] = [
    ['qawsqaws', '98e4f49415555d8ab20567a0', 'streebog256', 'b551b39608787399ba85c59c68906b8f83c289ccee3c6141700dfc75ec0fd9f5'],
    ['1', 'bbe074586f1385f07221f5f6', 'gost3411-94', 'ffc614555770fb63504fc509b1d212d34decf972e6e33bdc9ac87ff8b69b34e1'],
    ['1', 'bb43a4057f3652f786d5d020', 'streebog256', '2e168a02b3a0b2bc09c833bc4cccd496eb8e56be6db9b73f9c50d38b2cfec589'],
    ['1', '79f7c43b9e9223fe7425fc52', 'streebog256', 'ebae849b09d3fe00f4f0527852ae244f2d1f753422092030564b47fde5de4c23'],
    ['', 'ea209d8d01b3042942393727', 'streebog256', '05b7d4e80b423ed635248a829f3634ce29f9100a81b987760aa12b5e15fc7892'],
    ['', 'bbe074586f1385f07221f5f6', 'gost3411-94', 'c3212221d9af868b25f100c6a9c6b0daa110ac47fafa4ecf6e6b9a76f7f1e941'],
  ];
  for (const [pw, salt, h, kek] of vectors) {
    it(`§3.5 ${h} pw=${JSON.stringify(pw)} salt=${salt}: native addon and TypeScript`, () => {
      expect(hex(cpkdf(ascii(pw), fromHex(salt), h))).toBe(kek);
      expect(hex(cpkdf(ascii(pw), fromHex(salt), h, { native: false }))).toBe(kek);
    });
  }

  it('passes the §3.5 vectors with the addon switched off (KEYCARVE_NO_NATIVE=1)', () => {
    const before = process.env['KEYCARVE_NO_NATIVE'];
    process.env['KEYCARVE_NO_NATIVE'] = '1';
    try {
      expect(loadNative()).toBeNull();
      for (const [pw, salt, h, kek] of vectors) expect(hex(cpkdf(ascii(pw), fromHex(salt), h)), `${h} ${pw}`).toBe(kek);
    } finally {
      if (before === undefined) delete process.env['KEYCARVE_NO_NATIVE'];
      else process.env['KEYCARVE_NO_NATIVE'] = before;
    }
  });

  describe('native addon (native/cpkdf.c) against the TypeScript oracle', () => {
    // Built at `npm ci` on every supported machine (CI included): a missing addon is a failure here.
    it('is built and exports cpkdf', () => {
      expect(typeof loadNative()?.cpkdf).toBe('function');
    });

    // Deterministic "random" salts (xorshift), lengths around the hashes' block boundaries.
    let seed = 0x9e3779b9;
    const rand = (n: number) => Uint8Array.from({ length: n }, () => {
      seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
      return seed & 255;
    });
    const cyr = 'Пароль-Ёж';
    const passwords: [string, Uint8Array | Uint16Array][] = [
      ['empty', ascii('')],
      ['1 char', ascii('x')],
      ['8 ASCII', ascii('qawsqaws')],
      ['long (300 chars)', ascii('Ivanov1970!'.repeat(28).slice(0, 300))],
      ['Cyrillic UTF-8 bytes', ascii(cyr)],
      ['Cyrillic cp1251 bytes', encodeCp1251(cyr)!],
      ['Cyrillic UTF-16 units', Uint16Array.from(cyr, (ch) => ch.charCodeAt(0))],
      ['all byte values', Uint8Array.from({ length: 256 }, (_, i) => 255 - i)],
    ];
    for (const h of ['gost3411-94', 'streebog256'] as const) {
      for (const [name, pw] of passwords) {
        it(`${h}, ${name} password, salts of 0..65 bytes`, () => {
          for (const len of name === 'empty' ? [0, 1, 8, 12, 31, 32, 33, 63, 64, 65] : [8, 12, 33]) {
            const salt = rand(len);
            const ts = hex(cpkdf(pw, salt, h, { native: false }));
            expect(hex(cpkdf(pw, salt, h)), `salt ${hex(salt)}`).toBe(ts);
          }
        });
      }
    }

    it('reads views at an offset (salt.subarray, as masks.key parsing gives it) and leaves them alone', () => {
      const bytes = fromHex('ffffff' + 'bb43a4057f3652f786d5d020' + 'eeee');
      const salt = bytes.subarray(3, 15);
      expect(hex(cpkdf(ascii('1'), salt, 'streebog256'))).toBe('2e168a02b3a0b2bc09c833bc4cccd496eb8e56be6db9b73f9c50d38b2cfec589');
      expect(hex(bytes)).toBe('ffffffbb43a4057f3652f786d5d020eeee');
    });

    it('loads and runs in a worker thread (the password pool)', async () => {
      const path = fileURLToPath(new URL('../../native/build/Release/keycarve.node', import.meta.url));
      const code = `const { parentPort, workerData } = require('node:worker_threads');
        const a = require(workerData.path);
        parentPort.postMessage(Buffer.from(a.cpkdf('streebog256', workerData.pin4, workerData.salt)).toString('hex'));`;
      const pin4 = new Uint8Array([0x31, 0, 0, 0]);
      const w = new Worker(code, { eval: true, workerData: { path, pin4, salt: fromHex('bb43a4057f3652f786d5d020') } });
      const out = await new Promise((res, rej) => { w.once('message', res); w.once('error', rej); });
      await w.terminate();
      expect(out).toBe('2e168a02b3a0b2bc09c833bc4cccd496eb8e56be6db9b73f9c50d38b2cfec589');
    });
  });

  it('uses 2000 rounds, 2 for the empty password', () => {
    expect(cpkdfIterations(ascii(''))).toBe(2);
    expect(cpkdfIterations(ascii('x'))).toBe(2000);
  });

  it('does not modify its inputs', () => {
    const pw = ascii('1'), salt = fromHex('bbe074586f1385f07221f5f6');
    cpkdf(pw, salt, 'gost3411-94');
    expect(hex(pw)).toBe('31');
    expect(hex(salt)).toBe('bbe074586f1385f07221f5f6');
  });

  // §3.4: header hmacPassword = MAC(CPKDF(password, primaryFP), 16 zero bytes), the password oracle.
  const manifest = SAMPLES_DIR + '/manifest.json';
  needSamples.it('reproduces every sample header hmacPassword', () => {
    const samples = JSON.parse(readFileSync(manifest, 'utf8')) as {
      container: string; password: string; algorithm_oid: string; primaryFP: string; hmacPassword?: string | null;
    }[];
    let checked = 0;
    for (const s of samples) {
      if (!s.hmacPassword || s.hmacPassword === '00000000') continue;
      const is2001 = s.algorithm_oid === '1.2.643.2.2.98';
      const key = cpkdf(ascii(s.password), fromHex(s.primaryFP), is2001 ? 'gost3411-94' : 'streebog256');
      expect(hex(mac4(key, new Uint8Array(16), is2001 ? SBOX_CRYPTOPRO_A : SBOX_TC26_Z)), s.container).toBe(s.hmacPassword);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
