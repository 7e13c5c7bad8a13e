import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanPowerShell } from '../../../server/src/core/parsers/powershell';
import { at } from './helpers';

test('double- and single-quoted strings: ranges and content ranges', () => {
  const src = `$a = "x $b y"; $c = 'it''s'`;
  const r = scanPowerShell(src);
  assert.equal(r.strings.length, 2);
  const [d, s] = r.strings;
  assert.deepEqual([d!.start, d!.end, d!.contentStart, d!.contentEnd, d!.quote, d!.hereString], [5, 13, 6, 12, 'expandable', false]);
  assert.deepEqual(d!.expansions, [{ start: 8, end: 10, name: 'b', subexpression: false }]);
  assert.deepEqual([s!.start, s!.end, s!.contentStart, s!.contentEnd, s!.quote], [20, 27, 21, 26, 'verbatim']);
  assert.equal(s!.expansions.length, 0);
  assert.equal(s!.problems.length, 0);
});

test('doubled quotes and backtick escapes do not end a string', () => {
  const src = 'Write-Host "say ""hi"" `"x`" done" next';
  const r = scanPowerShell(src);
  assert.equal(r.strings.length, 1);
  assert.equal(r.strings[0]!.end, at(src, ' next'));
  assert.equal(r.commands[0]!.arguments.length, 2);
});

test('expandable here-string: content excludes the header and terminator line breaks', () => {
  const src = '$h = @"\nline1 $x\nline2\n"@\n';
  const r = scanPowerShell(src);
  const h = r.strings[0]!;
  assert.equal(h.hereString, true);
  assert.equal(h.quote, 'expandable');
  assert.equal(h.start, 5);
  assert.equal(h.contentStart, 8);
  assert.equal(h.contentEnd, at(src, '\n"@'));
  assert.equal(h.end, at(src, '"@') + 2);
  assert.deepEqual(
    h.expansions.map((e) => [e.start, e.end, e.name]),
    [[at(src, '$x'), at(src, '$x') + 2, 'x']],
  );
  assert.deepEqual(h.problems, []);
});

test('verbatim here-string with CRLF: no expansions, CRLF excluded', () => {
  const src = '$h = @\'\r\nkey = "$notExpanded"\r\n\'@\r\n';
  const h = scanPowerShell(src).strings[0]!;
  assert.equal(h.quote, 'verbatim');
  assert.equal(h.contentStart, 9);
  assert.equal(src.slice(h.contentStart, h.contentEnd), 'key = "$notExpanded"');
  assert.equal(h.expansions.length, 0);
});

test('CR-only line breaks', () => {
  const src = '$h = @"\rA\r"@\rWrite-Host ok';
  const r = scanPowerShell(src);
  assert.equal(src.slice(r.strings[0]!.contentStart, r.strings[0]!.contentEnd), 'A');
  assert.deepEqual(
    r.commands.map((c) => c.name),
    ['Write-Host'],
  );
});

test('empty here-string', () => {
  const src = '$h = @"\n"@';
  const h = scanPowerShell(src).strings[0]!;
  assert.equal(h.contentStart, 8);
  assert.equal(h.contentEnd, 8);
  assert.equal(h.end, 10);
});

test('indented here-string terminator is a problem', () => {
  const src = 'function F {\n  $c = @"\n  a = 1\n  "@\n  $c | Out-File x.hcl\n}\n';
  const r = scanPowerShell(src);
  const h = r.strings[0]!;
  assert.equal(h.problems.length, 1);
  const p = h.problems[0]!;
  assert.match(p.message, /here-string terminator must start its line/);
  assert.equal(p.start, at(src, '"@'));
  assert.equal(p.end, at(src, '"@') + 2);
  assert.equal(src.slice(h.contentStart, h.contentEnd), '  a = 1');
  // Recovery: the following pipeline is still found.
  assert.equal(r.fileWrites.length, 1);
});

test('here-string terminator after text on the same line is a problem', () => {
  const src = "$c = @'\nline\nlast'@\nWrite-Host next\n";
  const h = scanPowerShell(src).strings[0]!;
  assert.equal(h.problems.length, 1);
  assert.match(h.problems[0]!.message, /here-string terminator must start its line/);
  assert.equal(h.problems[0]!.start, at(src, "'@"));
  assert.equal(src.slice(h.contentStart, h.contentEnd), 'line\nlast');
});

test('unterminated here-string runs to EOF with a problem', () => {
  const src = '$c = @"\nabc\ndef';
  const h = scanPowerShell(src).strings[0]!;
  assert.equal(h.end, src.length);
  assert.equal(h.contentEnd, src.length);
  assert.equal(h.problems.length, 1);
  assert.match(h.problems[0]!.message, /unterminated here-string/);
});

test('a terminator followed by a pipeline on its line is fine', () => {
  const src = '@"\nx\n"@ | Out-File a.txt';
  const r = scanPowerShell(src);
  assert.deepEqual(r.strings[0]!.problems, []);
  assert.equal(r.fileWrites[0]!.content?.kind, 'string');
});

test('expansions: $name, ${braced name}, $env:X, $script:x, $_, $$, $(…) with nested quotes', () => {
  const src = '"a $name ${my var} $env:NOMAD_VERSION $script:x $_ $$ $(Get-Date -Format "yyyy") $global:g.Prop `$not $ alone"';
  const s = scanPowerShell(src).strings.find((x) => x.start === 0)!;
  assert.deepEqual(
    s.expansions.map((e) => [src.slice(e.start, e.end), e.name, e.subexpression]),
    [
      ['$name', 'name', false],
      ['${my var}', 'my var', false],
      ['$env:NOMAD_VERSION', 'env:NOMAD_VERSION', false],
      ['$script:x', 'script:x', false],
      ['$_', '_', false],
      ['$$', '$', false],
      ['$(Get-Date -Format "yyyy")', 'Get-Date -Format "yyyy"', true],
      ['$global:g', 'global:g', false],
    ],
  );
  assert.equal(s.end, src.length);
});

test('commands inside a string subexpression are found', () => {
  const src = 'Write-Host "v: $(& "C:\\nomad.exe" version)"';
  const r = scanPowerShell(src);
  assert.deepEqual(r.commands.map((c) => c.name).sort(), ['C:\\nomad.exe', 'Write-Host']);
});

test('unterminated "…" string recovers at the end of its line', () => {
  const src = 'Write-Host "oops\nStart-Service Nomad\n';
  const r = scanPowerShell(src);
  assert.equal(r.strings[0]!.end, at(src, '\n'));
  assert.match(r.strings[0]!.problems[0]!.message, /unterminated/);
  assert.ok(r.commands.some((c) => c.name === 'Start-Service'));
});

test('multi-line "…" strings are fine when terminated', () => {
  const src = '$x = "a\nb"\nStop-Service Nomad';
  const r = scanPowerShell(src);
  assert.equal(r.strings[0]!.end, at(src, '"', 1) + 1);
  assert.ok(r.commands.some((c) => c.name === 'Stop-Service'));
});

test('curly quotes count as quotes', () => {
  const src = 'Write-Host \u201Chello $x\u201D';
  const s = scanPowerShell(src).strings[0]!;
  assert.equal(s.quote, 'expandable');
  assert.equal(s.end, src.length);
  assert.equal(s.expansions[0]!.name, 'x');
});

test('comments: line and block; strings in comments are ignored', () => {
  const src = '# a "quote\n<# block\n "x" #>\nWrite-Host \'y\' # trailing';
  const r = scanPowerShell(src);
  assert.deepEqual(
    r.comments.map((c) => c.text),
    ['# a "quote', '<# block\n "x" #>', '# trailing'],
  );
  assert.equal(r.strings.length, 1);
});

test('templated: ${tf} interpolations are expansions in both quote kinds; $${ is an escape; %{} is skipped', () => {
  const src = [
    '$key = "${gossip_key}"',
    "$dc = '${datacenter}'",
    '$ps = "$${literal} ${join(",", servers)}"',
    '%{ if enable_tls }',
    'Write-Host "tls"',
    '%{ endif }',
    'Start-Service Nomad',
  ].join('\n');
  const r = scanPowerShell(src, { templated: true });
  const names = r.strings.map((s) => s.expansions.map((e) => e.name));
  assert.deepEqual(names, [['gossip_key'], ['datacenter'], ['join(",", servers)'], []]);
  const ps = r.strings[2]!;
  assert.equal(ps.end, at(src, ')}"') + 3);
  assert.deepEqual(
    r.commands.map((c) => c.name),
    ['Write-Host', 'Start-Service'],
  );
  assert.deepEqual(
    r.assignments.map((a) => a.name),
    ['key', 'dc', 'ps'],
  );
});

test('not templated: ${name} is a braced PowerShell variable', () => {
  const src = '"${NomadVersion}"';
  const s = scanPowerShell(src).strings[0]!;
  assert.deepEqual(s.expansions, [{ start: 1, end: 16, name: 'NomadVersion', subexpression: false }]);
});
