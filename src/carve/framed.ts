/**
 * Token framing for carvers (format notes §11): an old ESMART file starts with a service byte 01
 * before the DER. A carver wrapped here also looks one byte in, with its anchors moved by one; the
 * candidate is the DER alone (FF or zero tails need nothing: carvers cut at the DER length).
 */
import { derStart } from '../format/framing.ts';
import type { CarverSpec, Chunk } from './types.ts';

export function withLeadByte(spec: CarverSpec): CarverSpec {
  return Object.freeze({
    ...spec,
    anchors: [...spec.anchors, ...spec.anchors.map((a) => ({ ...a, at: a.at + 1 }))],
    maxLength: spec.maxLength + 1,
    carve: (chunk: Chunk, start: number) => spec.carve(chunk, derStart(chunk.bytes, start)),
  });
}
