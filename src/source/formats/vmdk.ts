import { formatError } from './segments.ts';
import type { MappedSource } from './mapped.ts';
export function openVmdk(path: string): Promise<MappedSource> {
  return Promise.reject(formatError(path, 'VMDK is not read yet'));
}
