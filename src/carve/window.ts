/**
 * A carver's window: the bytes around a hit it is handed, [s - back, s + ahead). Ahead is its
 * maxLength to whole sectors and one sector more (a candidate keeps its last sector's slack, and a
 * framed file starts a byte in), so at least the hit's sector, where its anchors are tested.
 */
import type { CarverSpec } from './types.ts';

const SECTOR = 512;

export function carveWindow(carver: CarverSpec): { back: number; ahead: number } {
  return { back: Math.ceil((carver.lookBack ?? 0) / SECTOR) * SECTOR, ahead: (Math.ceil(carver.maxLength / SECTOR) + 1) * SECTOR };
}
