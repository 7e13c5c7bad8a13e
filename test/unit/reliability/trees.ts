/**
 * Temporary copies of deployment trees for the reliability tests: the
 * examples as they are, converted to CRLF, or with UTF-8 BOMs, and small
 * inline fixtures written to disk so that they go through `Workspace.load`
 * like a real checkout.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Root-relative paths (`/` separators) of every file under `dir`, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string) => {
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path.join(abs, e.name), r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

export function readRel(dir: string, rel: string): Buffer {
  return fs.readFileSync(path.join(dir, ...rel.split('/')));
}

/** Writes `files` (text or bytes) into a fresh temporary folder and returns its real path. */
export function writeTree(files: Record<string, string | Uint8Array>, prefix = 'hsr-rel-'): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, ...rel.split('/'));
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
  return root;
}

/** The files of a folder on disk, as bytes. */
export function readTree(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const rel of listFiles(dir)) out[rel] = readRel(dir, rel);
  return out;
}

/** Copies `src` into a temporary folder, passing each file's bytes through `transform`. */
export function copyTree(src: string, transform: (rel: string, bytes: Buffer) => Buffer = (_r, b) => b): string {
  const files: Record<string, Buffer> = {};
  for (const [rel, bytes] of Object.entries(readTree(src))) files[rel] = transform(rel, bytes);
  return writeTree(files);
}

/** Every line break becomes CRLF (an existing CRLF stays one CRLF). */
export function toCrlf(bytes: Buffer): Buffer {
  return Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

export function withBom(bytes: Buffer): Buffer {
  return bytes.subarray(0, 3).equals(BOM) ? bytes : Buffer.concat([BOM, bytes]);
}

/** What an editor holds for a UTF-8 file: the text after the BOM, nothing normalised. */
export function decodeUtf8File(bytes: Buffer): { bom: boolean; text: string } {
  const bom = bytes.subarray(0, 3).equals(BOM);
  return { bom, text: (bom ? bytes.subarray(3) : bytes).toString('utf8') };
}

export function encodeUtf8File(text: string, bom: boolean): Buffer {
  const body = Buffer.from(text, 'utf8');
  return bom ? Buffer.concat([BOM, body]) : body;
}

export function removeTree(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
