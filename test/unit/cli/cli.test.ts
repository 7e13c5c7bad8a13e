import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { runCli } from '../../../server/src/cli/main';
import { CATEGORIES } from '../../../server/src/core/types';
import { examplePath, repoRoot } from '../../support/paths';

interface JsonFinding {
  ruleId: string;
  category: string;
  severity: string;
  message: string;
  file: string;
  range: { start: { line: number; column: number }; end: { line: number; column: number } };
  related: Array<{ file: string; message: string }>;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += `${s}\n`), stderr: (s) => (err += `${s}\n`), cwd: repoRoot() });
  return { code, out, err };
}

/** The defects table of examples/README.md: category and the files involved, per row. */
function plantedDefects(): Array<{ n: string; category: string; files: string[] }> {
  const md = readFileSync(path.join(repoRoot(), 'examples/README.md'), 'utf8');
  const rows = md.split('\n').filter((l) => /^\|\s*\d+\s*\|/.test(l));
  return rows.map((row) => {
    const cells = row.split(/(?<!\\)\|/).map((c) => c.trim());
    const files = [...`${cells[2]} ${cells[3]}`.matchAll(/`([\w./-]+\.(?:ps1|sh|hcl|tf|tfvars))(?::[\d-]+)?`/g)].map((m) => m[1]!);
    return { n: cells[1]!, category: cells[5]!, files };
  });
}

/** Every secret-looking value of the tfvars files (keys, tokens). */
function tfvarsSecrets(example: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = path.join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.tfvars')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/^\s*(\w*(?:key|token|encrypt)\w*)\s*=\s*"([^"]+)"/gim)) out.push(m[2]!);
      }
    }
  };
  walk(examplePath(example));
  return out;
}

test('check --format json on the Windows-only build reports every planted defect at the documented file', async () => {
  const { code, out } = await cli(['check', examplePath('windows-only'), '--format', 'json']);
  assert.equal(code, 1, 'errors reach the default --fail-on error threshold');
  const report = JSON.parse(out) as {
    tool: string;
    version: string;
    root: string;
    roles: Array<{ kind: string; product: string; sources: string[] }>;
    findings: JsonFinding[];
  };
  assert.equal(report.tool, 'hashistack-review');
  assert.equal(report.root, examplePath('windows-only'));
  for (const kind of ['server', 'linux-client', 'windows-client']) {
    for (const product of ['nomad', 'consul'])
      assert.ok(
        report.roles.some((r) => r.kind === kind && r.product === product),
        `role ${kind}/${product}`,
      );
  }
  const missing: string[] = [];
  for (const d of plantedDefects()) {
    const hit = report.findings.some(
      (f) => f.category === d.category && (d.files.length === 0 || d.files.some((file) => f.file.endsWith(file) || file.endsWith(f.file))),
    );
    if (!hit) missing.push(`#${d.n} ${d.category} in ${d.files.join(', ')}`);
  }
  assert.deepEqual(missing, [], 'every defect of examples/README.md is reported');
  for (const f of report.findings) {
    assert.ok((CATEGORIES as readonly string[]).includes(f.category), f.category);
    assert.ok(['error', 'warning', 'info'].includes(f.severity));
    assert.ok(!f.file.startsWith('/') && !f.file.includes('\\'), 'root-relative / paths');
    const lines = readFileSync(path.join(examplePath('windows-only'), f.file), 'utf8').split(/\r\n|\n|\r/);
    assert.ok(f.range.start.line >= 1 && f.range.start.line <= lines.length, `${f.ruleId} line in file`);
    const startLine = lines[f.range.start.line - 1]!;
    assert.ok(f.range.start.column >= 1 && f.range.start.column <= startLine.length + 1, `${f.ruleId} column in line`);
  }
});

test('the drift findings land on the exact characters of client.ps1', async () => {
  const { out } = await cli(['check', examplePath('windows-only'), '--format', 'json']);
  const report = JSON.parse(out) as { findings: JsonFinding[] };
  const text = readFileSync(path.join(examplePath('windows-only'), 'shared/packer/scripts/client.ps1'), 'utf8').split('\n');
  const servers = report.findings.find((f) => f.ruleId === 'servers-auto-join-in-client-servers');
  assert.ok(servers);
  assert.equal(servers.file, 'shared/packer/scripts/client.ps1');
  const line = text[servers.range.start.line - 1]!;
  assert.equal(line.slice(servers.range.start.column - 1, servers.range.end.column - 1), 'servers');
  const escape = report.findings.find((f) => f.category === 'hcl-escape');
  assert.ok(escape);
  const eLine = text[escape.range.start.line - 1]!;
  assert.equal(eLine[escape.range.start.column - 1], '\\');
});

test('the clean mixed-OS build reports nothing and exits 0', async () => {
  const { code, out } = await cli(['check', examplePath('mixed-os'), '--format', 'json']);
  const report = JSON.parse(out) as { findings: JsonFinding[]; roles: unknown[] };
  assert.deepEqual(
    report.findings.map((f) => `${f.ruleId} ${f.file}:${f.range.start.line}`),
    [],
  );
  assert.equal(report.roles.length, 6);
  assert.equal(code, 0);
});

test('SARIF output validates against the official SARIF 2.1.0 schema', async () => {
  const { out } = await cli(['check', examplePath('windows-only'), '--format', 'sarif', '--fail-on', 'never']);
  const sarif = JSON.parse(out) as { runs: Array<{ results: unknown[] }> };
  const schema = JSON.parse(readFileSync(path.join(repoRoot(), 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.ok(sarif.runs[0]!.results.length > 0);
  // A broken SARIF log is rejected: the validation can fail.
  assert.equal(validate({ version: '2.1.0', runs: [{ results: [] }] }), false);
});

test('no secret value from the tfvars appears in any CLI output', async () => {
  for (const example of ['windows-only', 'mixed-os']) {
    const secrets = tfvarsSecrets(example);
    assert.ok(secrets.length >= 3, 'the examples carry keys and tokens');
    for (const format of ['text', 'json', 'sarif']) {
      const { out, err } = await cli(['check', examplePath(example), '--format', format, '--show-secrets']);
      for (const s of secrets) assert.ok(!out.includes(s) && !err.includes(s), `${format} output of ${example} leaks a secret`);
    }
  }
});

test('text output is file:line:col severity ruleId message with the chain', async () => {
  const { out } = await cli(['check', examplePath('windows-only')]);
  const first = out.split('\n')[0]!;
  assert.match(first, /^[\w./-]+:\d+:\d+ (error|warning|info) [\w-]+ .+/);
  assert.match(out, /terraform\.tfvars:\d+/);
});

test('exit codes: --fail-on never gives 0, usage errors give 2', async () => {
  assert.equal((await cli(['check', examplePath('windows-only'), '--fail-on', 'never'])).code, 0);
  assert.equal((await cli(['check', '--format', 'xml'])).code, 2);
  assert.equal((await cli(['frobnicate'])).code, 2);
  const missing = mkdtempSync(path.join(os.tmpdir(), 'hsr-'));
  assert.equal((await cli(['check', path.join(missing, 'nope')])).code, 2);
});

test('a bad .hashistack-review.json gets an error naming the field', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hsr-cfg-'));
  writeFileSync(path.join(dir, '.hashistack-review.json'), JSON.stringify({ roles: [{ path: 'a.ps1', kind: 'windows-clinet' }], ignroe: [] }));
  const { out } = await cli(['check', dir, '--format', 'json']);
  const report = JSON.parse(out) as { configErrors: string[] };
  assert.ok(
    report.configErrors.some((e) => e.includes('ignroe')),
    report.configErrors.join('\n'),
  );
  assert.ok(
    report.configErrors.some((e) => e.includes('roles.0.kind')),
    report.configErrors.join('\n'),
  );
});
