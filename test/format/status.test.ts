// A status carries its proof: only verifyContainer makes `verified`/`intact`, and a status can only be
// lowered. The @ts-expect-error lines are the type-level test: `tsc --noEmit` (npm test) fails if
// any of them compiles.
import { describe, expect, it } from 'vitest';
import { verifyContainer, type ContainerFiles } from '../../src/format/container.ts';
import { downgrade, type PartialStatus, type Status, type VerifiedStatus } from '../../src/format/status.ts';
import { makeContainer } from '../helpers/containers.ts';

const files = (f: Record<string, Uint8Array>): ContainerFiles => ({
  header: f['header.key'],
  primary: f['primary.key'],
  masks: f['masks.key'],
  primary2: f['primary2.key'],
  masks2: f['masks2.key'],
  name: f['name.key'],
});

describe('container status', () => {
  const c = makeContainer({ password: 'pw', seed: 'status' });

  it('verified carries the key proof, intact the MACs and the tie', () => {
    const v = verifyContainer(files(c.files), ['pw']).status;
    expect(v.kind).toBe('verified');
    if (v.kind === 'verified') expect(v.proof).toMatchObject({ by: 'key-fingerprint' });
    const i = verifyContainer(files(c.files), ['wrong']).status;
    expect(i.kind).toBe('intact');
    if (i.kind === 'intact') expect(i.proof).toMatchObject({ tiedBy: 'folder', macs: expect.arrayContaining(['header-mac', 'masks-mac']) as unknown });
  });

  it('without a tie, a key that is not proven gives partial', () => {
    const r = verifyContainer(files(c.files), ['wrong'], undefined, null);
    expect(r.status.kind).toBe('partial');
    expect(r.problems).toHaveLength(1);
  });

  it('downgrade only lowers', () => {
    const v = verifyContainer(files(c.files), ['pw']).status;
    const p = downgrade(v, 'masks.key lies on unreadable sectors');
    expect(p).toEqual({ kind: 'partial', problems: ['masks.key lies on unreadable sectors'] });
    expect(downgrade(p, 'b').problems).toEqual(['masks.key lies on unreadable sectors', 'b']);
  });

  it('an upgrade or a proof without its check does not compile', () => {
    const p: PartialStatus = downgrade(verifyContainer(files(c.files), ['pw']).status, 'x');
    // @ts-expect-error a verified status needs a KeyProof, which only container.ts can make
    const forged: Status = { kind: 'verified', proof: { by: 'key-fingerprint', fingerprint: null } };
    // @ts-expect-error a partial status cannot be relabelled as verified
    const upgraded: VerifiedStatus = { ...p, kind: 'verified' };
    // @ts-expect-error downgrade returns partial, never a verified status
    const raised: VerifiedStatus = downgrade(p, 'y');
    const i = verifyContainer(files(c.files), ['wrong']).status;
    if (i.kind !== 'intact') throw new Error('expected intact');
    // @ts-expect-error an intact proof is not a key proof
    const swapped: VerifiedStatus = { kind: 'verified', proof: i.proof };
    // @ts-expect-error a partial status needs at least one problem
    const empty: Status = { kind: 'partial', problems: [] };
    expect([forged, upgraded, raised, swapped, empty].length).toBe(5);
  });
});
