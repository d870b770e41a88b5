import { it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hex } from '../../src/crypto/bytes.ts';
import { rebuildHeader } from '../../src/format/header-rebuild.ts';
import { parseHeader } from '../../src/format/header-key.ts';
import { verifyContainer } from '../../src/format/container.ts';
import { eachSample, MANIFEST, needSamples, sampleFile, sampleFiles } from './samples.ts';
import { SAMPLES_DIR } from '../helpers/samples-dir.ts';

needSamples.describe('rebuild header.key from the certificate', () => {
  eachSample(MANIFEST.filter((x) => x.header_has_certificate), 'each sample with a certificate in header.key: byte for byte', (e) =>
    it(`${e.container}: byte for byte`, () => {
      const orig = sampleFile(e, 'header.key')!;
      const h = parseHeader(orig);
      if (!h.ok) throw new Error(h.why);
      const r = rebuildHeader({
        certificate: h.value.primaryCertificate!,
        primary: sampleFile(e, 'primary.key')!,
        masks: sampleFile(e, 'masks.key')!,
        password: new TextEncoder().encode(e.password),
        keyValidity: h.value.keyNotAfter!,
        exportable: h.value.exportable,
        emptyPasswordMac: h.value.hmacPassword ? 'zero' : 'omit',
      });
      if (!r.ok) throw new Error(r.why);
      expect(hex(r.value.header)).toBe(hex(orig));
      expect(verifyContainer({ ...sampleFiles(e), header: r.value.header }, [e.password]).status.kind).toBe('verified');
    }),
  );

  it('the no-certificate samples rebuild from their loose .cer into a working header', () => {
    for (const e of MANIFEST.filter((x) => !x.header_has_certificate)) {
      const cer = new Uint8Array(readFileSync(join(SAMPLES_DIR, e.container, '..', 'certificate.cer')));
      const r = rebuildHeader({ certificate: cer, primary: sampleFile(e, 'primary.key')!, masks: sampleFile(e, 'masks.key')!, password: new TextEncoder().encode(e.password) });
      if (!r.ok) throw new Error(r.why);
      const v = verifyContainer({ ...sampleFiles(e), header: r.value.header }, [e.password]);
      expect(v.status.kind).toBe('verified');
    }
  });

  it('refuses with a wrong password or another container’s key', () => {
    const [a, b] = MANIFEST.filter((x) => x.header_has_certificate && x.password !== '');
    const ha = parseHeader(sampleFile(a!, 'header.key')!);
    if (!ha.ok) throw new Error(ha.why);
    const wrongPw = rebuildHeader({ certificate: ha.value.primaryCertificate!, primary: sampleFile(a!, 'primary.key')!, masks: sampleFile(a!, 'masks.key')!, password: new TextEncoder().encode('nope') });
    expect(wrongPw).toMatchObject({ ok: false, why: expect.stringContaining('refusing') });
    const otherKey = rebuildHeader({ certificate: ha.value.primaryCertificate!, primary: sampleFile(b!, 'primary.key')!, masks: sampleFile(b!, 'masks.key')!, password: new TextEncoder().encode(b!.password) });
    expect(otherKey.ok).toBe(false);
    expect(rebuildHeader({ certificate: new Uint8Array(10), primary: new Uint8Array(0), masks: new Uint8Array(0) }).ok).toBe(false);
  });
});
