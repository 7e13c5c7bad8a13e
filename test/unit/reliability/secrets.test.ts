/**
 * No secret value (gossip keys, ACL tokens) reaches any output of the core,
 * the CLI or the diff command, on the examples and on a tree that writes
 * literal secrets straight into an agent config.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Workspace } from '../../../server/src/core/engine';
import { maskSecret } from '../../../server/src/core/secrets';
import { runCli } from '../../../server/src/cli/main';
import { examplePath, repoRoot } from '../../support/paths';
import { collectSecrets, findLeaks, leaksIn, LITERAL_AGENT_TOKEN, LITERAL_GOSSIP_KEY, withLiteralSecrets } from './secretScan';
import type { Output, SecretValue } from './secretScan';
import { copyTree, removeTree } from './trees';

const WIN = 'shared/packer/scripts/client.ps1';

let literalTree = '';
let trees: Array<{ name: string; dir: string }> = [];
let secrets: SecretValue[] = [];
const tally = new Map<string, number>();

function count(kind: string, n = 1): void {
  tally.set(kind, (tally.get(kind) ?? 0) + n);
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += `${s}\n`), stderr: (s) => (err += `${s}\n`), cwd: repoRoot() });
  return { code, out, err };
}

/** runDiff, when the diff command is there (it is being finished elsewhere). */
function diffModule():
  { runDiff: (argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void; cwd: string }) => Promise<number> } | undefined {
  const file = path.join(__dirname, '../../../server/src/cli/diffCommand.js');
  if (!fs.existsSync(file)) return undefined;

  const mod = require(file) as { runDiff?: unknown };
  return typeof mod.runDiff === 'function' ? (mod as ReturnType<typeof diffModule>) : undefined;
}

before(() => {
  literalTree = copyTree(examplePath('windows-only'), (rel, b) => (rel === WIN ? Buffer.from(withLiteralSecrets(b.toString('utf8')), 'utf8') : b));
  trees = [
    { name: 'windows-only', dir: examplePath('windows-only') },
    { name: 'mixed-os', dir: examplePath('mixed-os') },
    { name: 'windows-only+literal-secrets', dir: literalTree },
  ];
  secrets = collectSecrets(trees.map((t) => t.dir));
});

after(() => removeTree(literalTree));

describe('secrets never leave the tool', () => {
  it('the collector finds the secrets and the detector would catch an unmasked one', () => {
    assert.ok(secrets.length >= 3, `collected ${secrets.length} secrets: ${secrets.map((s) => s.source).join(', ')}`);
    const values = secrets.map((s) => s.value);
    for (const v of [LITERAL_GOSSIP_KEY, LITERAL_AGENT_TOKEN]) assert.ok(values.includes(v), 'literal agent-config secrets are collected');
    assert.ok(
      secrets.some((s) => s.source.includes('consul_encrypt_key')),
      'tfvars gossip key collected',
    );
    assert.ok(!values.includes('hashistack-demo'), 'key_name (an EC2 key-pair name) is not a secret');
    assert.ok(!values.some((v) => /^[A-Z_]+$/.test(v)), 'placeholders are not secrets');
    for (const s of secrets) {
      assert.ok(findLeaks(`consul: encrypt = "${s.value}" (oops)`, secrets).length > 0, `a raw ${s.source} is detected`);
      assert.ok(findLeaks(`key starts ${s.value.slice(3, 3 + 14)}…`, secrets).length > 0, `a fragment of ${s.source} is detected`);
      assert.deepEqual(findLeaks(`encrypt = ${maskSecret(s.value)}`, secrets), [], 'the masked form is not a leak');
    }
    assert.ok(leaksIn([{ path: 'deliberate', text: `hover: ${secrets[0]!.value}` }], secrets)[0]!.startsWith('deliberate: full value'));
    assert.ok(
      !leaksIn([{ path: 'deliberate', text: `hover: ${secrets[0]!.value}` }], secrets)[0]!.includes(secrets[0]!.value),
      'the report itself masks the secret',
    );
  });

  it('CLI check: text, json, sarif (with and without --show-secrets), stdout and stderr', async () => {
    const outputs: Output[] = [];
    for (const t of trees) {
      for (const format of ['text', 'json', 'sarif']) {
        for (const extra of [[], ['--show-secrets'], ['--fail-on', 'never']]) {
          const r = await cli(['check', t.dir, '--format', format, ...extra]);
          assert.ok(r.code === 0 || r.code === 1, `${t.name} ${format}: exit ${r.code} ${r.err}`);
          outputs.push(
            { path: `check ${t.name} --format ${format} ${extra.join(' ')} stdout`, text: r.out },
            { path: `check ${t.name} ${format} ${extra.join(' ')} stderr`, text: r.err },
          );
          count('cli check outputs', 2);
        }
      }
    }
    assert.ok(
      outputs.some((o) => /sha256:[0-9a-f]{8}/.test(o.text)),
      'fingerprints are shown instead',
    );
    assert.deepEqual(leaksIn(outputs, secrets), []);
  });

  it('diff: text, json, markdown between the two examples and --roles windows-client linux-client', async (t) => {
    const diff = diffModule();
    if (diff === undefined) {
      t.todo('server/src/cli/diffCommand.ts (runDiff) is not there yet');
      return;
    }
    const outputs: Output[] = [];
    const [w, m, lit] = trees.map((x) => x.dir) as [string, string, string];
    const invocations: string[][] = [
      [w, m],
      [m, w],
      [w, lit],
      ['--roles', 'windows-client', 'linux-client', w],
      ['--roles', 'windows-client', 'linux-client', m],
      ['--roles', 'windows-client', 'linux-client', lit],
      ['--roles', 'windows-client', 'server', lit, '--product', 'consul'],
    ];
    for (const args of invocations) {
      for (const format of ['text', 'json', 'markdown']) {
        let out = '';
        let err = '';
        const code = await diff.runDiff([...args, '--format', format], { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: repoRoot() });
        assert.equal(code, 0, `diff ${args.join(' ')} --format ${format}: ${err}`);
        outputs.push({ path: `diff ${args.join(' ')} --format ${format} stdout`, text: out }, { path: `diff ${args.join(' ')} ${format} stderr`, text: err });
        count('diff outputs', 2);
      }
    }
    assert.deepEqual(leaksIn(outputs, secrets), []);
  });

  it('core: AnalysisResult JSON, every hover on every setting and chain step, renderRole, messages, related, fix titles', async () => {
    const outputs: Output[] = [];
    for (const t of trees) {
      const ws = await Workspace.load(t.dir);
      const result = ws.analyze();
      outputs.push({ path: `${t.name} AnalysisResult JSON`, text: JSON.stringify(result) });
      count('AnalysisResult JSON');
      outputs.push({ path: `${t.name} checkFailures`, text: ws.checkFailures.join('\n') });
      for (const f of result.findings) {
        outputs.push({ path: `${t.name} message ${f.ruleId}`, text: f.message });
        count('finding messages');
        for (const r of f.related) {
          outputs.push({ path: `${t.name} related ${f.ruleId}`, text: r.message });
          count('related messages');
        }
        for (const fix of f.fixes ?? []) {
          outputs.push({ path: `${t.name} fix title ${f.ruleId}`, text: fix.title });
          count('fix titles');
        }
        const h = ws.hoverAt(result, f.span.file, f.span.start);
        if (h) outputs.push({ path: `${t.name} hover at finding ${f.ruleId}`, text: h.markdown });
        count('hovers');
      }
      let secretSettings = 0;
      for (const role of result.roles) {
        const rendered = ws.renderRole(result, role.id);
        assert.ok(rendered !== undefined, `renderRole ${role.id}`);
        outputs.push({ path: `${t.name} renderRole ${role.id}`, text: rendered });
        count('renderRole');
        for (const s of role.settings) {
          if (s.secret) secretSettings++;
          outputs.push({ path: `${t.name} ${role.id} ${s.path} display`, text: `${s.display} ${s.unknownReason ?? ''}` });
          const spans = [s.span, ...s.chain.map((c) => c.span)];
          for (const sp of spans) {
            for (const offset of new Set([sp.start, Math.floor((sp.start + sp.end) / 2), Math.max(sp.start, sp.end - 1)])) {
              const h = ws.hoverAt(result, sp.file, offset);
              count('hovers');
              if (h) outputs.push({ path: `${t.name} hover ${sp.file}@${offset} (${role.id} ${s.path})`, text: h.markdown });
            }
          }
        }
      }
      assert.ok(secretSettings >= 2, `${t.name}: the roles carry secret settings (${secretSettings}), so the hovers and renders above do see secrets`);
      for (const input of result.inputs) {
        const h = ws.hoverAt(result, input.span.file, input.span.start + 1);
        count('hovers');
        if (h) outputs.push({ path: `${t.name} hover on tfvars ${input.name}`, text: h.markdown });
      }
    }
    // The outputs did meet the secrets: masked forms are there.
    const masked = /•••• \(\d+ chars, sha256:[0-9a-f]{8}\)/;
    assert.ok(
      outputs.some((o) => o.path.includes(' hover ') && masked.test(o.text)),
      'some hover shows a masked secret',
    );
    assert.ok(
      outputs.some((o) => o.path.includes('renderRole') && masked.test(o.text)),
      'some rendered role shows a masked secret',
    );
    const literalFp = maskSecret(LITERAL_GOSSIP_KEY);
    assert.ok(
      outputs.some((o) => o.path.includes('literal-secrets message gossip-consul-encrypt') && o.text.includes(literalFp)),
      'the literal key is compared (masked) in the gossip finding',
    );
    assert.deepEqual(leaksIn(outputs, secrets), []);
  });

  it('tally of the outputs covered', (t) => {
    t.diagnostic(`secrets checked: ${secrets.length} (${secrets.map((s) => s.source).join('; ')})`);
    for (const [k, n] of tally) t.diagnostic(`${k}: ${n}`);
    assert.ok((tally.get('hovers') ?? 0) > 50);
  });
});
