import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanPowerShell, decodePsString } from '../../../server/src/core/parsers/powershell';
import { MappedText } from '../../../server/src/core/text/mappedText';
import { growthRatio } from '../timing';
import { rng } from '../../support/editChains';

const ALPHABET = [
  '"',
  "'",
  '@"',
  "@'",
  '"@',
  "'@",
  '$',
  '$(',
  '${',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  '`',
  '#',
  '<#',
  '#>',
  '|',
  '>',
  '>>',
  '2>&1',
  ';',
  ',',
  '::',
  '.',
  '-replace',
  '-f',
  ' ',
  '\n',
  '\r\n',
  '\r',
  'abc',
  'Out-File',
  'Set-Content',
  '[IO.File]::WriteAllText(',
  '%{',
  '$${',
  'x',
  '=',
  '&',
  '-Path',
  '\u201C',
  '\uD800',
  '\0',
];

test('random garbage never throws and offsets stay in range', () => {
  const r = rng(42);
  for (let n = 0; n < 400; n++) {
    let s = '';
    const len = Math.floor(r() * 200);
    for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)]!;
    for (const templated of [false, true]) {
      const res = scanPowerShell(s, { templated });
      const src = MappedText.identity('g.ps1', s);
      for (const lit of res.strings) {
        assert.ok(
          lit.start >= 0 && lit.start <= lit.contentStart && lit.contentStart <= lit.contentEnd && lit.contentEnd <= lit.end && lit.end <= s.length,
          `bad ranges in ${JSON.stringify(s)}`,
        );
        const m = decodePsString(src, lit, () => ({ text: 'V' }));
        for (let i = 0; i < m.text.length; i++) {
          const o = m.hostOffset(i).offset;
          assert.ok(o >= lit.contentStart && o <= lit.contentEnd, `mapping out of the literal in ${JSON.stringify(s)}`);
        }
      }
      for (const c of res.commands) assert.ok(c.start <= c.end && c.end <= s.length);
    }
  }
});

test('unterminated everything', () => {
  for (const s of [
    '"abc',
    "'abc",
    '@"\nabc',
    "@'\nabc",
    '<# abc',
    '$(abc',
    '${abc',
    '(((',
    '{{{',
    '[IO.File]::WriteAllText(',
    'Out-File -Path',
    '"$(',
    '"$("$(',
    '& ',
    '-',
    '`',
    '@',
    '$',
    '%{',
    '${',
  ]) {
    scanPowerShell(s);
    scanPowerShell(s, { templated: true });
  }
  const r = scanPowerShell('"abc $(Get-Date');
  assert.equal(r.strings.length, 1);
});

test('10k nested parens, braces, subexpressions and strings do not overflow', () => {
  const n = 10_000;
  const parens = '('.repeat(n) + 'Get-Date' + ')'.repeat(n);
  assert.ok(scanPowerShell(parens).commands.some((c) => c.name === 'Get-Date'));
  const braces = 'if ($x) {'.repeat(n) + 'Start-Service Nomad' + '}'.repeat(n);
  assert.ok(scanPowerShell(braces).commands.some((c) => c.name === 'Start-Service'));
  const subs = '"$('.repeat(2000) + 'Get-Item' + ')"'.repeat(2000);
  scanPowerShell(subs);
  const unclosed = '('.repeat(n) + '{'.repeat(n) + '$('.repeat(n) + 'Stop-Service x';
  assert.ok(scanPowerShell(unclosed).commands.some((c) => c.name === 'Stop-Service'));
  const replaces = '$x' + " -replace 'a', 'b'".repeat(n);
  const v = scanPowerShell(`$y = ${replaces}`).assignments[0]!.value!;
  assert.equal(v.kind, 'replace');
  const unary = '$y = ' + '!'.repeat(n) + '$x';
  scanPowerShell(unary);
});

test('linear time: a 10x input takes roughly 10x as long', () => {
  const unit = [
    '$c = @"',
    'datacenter = "$dc"',
    '"@',
    '$c | Out-File -FilePath C:\\a.hcl -Encoding ascii',
    "(Get-Content $t -Raw) -replace 'A', $b | Set-Content $p",
    'sc.exe create "Nomad" binPath= "C:\\n.exe agent" start= auto',
    'Write-Host "stray',
    '"$(Get-Date) ${x}" # comment',
    "Write-Host 'unterminated",
    'if ($x) { foreach ($i in 1..3) { [IO.File]::WriteAllText($p, "x") } ',
    '',
  ].join('\n');
  const small = unit.repeat(200);
  const big = unit.repeat(200 * 10);
  // Equal work on both sides (see growthRatio): about 1 when linear, about 10 when quadratic.
  const ratio = growthRatio(
    () => scanPowerShell(small),
    () => scanPowerShell(big),
    10,
    4,
  );
  assert.ok(ratio <= 4, `10x input took ${ratio.toFixed(1)}x the time of 10 small scans: super-linear`);
  const tplRatio = growthRatio(
    () => scanPowerShell(small, { templated: true }),
    () => scanPowerShell(big, { templated: true }),
    10,
    4,
  );
  assert.ok(tplRatio <= 4, `templated: ${tplRatio.toFixed(1)}x`);
});

test('pathological unterminated constructs repeated many times stay linear', () => {
  const units = ['"a\n', "'a\n", '"$(\n', '${\n', '%{\n', '@"x\n'];
  for (const u of units) {
    const small = u.repeat(2000);
    const big = u.repeat(2000 * 10);
    // Equal work on both sides (see growthRatio): about 1 when linear, about 10 when quadratic.
    const ratio = growthRatio(
      () => scanPowerShell(small, { templated: true }),
      () => scanPowerShell(big, { templated: true }),
      10,
      4,
    );
    assert.ok(ratio <= 4, `unit ${JSON.stringify(u)}: 10x input took ${ratio.toFixed(1)}x the time of 10 small scans`);
  }
});
