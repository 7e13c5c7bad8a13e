import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { computeLineStarts, SourceText } from '../../../server/src/core/text/sourceText';

test('line tables: LF, CRLF, lone CR and mixed', () => {
  assert.deepEqual(computeLineStarts('a\nb\nc'), [0, 2, 4]);
  assert.deepEqual(computeLineStarts('a\r\nb\r\n'), [0, 3, 6]);
  assert.deepEqual(computeLineStarts('a\rb\rc'), [0, 2, 4]);
  assert.deepEqual(computeLineStarts('a\r\n\rb\n'), [0, 3, 4, 6]);
  assert.deepEqual(computeLineStarts(''), [0]);
});

test('lineText strips the terminator', () => {
  const s = new SourceText('f', 'one\r\ntwo\rthree\nfour');
  assert.deepEqual(
    [0, 1, 2, 3].map((l) => s.lineText(l)),
    ['one', 'two', 'three', 'four'],
  );
  assert.equal(s.lineText(9), '');
});

test('positionAt / offsetAt round trip on every offset (LF, CRLF, CR, UTF-16 surrogates)', () => {
  for (const text of ['a\nbc\n\nd', 'a\r\nbc\r\n\r\nd', 'a\rbc\r\rd', 'x😀y\r\nz', '']) {
    const s = new SourceText('f', text);
    for (let o = 0; o <= text.length; o++) {
      const p = s.positionAt(o);
      // Offsets inside a CRLF (between CR and LF) belong to the line they end.
      if (text[o - 1] === '\r' && text[o] === '\n') continue;
      assert.equal(s.offsetAt(p), o, `${JSON.stringify(text)} @${o} -> ${JSON.stringify(p)}`);
    }
  }
  const s = new SourceText('f', 'x😀y');
  assert.deepEqual(s.positionAt(3), { line: 0, character: 3 }, 'UTF-16 code units, as LSP counts');
});

test('positionAt / offsetAt clamp out-of-range input', () => {
  const s = new SourceText('f', 'ab\ncd');
  assert.deepEqual(s.positionAt(-5), { line: 0, character: 0 });
  assert.deepEqual(s.positionAt(99), { line: 1, character: 2 });
  assert.equal(s.offsetAt({ line: -1, character: 3 }), 0);
  assert.equal(s.offsetAt({ line: 7, character: 0 }), 5);
  assert.equal(s.offsetAt({ line: 0, character: 99 }), 3, 'clamped to the next line start');
  assert.deepEqual(s.rangeOf(4, 1), { start: { line: 1, character: 1 }, end: { line: 1, character: 1 } });
});

test('CRLF: the character after CR LF starts the next line', () => {
  const s = new SourceText('f', 'a\r\nb');
  assert.deepEqual(s.positionAt(3), { line: 1, character: 0 });
  assert.deepEqual(s.positionAt(1), { line: 0, character: 1 });
  assert.equal(s.offsetAt({ line: 1, character: 0 }), 3);
});
