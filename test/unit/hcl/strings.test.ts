import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHcl } from '../../../server/src/core/parsers/hcl';
import { attr, slice, str } from './helpers';

test('quoted string ranges and decoded value', () => {
  const text = 'a = "x\\"y\\\\z"\n';
  const r = parseHcl(text);
  assert.deepEqual(r.diagnostics, []);
  const s = str(attr(r.body, 'a').value);
  assert.deepEqual([s.start, s.end, s.contentStart, s.contentEnd], [4, 13, 5, 12]);
  assert.equal(s.value, 'x"y\\z');
  assert.deepEqual(s.parts, [{ kind: 'literal', start: 5, end: 12, value: 'x"y\\z' }]);
  assert.deepEqual(s.escapeIssues, []);
});

test('hcl1: Windows path escapes become control chars or are illegal', () => {
  const text = 'a = "C:\\tmp\\nomad"\nb = "C:\\HashiCorp\\Nomad"\n';
  const r = parseHcl(text, 'hcl1');
  const a = str(attr(r.body, 'a').value);
  assert.equal(a.value, 'C:\tmp\nomad');
  assert.deepEqual(a.escapeIssues, [
    { start: 7, end: 9, kind: 'control', sequence: '\\t' },
    { start: 11, end: 13, kind: 'control', sequence: '\\n' },
  ]);
  const b = str(attr(r.body, 'b').value);
  assert.equal(b.value, 'C:\\HashiCorp\\Nomad');
  assert.deepEqual(b.escapeIssues, [
    { start: 26, end: 28, kind: 'invalid', sequence: '\\H' },
    { start: 36, end: 38, kind: 'invalid', sequence: '\\N' },
  ]);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.start, d.end, d.message.startsWith('illegal char escape')]),
    [
      [26, 28, true],
      [36, 38, true],
    ],
  );
});

test('hcl1: all valid escapes decode', () => {
  const r = parseHcl('a = "\\a\\b\\f\\v\\101\\x41\\u0041\\U0001F600\\\\\\""\n', 'hcl1');
  assert.deepEqual(r.diagnostics, []);
  const s = str(attr(r.body, 'a').value);
  assert.equal(s.value, '\x07\b\f\vAAA\u{1F600}\\"');
  assert.deepEqual(
    s.escapeIssues.map((i) => i.kind),
    ['control', 'control', 'control', 'control'],
  );
});

test('hcl1: trailing backslash escapes the quote: literal not terminated', () => {
  const text = 'log_file = "C:\\logs\\"\nport = 1\n';
  const r = parseHcl(text, 'hcl1');
  const s = str(attr(r.body, 'log_file').value);
  // The string runs on past the escaped quote up to the end of the line.
  assert.deepEqual([s.start, s.end, s.contentEnd], [11, 21, 21]);
  assert.equal(s.value, 'C:\\logs"');
  assert.ok(s.escapeIssues.some((i) => i.sequence === '\\l' && i.kind === 'invalid'));
  const lnt = r.diagnostics.find((d) => d.message.includes('literal not terminated'));
  assert.ok(lnt);
  assert.deepEqual([lnt.start, lnt.end], [11, 21]);
  // The next line still parses.
  assert.equal(attr(r.body, 'port').value.type, 'number');
});

test('hcl1: newline in quoted string and unterminated string at EOF', () => {
  const r1 = parseHcl('a = "abc\nb = 2\n', 'hcl1');
  assert.ok(r1.diagnostics.some((d) => d.message.includes('literal not terminated') && d.start === 4 && d.end === 8));
  assert.equal(str(attr(r1.body, 'a').value).value, 'abc');
  assert.equal(attr(r1.body, 'b').value.type, 'number');
  const r2 = parseHcl('a = "abc', 'hcl1');
  assert.ok(r2.diagnostics.some((d) => d.message.includes('literal not terminated')));
  assert.equal(str(attr(r2.body, 'a').value).value, 'abc');
});

test('hcl2: escapes', () => {
  const text = 'a = "\\n\\t\\r\\"\\\\\\u00e9\\U0001F600"\nb = "C:\\HashiCorp\\a"\n';
  const r = parseHcl(text, 'hcl2');
  const a = str(attr(r.body, 'a').value);
  assert.equal(a.value, '\n\t\r"\\é\u{1F600}');
  assert.deepEqual(
    a.escapeIssues.map((i) => [i.kind, i.sequence]),
    [
      ['control', '\\n'],
      ['control', '\\t'],
      ['control', '\\r'],
    ],
  );
  const b = str(attr(r.body, 'b').value);
  // \a is not an HCL2 escape (it is in HCL v1)
  assert.deepEqual(
    b.escapeIssues.map((i) => [i.start, i.end, i.kind, i.sequence]),
    [
      [text.indexOf('\\H'), text.indexOf('\\H') + 2, 'invalid', '\\H'],
      [text.indexOf('\\a'), text.indexOf('\\a') + 2, 'invalid', '\\a'],
    ],
  );
  assert.ok(r.diagnostics.every((d) => d.message.startsWith('Invalid escape sequence')));
  assert.equal(r.diagnostics.length, 2);
});

test('hcl2: x and octal escapes are invalid; newline in quoted string is an error', () => {
  const r = parseHcl('a = "\\x41"\n');
  assert.deepEqual(
    str(attr(r.body, 'a').value).escapeIssues.map((i) => i.kind),
    ['invalid'],
  );
  const r2 = parseHcl('a = "abc\nb = 1\n');
  assert.ok(r2.diagnostics.some((d) => d.message.includes('multi-line string')));
  assert.equal(attr(r2.body, 'b').value.type, 'number');
});

test('template parts: interpolations with strip markers, directives, escapes', () => {
  const text = 'a = "x${~ var.y ~}z%{ if c }t%{ else }f%{ endif }$${lit}%%{d}"\n';
  const r = parseHcl(text);
  assert.deepEqual(r.diagnostics, []);
  const s = str(attr(r.body, 'a').value);
  assert.equal(s.value, 'x${~ var.y ~}z%{ if c }t%{ else }f%{ endif }${lit}%{d}');
  const kinds = s.parts.map((p) => [p.kind, slice(text, p)]);
  assert.deepEqual(kinds, [
    ['literal', 'x'],
    ['interpolation', '${~ var.y ~}'],
    ['literal', 'z'],
    ['directive', '%{ if c }'],
    ['literal', 't'],
    ['directive', '%{ else }'],
    ['literal', 'f'],
    ['directive', '%{ endif }'],
    ['literal', '$${'],
    ['literal', 'lit}'],
    ['literal', '%%{'],
    ['literal', 'd}'],
  ]);
  const interp = s.parts[1];
  assert.ok(interp && interp.kind === 'interpolation');
  assert.equal(interp.stripLeft, true);
  assert.equal(interp.stripRight, true);
  assert.deepEqual(interp.expr, { type: 'traversal', start: 10, end: 15, path: ['var', 'y'] });
  const dollar = s.parts[8];
  assert.deepEqual(dollar, { kind: 'literal', start: text.indexOf('$${'), end: text.indexOf('$${') + 3, value: '${' });
  const ifd = s.parts[3];
  assert.ok(ifd && ifd.kind === 'directive' && ifd.keyword === 'if' && ifd.raw === '%{ if c }');
});

test('for directive and unbalanced directives', () => {
  const ok = parseHcl('a = "%{ for s in var.servers }${s},%{ endfor }"\n');
  assert.deepEqual(ok.diagnostics, []);
  const parts = str(attr(ok.body, 'a').value).parts;
  assert.deepEqual(
    parts.map((p) => (p.kind === 'directive' ? p.keyword : p.kind)),
    ['for', 'interpolation', 'literal', 'endfor'],
  );
  const bad = parseHcl('a = "%{ if x }b"\n');
  assert.ok(bad.diagnostics.some((d) => d.message.includes('endif')));
});

test('heredocs: plain and indented', () => {
  const text = 'a = <<EOF\nline ${var.x}\n  two\nEOF\nb = <<-EOT\n    hi\n      there\n    EOT\nc = 1\n';
  const r = parseHcl(text);
  assert.deepEqual(r.diagnostics, []);
  const a = str(attr(r.body, 'a').value);
  assert.equal(a.heredoc, true);
  assert.equal(a.value, 'line ${var.x}\n  two\n');
  assert.deepEqual([a.start, a.end, a.contentStart, a.contentEnd], [4, 33, 10, 30]);
  assert.deepEqual(
    a.parts.map((p) => p.kind),
    ['literal', 'interpolation', 'literal'],
  );
  const b = str(attr(r.body, 'b').value);
  assert.equal(b.value, 'hi\n  there\n');
  assert.equal(slice(text, b), '<<-EOT\n    hi\n      there\n    EOT');
  assert.equal(attr(r.body, 'c').value.type, 'number');
});

test('heredoc: backslashes are literal; unterminated heredoc is reported', () => {
  const r = parseHcl('a = <<EOF\nC:\\tmp\\nomad\nEOF\n', 'hcl1');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(str(attr(r.body, 'a').value).value, 'C:\\tmp\\nomad\n');
  assert.deepEqual(str(attr(r.body, 'a').value).escapeIssues, []);
  const r2 = parseHcl('a = <<EOF\nnever closed\n');
  assert.ok(r2.diagnostics.some((d) => d.message.includes('Unterminated heredoc')));
  assert.equal(str(attr(r2.body, 'a').value).value, 'never closed\n');
});

test('nested quotes inside interpolation (Terraform 0.11 style)', () => {
  const text = 'a = "${file("${path.module}/x.ps1")}"\nb = "${replace(var.p, "\\\\", "/")}"\n';
  const r = parseHcl(text, 'hcl1');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(str(attr(r.body, 'a').value).end, text.indexOf('\n'));
  const b = str(attr(r.body, 'b').value);
  const p = b.parts[0];
  assert.ok(p && p.kind === 'interpolation' && p.expr.type === 'call');
  if (p.expr.type === 'call') assert.equal(str(p.expr.args[1] ?? p.expr).value, '\\');
});
