/**
 * Over LSP, with verbose tracing: no secret value of examples/windows-only
 * appears in anything the server sends (diagnostics, hovers, code actions,
 * effective configs, value chains, diffs, log messages, traces) nor on its
 * stderr. The raw stdout byte stream is scanned too, so nothing the protocol
 * carries escapes the check.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CodeActionRequest, DidChangeTextDocumentNotification, HoverRequest } from 'vscode-languageserver-protocol/node';
import type { CodeAction, Command, Diagnostic, Hover, Position } from 'vscode-languageserver-protocol/node';
import { examplePath } from '../support/paths';
import { LspClient, filesOf } from './support/client';
import { collectSecrets, findLeaks, leaksIn, LITERAL_AGENT_TOKEN, LITERAL_GOSSIP_KEY, withLiteralSecrets } from '../unit/reliability/secretScan';
import type { Output, SecretValue } from '../unit/reliability/secretScan';

const WIN = 'shared/packer/scripts/client.ps1';

describe('secrets over LSP (trace verbose)', () => {
  let client: LspClient;
  let secrets: SecretValue[];
  const outputs: Output[] = [];
  const tally = new Map<string, number>();
  const count = (k: string, n = 1) => tally.set(k, (tally.get(k) ?? 0) + n);

  before(async () => {
    secrets = collectSecrets([examplePath('windows-only')]);
    // The literal secrets planted later through didChange are secrets too.
    secrets.push(
      { value: LITERAL_GOSSIP_KEY, source: 'didChange client.ps1: encrypt literal' },
      { value: LITERAL_AGENT_TOKEN, source: 'didChange client.ps1: agent token literal' },
    );
    client = await LspClient.start({
      files: filesOf(examplePath('windows-only')),
      trace: 'verbose',
      settings: { trace: { server: 'verbose' } },
    });
  });

  after(() => client?.dispose());

  async function hover(uri: string, position: Position, what: string): Promise<void> {
    const h = (await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position })) as Hover | null;
    count('hovers');
    if (h) outputs.push({ path: `hover ${what}`, text: JSON.stringify(h) });
  }

  async function sweep(label: string): Promise<void> {
    const published = new Map<string, Diagnostic[]>();
    for (const p of client.diagnostics) published.set(p.uri, p.diagnostics);
    for (const [uri, diags] of published) {
      for (const d of diags) {
        outputs.push({ path: `${label} diagnostic ${uri}`, text: JSON.stringify(d) });
        count('diagnostics');
        await hover(uri, d.range.start, `${label} at diagnostic ${d.code}`);
        await hover(uri, d.range.end, `${label} at diagnostic end ${d.code}`);
        const actions = (await client.conn.sendRequest(CodeActionRequest.type, {
          textDocument: { uri },
          range: d.range,
          context: { diagnostics: [d], only: undefined },
        })) as Array<CodeAction | Command> | null;
        for (const a of actions ?? []) {
          outputs.push({ path: `${label} code action ${d.code}`, text: JSON.stringify(a) });
          count('code actions');
        }
        const chain = (await client.conn.sendRequest('hashistack/valueChain', { uri, position: d.range.start })) as { markdown: string | null };
        outputs.push({ path: `${label} valueChain ${d.code}`, text: JSON.stringify(chain) });
        count('value chains');
      }
    }
    const roles = (await client.conn.sendRequest('hashistack/roles', {})) as { roles: Array<{ id: string }> };
    assert.ok(roles.roles.length >= 6, `roles: ${JSON.stringify(roles)}`);
    for (const r of roles.roles) {
      const cfg = (await client.conn.sendRequest('hashistack/effectiveConfig', { roleId: r.id })) as { text: string | null };
      assert.ok(typeof cfg.text === 'string', `effective config of ${r.id}`);
      outputs.push({ path: `${label} effectiveConfig ${r.id}`, text: cfg.text });
      count('effective configs');
    }
    // Hovers on every line of the files that carry secrets or their placeholders.
    for (const rel of ['terraform/control/terraform.tfvars', WIN, 'terraform/modules/aws-hashistack/main.tf']) {
      const lines = (filesOf(client.root)[rel] ?? Buffer.alloc(0)).toString('utf8').split('\n');
      for (let line = 0; line < lines.length; line++) {
        if (!/key|token|encrypt|agent/i.test(lines[line]!)) continue;
        const col = lines[line]!.search(/\S/);
        await hover(client.uri(rel), { line, character: Math.max(0, col) }, `${label} ${rel}:${line + 1}`);
        const eq = lines[line]!.indexOf('=');
        if (eq >= 0) await hover(client.uri(rel), { line, character: eq + 3 }, `${label} ${rel}:${line + 1} value`);
      }
    }
    for (const [method, params] of [
      ['hashistack/diffRoles', { roleA: 'windows-client', roleB: 'linux-client' }],
      ['hashistack/diffRoles', { roleA: 'windows-client', roleB: 'server', product: 'consul' }],
      ['hashistack/diffBuilds', { left: '.', right: examplePath('mixed-os') }],
    ] as const) {
      try {
        const r = await client.conn.sendRequest(method, params);
        outputs.push({ path: `${label} ${method} ${JSON.stringify(params)}`, text: JSON.stringify(r) });
        count('diff responses');
      } catch (e) {
        outputs.push({ path: `${label} ${method} error`, text: String(e) });
      }
    }
  }

  it('publishes, hovers, acts, renders and logs without any raw secret', async () => {
    assert.ok(secrets.length >= 3, `secrets: ${secrets.map((s) => s.source).join(', ')}`);
    const files = filesOf(client.root);
    for (const [rel, bytes] of Object.entries(files)) await client.open(rel, bytes.toString('utf8'));
    count('opened files', Object.keys(files).length);
    const ps1 = client.uri(WIN);
    await client.waitFor('diagnostics for client.ps1', () => ((client.latest(ps1)?.diagnostics.length ?? 0) > 0 ? true : undefined));
    await sweep('example');

    // Then the Windows client writes literal secrets straight into its Consul config (a different key and token).
    const literal = withLiteralSecrets(files[WIN]!.toString('utf8'));
    const mark = client.diagnostics.length;
    await client.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: ps1, version: 2 }, contentChanges: [{ text: literal }] });
    await client.waitFor('diagnostics after the literal edit', () =>
      client.diagnostics.slice(mark).some((p) => p.uri === ps1 && p.version === 2) ? true : undefined,
    );
    await sweep('literal');
    const gossip = client.latest(ps1)!.diagnostics.find((d) => d.code === 'gossip-consul-encrypt');
    assert.ok(gossip, 'the differing literal key is reported');
    assert.match(gossip.message, /sha256:[0-9a-f]{8}/, 'with fingerprints');

    const code = await client.stop();
    assert.equal(code, 0);
    outputs.push({ path: 'server stdout (raw protocol stream)', text: Buffer.concat(client.stdout).toString('utf8') });
    outputs.push({ path: 'server stderr', text: client.stderr.join('') });
    for (const m of client.logMessages) outputs.push({ path: 'window/logMessage', text: m });
    for (const m of client.logTraces) outputs.push({ path: '$/logTrace', text: m });
    count('log messages', client.logMessages.length);
    count('log traces', client.logTraces.length);
    count('stderr chunks', client.stderr.length);

    assert.ok(
      client.logMessages.some((m) => /Analysed/.test(m)),
      'the server logged its analyses (the log is really collected)',
    );
    assert.ok(
      outputs.some((o) => o.path.includes('effectiveConfig') && /•••• \(\d+ chars, sha256:[0-9a-f]{8}\)/.test(o.text)),
      'masked secrets were rendered',
    );
    // The scan would catch an unmasked secret anywhere in the collected output.
    assert.ok(findLeaks(`${client.allOutput()} ${secrets[0]!.value}`, secrets).length > 0);
    assert.deepEqual(leaksIn(outputs, secrets), []);
    assert.deepEqual(findLeaks(client.allOutput(), secrets), []);
  });

  it('tally', (t) => {
    t.diagnostic(`secrets checked: ${secrets.length}`);
    for (const [k, n] of tally) t.diagnostic(`${k}: ${n}`);
    assert.ok((tally.get('hovers') ?? 0) > 20);
  });
});
