import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, parseTemplateWithDiagnostics } from '../../../server/src/core/parsers/hcl';
import { slice } from './helpers';
import { ratioWithin } from '../timing';

test('PowerShell user-data template: literals, interpolations, $${ escapes', () => {
  const text = [
    '<powershell>',
    '$key = "${gossip_key}"',
    '$path = "$${env:ProgramData}\\nomad"',
    '@"',
    'datacenter = "${datacenter}"',
    '"@ | Out-File C:\\nomad\\client.hcl',
    '</powershell>',
    '',
  ].join('\n');
  const r = parseTemplateWithDiagnostics(text);
  assert.deepEqual(r.diagnostics, []);
  const interps = r.parts.filter((p) => p.kind === 'interpolation');
  assert.deepEqual(
    interps.map((p) => slice(text, p)),
    ['${gossip_key}', '${datacenter}'],
  );
  const first = interps[0];
  assert.ok(first && first.kind === 'interpolation');
  assert.deepEqual(first.expr, { type: 'traversal', start: 23, end: 33, path: ['gossip_key'] });
  const esc = r.parts.find((p) => p.kind === 'literal' && p.value === '${');
  assert.ok(esc);
  assert.deepEqual([esc.start, esc.end], [text.indexOf('$${'), text.indexOf('$${') + 3]);
  // Parts tile the whole text.
  let pos = 0;
  for (const p of r.parts) {
    assert.equal(p.start, pos);
    pos = p.end;
  }
  assert.equal(pos, text.length);
  // Backslashes in template literals are kept as written.
  assert.ok(r.parts.some((p) => p.kind === 'literal' && p.value.includes('C:\\nomad\\client.hcl')));
});

test('bash template with directives and %%{', () => {
  const text = '%{ for ip in servers ~}\nretry_join = ["${ip}"]\n%{ endfor ~}\necho "%%{literal}"\n%{ if enable_tls }tls {}%{ endif }\n';
  const r = parseTemplateWithDiagnostics(text);
  assert.deepEqual(r.diagnostics, []);
  const directives = r.parts.filter((p) => p.kind === 'directive');
  assert.deepEqual(
    directives.map((d) => (d.kind === 'directive' ? [d.keyword, d.raw] : [])),
    [
      ['for', '%{ for ip in servers ~}'],
      ['endfor', '%{ endfor ~}'],
      ['if', '%{ if enable_tls }'],
      ['endif', '%{ endif }'],
    ],
  );
  const pct = r.parts.find((p) => p.kind === 'literal' && p.value === '%{');
  assert.ok(pct);
  assert.equal(slice(text, pct), '%%{');
});

test('interpolation with a function call and nested string', () => {
  const text = 'x=${join(",", [for s in servers : "\\"${s}\\""])}\n';
  const parts = parseTemplate(text);
  const p = parts[1];
  assert.ok(p && p.kind === 'interpolation');
  assert.equal(p.expr.type, 'call');
  assert.equal(slice(text, p), text.slice(2, -1));
});

test('unterminated ${ at EOF: rest is literal plus a diagnostic', () => {
  const text = 'a ${b} c ${unterminated\nmore text';
  const r = parseTemplateWithDiagnostics(text);
  const last = r.parts[r.parts.length - 1];
  assert.ok(last && last.kind === 'literal');
  assert.deepEqual([last.start, last.end, last.value], [9, text.length, '${unterminated\nmore text']);
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0]?.start, 9);
  assert.deepEqual(parseTemplate(text), r.parts);
});

test('empty template and template without any interpolation', () => {
  assert.deepEqual(parseTemplate(''), []);
  assert.deepEqual(parseTemplate('plain $ and % and {}'), [{ kind: 'literal', start: 0, end: 20, value: 'plain $ and % and {}' }]);
});

test('template parsing is linear', () => {
  const unit = 'Write-Host "${var_a}" $${env:X} %{ if x }y%{ endif }\n';
  const small = unit.repeat(2000);
  const big = unit.repeat(40000);
  parseTemplate(small);
  let parts: ReturnType<typeof parseTemplate> = [];
  let detail = '';
  // 20x the input must not take more than ~20x (generous factor for noise; measured again only when it looks
  // super-linear, see ratioWithin). The small time gets 50 ms / 80 of slack so timer noise does not decide it.
  const ratio = ratioWithin(80, () => {
    const t0 = process.hrtime.bigint();
    parseTemplate(small);
    const t1 = process.hrtime.bigint();
    parts = parseTemplate(big);
    const t2 = process.hrtime.bigint();
    detail = `small ${t1 - t0}ns big ${t2 - t1}ns`;
    return Number(t2 - t1) / (Number(t1 - t0) + 50e6 / 80);
  });
  assert.equal(parts.filter((p) => p.kind === 'interpolation').length, 40000);
  assert.ok(ratio <= 80, detail);
});
