import { test } from 'node:test';
import assert from 'node:assert/strict';
import { officialHclErrors, parseHcl } from '../../../server/src/core/parsers/hcl';
import { parseOfficialMessage } from '../../../server/src/core/parsers/hcl/officialParser';

test('officialHclErrors parses single and multiple errors with ranges', async () => {
  assert.deepEqual(await officialHclErrors('a = 1\n', 'x.hcl'), []);
  const one = await officialHclErrors('a = [\n', 'b.hcl');
  assert.deepEqual(one, [
    {
      line: 2,
      column: 1,
      endLine: 2,
      endColumn: 1,
      summary: 'Missing expression',
      detail: 'Expected the start of an expression, but found the end of the file.',
    },
  ]);
  const multi = await officialHclErrors('a = 1\n}\nb = ]\nc = @\n', 'dir/my file.tf');
  assert.equal(multi.length, 2);
  assert.deepEqual(
    multi.map((e) => [e.line, e.column, e.summary]),
    [
      [4, 5, 'Invalid character'],
      [2, 1, 'Argument or block definition required'],
    ],
  );
  const spanning = await officialHclErrors('a = \n', 'b.hcl');
  assert.deepEqual([spanning[0]?.line, spanning[0]?.column, spanning[0]?.endLine, spanning[0]?.endColumn], [1, 5, 2, 1]);
});

test('parseOfficialMessage: filename mentioned inside a detail is not a new error', () => {
  const msg =
    'parse config: [b.hcl:2,1-2: Attribute redefined; The argument "a" was already set at b.hcl:1,1-2. Each argument may be set only once. b.hcl:3,1-4,2: Other; Thing.]';
  const errs = parseOfficialMessage(msg, 'b.hcl');
  assert.equal(errs.length, 2);
  assert.equal(errs[0]?.detail, 'The argument "a" was already set at b.hcl:1,1-2. Each argument may be set only once.');
  assert.deepEqual([errs[1]?.line, errs[1]?.column, errs[1]?.endLine, errs[1]?.endColumn, errs[1]?.summary], [3, 1, 4, 2, 'Other']);
  assert.deepEqual(parseOfficialMessage('something else broke', 'b.hcl'), [{ line: 1, column: 1, summary: 'something else broke', detail: '' }]);
});

const VALID = [
  'a = 1\n',
  'a = 1',
  '',
  '# only a comment\n',
  'resource "aws_instance" "x" {\n  ami = "ami-1"\n  tags = { Name = "x", "k2": "v" }\n}\n',
  'a = [\n  1,\n  2,\n]\n',
  'a = "${var.x}-${local.y[0]}"\n',
  'a = <<EOF\nhello ${x}\nEOF\n',
  'a = <<-EOF\n    hello\n    EOF\n',
  'a = var.on ? 1 : 2\n',
  'a = [for s in var.l : upper(s) if s != ""]\n',
  'a = { for k, v in var.m : k => v... }\n',
  'a = var.l[*].id\n',
  'a = templatefile("${path.module}/t.ps1", { k = var.k })\n',
  'a = "%{ if x }y%{ else }z%{ endif }"\n',
  'a = "%{ for s in l ~}${s}%{ endfor ~}"\n',
  'a = "$${literal} %%{literal}"\n',
  'a = "C:\\\\nomad\\\\data"\n',
  'a = "\\u00e9\\n\\t"\n',
  'b {\n  c { d = 1 }\n}\n',
  'a = -1.5e3\n',
  'a = !true && (1 + 2 * 3 >= 4 || false)\n',
  'a = "${file("x")}"\n',
  'dynamic "x" {\n  for_each = var.y\n  content {\n    a = x.value\n  }\n}\n',
  'a = /* inline */ 1 // trailing\n',
  'a = {}\n',
  'a = { (var.k) = 1, "x" = 2 }\n',
  'a b c {\n}\n',
  'a = var.x.0\n',
  'a = x.*.y\n',
  'a = <<EOF\nEOF\n',
  'a = true ? 1 : 2 ? 3 : 4\n',
  'a = f(x...)\n',
  'x = "${a}${b}"\n',
];

const INVALID = [
  'a = \n',
  'a = [\n',
  'x {\n',
  '}\n',
  'a = "\\q"\n',
  'a = "C:\\HashiCorp\\Nomad"\n',
  'a = "abc\n',
  'a = @\n',
  'a = <<EOF\nhi\n',
  'a = (1 +\n',
  'x = 1 y = 2\n',
  'a = [1 2]\n',
  'a = { b = 1 c = 2 }\n',
  'a = func(1,\n',
  'a = var.\n',
  'a = "${var.x"\n',
  'a = "%{ if x }y"\n',
  'a = "${a ? b}"\n',
  'a = 5 ;\n',
  'a.b = 1\n',
  'a "b" = 1\n',
  'a = 1 +\n',
  'b { c { d = 1 } }\n',
  'b { c = 1, d = 2 }\n',
  'a = "x" "y"\n',
  'a = [1,,2]\n',
  'a = "${}"\n',
  'a = "%{ endif }"\n',
  '"a" = 1\n',
  'a = 0x10\n',
  'a = "\\x"\n',
];

test('agreement with the official HCL 2 parser on whether a snippet has errors', async () => {
  const disagreements: string[] = [];
  for (const text of [...VALID, ...INVALID]) {
    const official = (await officialHclErrors(text, 'c.hcl')).length > 0;
    const ours = parseHcl(text, 'hcl2').diagnostics.length > 0;
    if (official !== ours) disagreements.push(`${JSON.stringify(text)}: official ${official}, ours ${ours}`);
  }
  assert.deepEqual(disagreements, []);
  // Sanity: the lists are labelled correctly.
  for (const t of VALID) assert.deepEqual(await officialHclErrors(t, 'c.hcl'), [], t);
});
