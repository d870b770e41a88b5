import { formatError } from './segments.ts';
import type { MappedSource } from './mapped.ts';
export function openVhdx(path: string): Promise<MappedSource> {
  return Promise.reject(formatError(path, 'VHDX is not read yet'));
}
