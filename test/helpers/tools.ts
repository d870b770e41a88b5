import { spawnSync } from 'node:child_process';

/** True when every named command is on PATH (tests that need a tool skip without it). */
export function hasTool(...tools: string[]): boolean {
  return tools.every((t) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t], { stdio: 'ignore' }).status === 0);
}
