import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { decodeBytes, DEFAULT_MAX_FILE_BYTES } from '../../../server/src/core/text/decode';

const CFG = 'data_dir = "C:/HashiCorp/Nomad/data"\r\n';
const utf16 = (s: string, le: boolean, bom: boolean) => {
  const b = Buffer.from(s, 'utf16le');
  if (!le) b.swap16();
  return new Uint8Array(bom ? Buffer.concat([Buffer.from(le ? [0xff, 0xfe] : [0xfe, 0xff]), b]) : b);
};

test('decodeBytes: plain UTF-8', () => {
  const r = decodeBytes(new Uint8Array(Buffer.from('région = "eu"\n', 'utf8')));
  assert.deepEqual(r, { ok: true, text: 'région = "eu"\n', encoding: 'utf8', invalidUtf8: false });
});

test('decodeBytes: UTF-8 BOM is stripped and reported (Out-File -Encoding UTF8 on 5.1)', () => {
  const r = decodeBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(CFG)]));
  assert.deepEqual(r, { ok: true, text: CFG, encoding: 'utf8bom', invalidUtf8: false });
});

test('decodeBytes: UTF-16 LE and BE with BOM', () => {
  assert.deepEqual(decodeBytes(utf16(CFG, true, true)), { ok: true, text: CFG, encoding: 'utf16le', invalidUtf8: false });
  assert.deepEqual(decodeBytes(utf16(CFG, false, true)), { ok: true, text: CFG, encoding: 'utf16be', invalidUtf8: false });
});

test('decodeBytes: UTF-16 with BOM and an odd trailing byte drops the half character', () => {
  const b = utf16('ab', true, true);
  const r = decodeBytes(new Uint8Array([...b, 0x41]));
  assert.equal(r.ok && r.text, 'ab');
});

test('decodeBytes: BOM-less UTF-16 (ASCII text, every other byte NUL) is detected, not called binary', () => {
  assert.deepEqual(decodeBytes(utf16(CFG, true, false)), { ok: true, text: CFG, encoding: 'utf16le', invalidUtf8: false });
  assert.deepEqual(decodeBytes(utf16(CFG, false, false)), { ok: true, text: CFG, encoding: 'utf16be', invalidUtf8: false });
});

test('decodeBytes: binary (NUL bytes, mostly control characters) is refused with a reason', () => {
  const r = decodeBytes(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03]));
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /binary/);
  const ctrl = new Uint8Array(100).map((_, i) => (i % 3 === 0 ? 0x01 : 0x41));
  assert.equal(decodeBytes(ctrl).ok, false);
  // Tabs, CR/LF and ESC are text.
  assert.equal(decodeBytes(new Uint8Array(Buffer.from('\ta\r\n\x1b[0m'))).ok, true);
});

test('decodeBytes: invalid UTF-8 is decoded with U+FFFD and flagged; a literal U+FFFD is not flagged', () => {
  const bad = decodeBytes(new Uint8Array([0x61, 0xc3, 0x28, 0x62]));
  assert.equal(bad.ok, true);
  assert.ok(bad.ok && bad.text.includes('\uFFFD'));
  assert.equal(bad.ok && bad.invalidUtf8, true);
  const lit = decodeBytes(new Uint8Array(Buffer.from('a\uFFFDb', 'utf8')));
  assert.equal(lit.ok && lit.invalidUtf8, false);
});

test('decodeBytes: size limit (default 16 MiB, custom limit, exactly at the limit is fine)', () => {
  assert.equal(DEFAULT_MAX_FILE_BYTES, 16 * 1024 * 1024);
  const r = decodeBytes(new Uint8Array(11), 10);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /11 bytes, over the 10-byte limit/);
  assert.equal(decodeBytes(new Uint8Array(Buffer.from('0123456789')), 10).ok, true);
});

test('decodeBytes: empty file is empty UTF-8 text', () => {
  assert.deepEqual(decodeBytes(new Uint8Array(0)), { ok: true, text: '', encoding: 'utf8', invalidUtf8: false });
});
