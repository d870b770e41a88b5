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
