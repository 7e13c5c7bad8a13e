/**
 * Bytes -> text, the way the agents and editors will see them. We keep what the
 * encoding was, because it is itself a finding (a BOM or UTF-16 agent config
 * is rejected by the HCL parser: `At 1:1: illegal char`, `illegal UTF-8 encoding`).
 */
export type TextEncodingName = 'utf8' | 'utf8bom' | 'utf16le' | 'utf16be';

export type DecodeResult =
  | { readonly ok: true; readonly text: string; readonly encoding: TextEncodingName; readonly invalidUtf8: boolean }
  | { readonly ok: false; readonly reason: string };

/** Files over this size are reported and skipped; the limit keeps memory bounded. */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

const UTF8 = new TextDecoder('utf-8', { fatal: false });

export function decodeBytes(bytes: Uint8Array, maxBytes = DEFAULT_MAX_FILE_BYTES): DecodeResult {
  if (bytes.length > maxBytes) {
    return { ok: false, reason: `file is ${bytes.length} bytes, over the ${maxBytes}-byte limit` };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { ok: true, text: decodeUtf16(bytes.subarray(2), true), encoding: 'utf16le', invalidUtf8: false };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { ok: true, text: decodeUtf16(bytes.subarray(2), false), encoding: 'utf16be', invalidUtf8: false };
  }
  let body = bytes;
  let encoding: TextEncodingName = 'utf8';
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    body = bytes.subarray(3);
    encoding = 'utf8bom';
  } else if (looksLikeBomlessUtf16(bytes)) {
    const le = bytes[1] === 0;
    return { ok: true, text: decodeUtf16(bytes, le), encoding: le ? 'utf16le' : 'utf16be', invalidUtf8: false };
  }
  if (isBinary(body)) return { ok: false, reason: 'binary file (NUL bytes or mostly control characters)' };
  const text = UTF8.decode(body);
  const invalidUtf8 = text.includes('\uFFFD') && !hasLiteralReplacementChar(body);
  return { ok: true, text, encoding, invalidUtf8 };
}

function decodeUtf16(bytes: Uint8Array, littleEndian: boolean): string {
  const even = bytes.length - (bytes.length % 2);
  return new TextDecoder(littleEndian ? 'utf-16le' : 'utf-16be').decode(bytes.subarray(0, even));
}

/** ASCII text saved as UTF-16 without a BOM: every other byte is NUL. */
function looksLikeBomlessUtf16(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  if (n < 8) return false;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i++) {
    if (bytes[i] === 0) {
      if (i % 2 === 0) zeroEven++;
      else zeroOdd++;
    }
  }
  const half = n / 2;
  return (zeroOdd > half * 0.9 && zeroEven === 0) || (zeroEven > half * 0.9 && zeroOdd === 0);
}

function isBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i] ?? 0;
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32 && b !== 27)) control++;
  }
  return n > 0 && control / n > 0.1;
}

function hasLiteralReplacementChar(bytes: Uint8Array): boolean {
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) return true;
  }
  return false;
}
