/**
 * The one gate every name passes before it reaches the disk: no path separators, no `.`/`..`,
 * no control characters, no Windows-reserved names or characters (the folder may be copied to a
 * Windows machine for CryptoPro), bounded length. Cyrillic letters are kept.
 */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export function safeName(raw: string, fallback = 'unnamed'): string {
  let s = raw
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '_')
    .replace(/[\\/:*?"<>|]/g, '_')
    .trim()
    .replace(/[. ]+$/g, ''); // Windows drops trailing dots and spaces
  if (s === '' || s === '.' || s === '..' || /^\.+$/.test(s)) s = fallback;
  if (RESERVED.test(s)) s = `_${s}`;
  // Keep within 200 UTF-8 bytes (file systems limit names to 255 bytes).
  while (Buffer.byteLength(s, 'utf8') > 200) s = s.slice(0, -1);
  return s;
}

/** A relative path from the medium ("/Клиенты/ООО Ромашка") as safe segments. */
export function safePath(raw: string): string[] {
  return raw
    .split(/[\\/]+/)
    .filter((p) => p !== '' && p !== '.' && p !== '..')
    .map((p) => safeName(p))
    .slice(0, 16);
}

/** CryptoPro folder names are `<8 chars>.<NNN>`; the next free extension on a clash. */
export function nextFreeFolder(name: string, taken: (n: string) => boolean): string {
  if (!taken(name)) return name;
  const m = /^(.*)\.(\d{3})$/.exec(name);
  const stem = m ? m[1]! : name;
  for (let n = m ? Number(m[2]) + 1 : 0; n < 1000; n++) {
    const cand = `${stem}.${String(n).padStart(3, '0')}`;
    if (!taken(cand)) return cand;
  }
  for (let n = 1; ; n++) if (!taken(`${stem}-${n}`)) return `${stem}-${n}`;
}
