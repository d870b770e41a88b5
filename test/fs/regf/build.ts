// Test hives: a minimal empty hive written here (hivex cannot create one), then keys, values and
// deletions made by hivex itself (python3-hivex), so the reader is tested on a real writer's output.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';

/** An empty regf hive: base block, one bin with the root key "ROOT", its sk cell, free space. */
export function emptyHive(): Uint8Array {
  const b = Buffer.alloc(8192);
  b.write('regf', 0, 'latin1');
  b.writeUInt32LE(1, 4), b.writeUInt32LE(1, 8), b.writeUInt32LE(1, 20), b.writeUInt32LE(5, 24);
  b.writeUInt32LE(0, 28), b.writeUInt32LE(1, 32), b.writeUInt32LE(32, 36), b.writeUInt32LE(4096, 40), b.writeUInt32LE(1, 44);
  let sum = 0;
  for (let i = 0; i < 508; i += 4) sum = (sum ^ b.readUInt32LE(i)) >>> 0;
  b.writeUInt32LE(sum, 508);
  const bin = 4096;
  b.write('hbin', bin, 'latin1'), b.writeUInt32LE(0, bin + 4), b.writeUInt32LE(4096, bin + 8);
  const nk = bin + 32; // root key, cell of 88 bytes
  b.writeInt32LE(-88, nk);
  b.write('nk', nk + 4, 'latin1'), b.writeUInt16LE(0x2c, nk + 6);
  b.writeUInt32LE(0xffffffff, nk + 4 + 16); // parent
  for (const o of [28, 32, 40, 48]) b.writeUInt32LE(0xffffffff, nk + 4 + o);
  b.writeUInt32LE(120, nk + 4 + 44); // sk
  b.writeUInt16LE(4, nk + 4 + 72), b.write('ROOT', nk + 4 + 76, 'latin1');
  const sk = bin + 120; // 48-byte cell: header + a 20-byte empty self-relative descriptor
  b.writeInt32LE(-48, sk);
  b.write('sk', sk + 4, 'latin1'), b.writeUInt32LE(120, sk + 8), b.writeUInt32LE(120, sk + 12), b.writeUInt32LE(1, sk + 16), b.writeUInt32LE(20, sk + 20);
  b[sk + 24] = 1, b.writeUInt16LE(0x8004, sk + 26);
  b.writeInt32LE(4096 - 168, bin + 168); // the rest of the bin is free
  return new Uint8Array(b);
}

const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export interface HiveKey {
  /** Below the root, "\"-separated. */
  readonly path: string;
  /** REG_BINARY values. */
  readonly values?: Record<string, Uint8Array>;
  /** REG_EXPAND_SZ values (ProfileImagePath's type), written UTF-16LE with their NUL. */
  readonly strings?: Record<string, string>;
  /** Deleted by hivex after being written. */
  readonly deleted?: boolean;
}

const SCRIPT = `
import hivex, json, sys
spec = json.load(open(sys.argv[2]))
h = hivex.Hivex(sys.argv[1], write=True)
def node(path):
    n = h.root()
    for part in path.split('\\\\'):
        c = h.node_get_child(n, part)
        n = c if c else h.node_add_child(n, part)
    return n
for k in spec:
    n = node(k['path'])
    if k['values']:
        h.node_set_values(n, [{'key': v['name'], 't': v['t'], 'value': bytes.fromhex(v['hex'])} for v in k['values']])
for k in spec:
    if k['deleted']:
        h.node_delete_child(node(k['path']))
h.commit(None)
`;

/** Writes an empty hive to `path`, then lets hivex add the keys and delete the ones marked so. */
export function buildHive(path: string, keys: readonly HiveKey[]): void {
  writeFileSync(path, emptyHive());
  const spec = keys.map((k) => ({
    path: k.path,
    deleted: k.deleted ?? false,
    values: [
      ...Object.entries(k.values ?? {}).map(([name, v]) => ({ name, t: 3, hex: Buffer.from(v).toString('hex') })),
      ...Object.entries(k.strings ?? {}).map(([name, v]) => ({ name, t: 2, hex: Buffer.from(v + '\0', 'utf16le').toString('hex') })),
    ],
  }));
  writeFileSync(`${path}.json`, JSON.stringify(spec));
  writeFileSync(`${path}.py`, SCRIPT);
  execFileSync(PY, [`${path}.py`, path, `${path}.json`], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** hivex's node handles (file offsets of the nk cells) for key paths below the root. */
export function nodeOffsets(path: string, keys: readonly string[]): number[] {
  const script = `import hivex, json, sys
h = hivex.Hivex(sys.argv[1])
out = []
for p in json.loads(sys.argv[2]):
    n = h.root()
    for part in p.split('\\\\'):
        n = h.node_get_child(n, part)
    out.append(n)
print(json.dumps(out))`;
  return JSON.parse(execFileSync(PY, ['-c', script, path, JSON.stringify(keys)]).toString()) as number[];
}

/**
 * Deletes a key the way Windows does (docs/registry.md §2.8, §6; yarp's DeletedDataHive): its nk,
 * value list, vk and data cells are marked free (size made positive) with their bytes kept — the nk
 * still counts its values and names its list — and its entry is cut out of the parent's subkey list
 * (later entries shift down). Neighbours are not coalesced (hivex does not either). A script after
 * the spec, since no tool here deletes like Windows.
 */
export function deleteLikeWindows(hive: Uint8Array, nkAt: number, parentAt: number): void {
  const b = Buffer.from(hive.buffer, hive.byteOffset, hive.length);
  const free = (at: number) => b.writeInt32LE(Math.abs(b.readInt32LE(at)), at);
  const nk = nkAt + 4;
  const list = 4096 + b.readUInt32LE(nk + 40);
  for (let i = 0; i < b.readUInt32LE(nk + 36); i++) {
    const vk = 4096 + b.readUInt32LE(list + 4 + 4 * i);
    free(4096 + b.readUInt32LE(vk + 4 + 8));
    free(vk);
  }
  free(list), free(nkAt);
  const parent = parentAt + 4;
  const sub = 4096 + b.readUInt32LE(parent + 28) + 4; // an lf/lh list (8-byte entries)
  const n = b.readUInt16LE(sub + 2);
  const i = Array.from({ length: n }, (_, k) => b.readUInt32LE(sub + 4 + 8 * k)).indexOf(nkAt - 4096);
  if (i < 0) throw new Error('key not in its parent subkey list');
  b.copyWithin(sub + 4 + 8 * i, sub + 4 + 8 * (i + 1), sub + 4 + 8 * n);
  b.writeUInt16LE(n - 1, sub + 2);
  b.writeUInt32LE(b.readUInt32LE(parent + 20) - 1, parent + 20);
}
