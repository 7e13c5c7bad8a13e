import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePsString, scanPowerShell } from '../../../server/src/core/parsers/powershell';
import { MappedText, MappedTextBuilder } from '../../../server/src/core/text/mappedText';
import type { ResolvedValue } from '../../../server/src/core/types';

function decode(text: string, index = 0, expand?: Parameters<typeof decodePsString>[2], templated = false) {
  const src = MappedText.identity('client.ps1', text);
  const lit = scanPowerShell(text, { templated }).strings[index]!;
  return decodePsString(src, lit, expand);
}

/** For each decoded char, the host offset it maps to. */
function hostMap(m: MappedText): number[] {
  return [...m.text].map((_, i) => m.hostOffset(i).offset);
}

test('verbatim text maps 1:1', () => {
  const text = "$x = 'abc'";
  const m = decode(text);
  assert.equal(m.text, 'abc');
  assert.deepEqual(hostMap(m), [6, 7, 8]);
  assert.equal(m.hostOffset(0).file, 'client.ps1');
});

test("doubled single quote decodes to one and maps to the pair's start", () => {
  const text = "'it''s'";
  const m = decode(text);
  assert.equal(m.text, "it's");
  assert.deepEqual(hostMap(m), [1, 2, 3, 5]);
});

test('backtick escapes and doubled double quotes in an expandable string', () => {
  const text = '"a`tb`n""c""`$d``e`"f`u{263A}g`q"';
  const m = decode(text);
  assert.equal(m.text, 'a\tb\n"c"$d`e"f\u263Agq');
  //  a  \t  b  \n  "  c  "  $   d   `   e   "   f   ☺   g   q
  assert.deepEqual(hostMap(m), [1, 2, 4, 5, 7, 9, 10, 12, 14, 15, 17, 18, 20, 21, 29, 30]);
  // Escapes are not exact: the whole escape is their host span.
  assert.deepEqual(m.toHost(1, 2), { file: 'client.ps1', start: 2, end: 4 });
  assert.equal(m.isExactAt(0), true);
  assert.equal(m.isExactAt(1), false);
});

test('here-strings keep quotes and backslashes verbatim; backticks still escape in @"…"@', () => {
  const text = '@"\ndata_dir = "C:\\HashiCorp\\data"\nx = ""`t""\n"@';
  const m = decode(text);
  assert.equal(m.text, 'data_dir = "C:\\HashiCorp\\data"\nx = ""\t""');
  const tab = m.text.indexOf('\t');
  assert.equal(m.hostOffset(tab).offset, text.indexOf('`t'));
  assert.equal(m.hostOffset(0).offset, 3);
});

test("verbatim here-string: '' and backticks stay as written", () => {
  const text = "@'\nit''s `n $x\n'@";
  const m = decode(text);
  assert.equal(m.text, "it''s `n $x");
  assert.deepEqual(
    hostMap(m),
    [...m.text].map((_, i) => 3 + i),
  );
});

test('expansions: substituted when expand returns a value, verbatim otherwise', () => {
  const text = '"dc=$dc v=${Ver} e=$env:X s=$(Get-X)!"';
  const origin: ResolvedValue = { kind: 'known', text: 'dc1', chain: [] };
  const m = decode(text, 0, (e) => (e.name === 'dc' ? { text: 'dc1', origin } : e.name === 'env:X' ? { text: '' } : undefined));
  assert.equal(m.text, 'dc=dc1 v=${Ver} e= s=$(Get-X)!');
  // The substituted value maps to the expansion's span and carries its origin.
  const i = m.text.indexOf('dc1');
  assert.deepEqual(m.toHost(i, i + 3), { file: 'client.ps1', start: text.indexOf('$dc'), end: text.indexOf('$dc') + 3 });
  assert.deepEqual(m.originsIn(i, i + 3), [origin]);
  // Unexpanded ones are copied exactly.
  const v = m.text.indexOf('${Ver}');
  assert.equal(m.hostOffset(v + 2).offset, text.indexOf('${Ver}') + 2);
  assert.equal(m.isExactAt(v + 2), true);
  const bang = m.text.indexOf('!');
  assert.equal(m.hostOffset(bang).offset, text.indexOf('!'));
});

test('templated: $${ decodes to ${ and ${tf} can be substituted', () => {
  const text = "'$${ps} ${tf}'";
  const m = decode(text, 0, (e) => (e.name === 'tf' ? { text: 'VALUE' } : undefined), true);
  assert.equal(m.text, '${ps} VALUE');
  assert.equal(m.hostOffset(0).offset, 1);
  assert.equal(m.hostOffset(2).offset, 4); // 'p' after the 3-char escape
  assert.equal(m.hostOffset(6).offset, text.indexOf('${tf}'));
});

test('decoding composes through a previous mapping stage', () => {
  // The PowerShell text is itself a slice of a host document starting at offset 100.
  const host = 'x'.repeat(100) + '"a`tb"';
  const base = MappedText.identity('user-data.tpl', host);
  const stage = new MappedTextBuilder(base).copy(100, host.length).build();
  const lit = scanPowerShell(stage.text).strings[0]!;
  const m = decodePsString(stage, lit);
  assert.equal(m.text, 'a\tb');
  assert.deepEqual(hostMap(m), [101, 102, 104]);
  assert.equal(m.hostOffset(0).file, 'user-data.tpl');
});

test('a here-string decodes exactly as the character-by-character path does (random contents: backticks, expansions, template escapes)', () => {
  // Without quote characters the only difference between the two paths is the here-string's jump to the next
  // backtick / expansion / escape: decoding the same literal with hereString false is the reference.
  let seed = 5;
  const rnd = (n: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n);
  const pieces = ['a', 'b c', '\n', '\r\n', '`', '`n', '``', '`$x', '$x', '${y}', '$($z)', '$env:P', '$$', '$${v}', '%{ if a }', '`u{263A}', ' '];
  const expand = (e: { name: string }) => ({ text: `<${e.name}>` });
  for (let round = 0; round < 1500; round++) {
    let body = '';
    for (let n = rnd(12); n > 0; n--) body += pieces[rnd(pieces.length)];
    const templated = round % 2 === 1;
    const text = `$c = @"\n${body}\n"@\n`;
    const src = MappedText.identity('client.ps1', text);
    const lit = scanPowerShell(text, { templated }).strings.find((s) => s.hereString);
    if (!lit) continue;
    const fast = decodePsString(src, lit, expand);
    const slow = decodePsString(src, { ...lit, hereString: false }, expand);
    assert.equal(fast.text, slow.text, JSON.stringify(body));
    assert.deepEqual(fast.segments, slow.segments, JSON.stringify(body));
  }
});
