/**
 * sed-replace: GNU sed `s/…/…/I` (or `i`) on an agent config a script wrote: the bash twin of ps-replace. The
 * substitution is applied as sed applies it (first match of each line without `g`), also to a heredoc the same script
 * wrote earlier, and the findings on the text it renamed are folded into the one sed-replace finding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFiles, applyFix, ofRule } from '../windows/helpers';
import { Workspace } from '../../../../server/src/core/engine';

const HEREDOC = (sed: string) =>
  [
    '#!/bin/bash',
    "cat <<'EOT' > /etc/nomad.d/client.hcl",
    'datacenter = "dc1"',
    'data_dir   = "/opt/nomad/data"',
    'client {',
    '  enabled    = true',
    '  node_class = "NODE_CLASS"',
    '  servers    = ["10.0.0.10"]',
    '}',
    'EOT',
    sed,
    '',
  ].join('\n');

const SERVER =
  '#!/bin/bash\ncat <<\'EOT\' > /etc/nomad.d/server.hcl\ndatacenter = "dc1"\ndata_dir = "/opt/nomad/data"\nserver {\n  enabled = true\n  bootstrap_expect = 1\n}\nEOT\n';

function clientSetting(files: Record<string, string>, path: string): string | undefined {
  const ws = new Workspace('/tmp/hsr-sed-replace');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  const role = ws.analyze().roles.find((r) => r.id === 'linux-client/nomad');
  return role?.settings.find((s) => s.path === path)?.display;
}

test('sed-replace: sed -i s/NODE_CLASS/…/I on a heredoc the script wrote renames the key node_class; the unknown key is folded into it', () => {
  const text = HEREDOC("sed -i 's/NODE_CLASS/gpu/I' /etc/nomad.d/client.hcl");
  const files = { 'client.sh': text, 'server.sh': SERVER };
  const all = analyzeFiles(files).findings;
  const f = ofRule(all, 'sed-replace');
  assert.equal(f.length, 1, JSON.stringify(all.map((x) => x.ruleId)));
  assert.equal(f[0]!.severity, 'error');
  assert.equal(text.slice(f[0]!.span.start, f[0]!.span.end), 's/NODE_CLASS/gpu/I');
  assert.equal(f[0]!.related[0]!.span.start, text.indexOf('node_class ='));
  assert.match(f[0]!.message, /the key node_class \(client\.sh:7\) is renamed to client\.gpu/);
  assert.match(f[0]!.message, /Nomad refuses to start: `unexpected keys gpu`/);
  // The renamed key's own finding is the same mistake: in the related information, not on its own.
  assert.equal(ofRule(all, 'unknown-config-key').length, 0);
  assert.ok(f[0]!.related.some((r) => /unknown-config-key/.test(r.message)));
  // Without `g`, sed replaces the first match of the line: the key, not the placeholder.
  assert.equal(clientSetting(files, 'client.gpu'), '"NODE_CLASS"');

  const fixed = applyFix(files, f[0]!.fixes![0]!);
  assert.match(fixed['client.sh']!, /sed -i 's\/NODE_CLASS\/gpu\/' /);
  assert.equal(ofRule(analyzeFiles(fixed).findings, 'sed-replace').length, 0);
  assert.equal(ofRule(analyzeFiles(fixed).findings, 'unknown-config-key').length, 0);
  // The heredoc is substituted now that the sed edits the file the script wrote.
  assert.equal(clientSetting(fixed, 'client.node_class'), '"gpu"');
});

test('sed-replace: the lowercase i flag is case-insensitive too (GNU sed), with g both the key and the placeholder', () => {
  const files = { 'client.sh': HEREDOC("sed -i 's/NODE_CLASS/gpu/gi' /etc/nomad.d/client.hcl"), 'server.sh': SERVER };
  assert.equal(clientSetting(files, 'client.gpu'), '"gpu"');
  const f = ofRule(analyzeFiles(files).findings, 'sed-replace');
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /with the i flag/);
});

test('sed-replace: a template copied then edited with sed -i -e … I; case-sensitive patterns and bracket classes are silent', () => {
  const tpl = 'datacenter = "DATACENTER"\ndata_dir = "/opt/nomad/data"\nclient {\n  enabled    = true\n  node_class = "NODE_CLASS"\n}\n';
  const script = (sed: string) => `#!/bin/bash\ncp client.hcl.tpl /etc/nomad.d/client.hcl\n${sed}\n`;
  const copied = {
    'client.hcl.tpl': tpl,
    'client.sh': script("sed -i -e 's/NODE_CLASS/gpu/I' -e 's/DATACENTER/dc1/' /etc/nomad.d/client.hcl"),
    'server.sh': SERVER,
  };
  const f = ofRule(analyzeFiles(copied).findings, 'sed-replace');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.related[0]!.span.file, 'client.hcl.tpl');
  assert.equal(ofRule(analyzeFiles(copied).findings, 'unknown-config-key').length, 0);

  // `[Dd]ATACENTER` is case-sensitive: it matches the placeholder, not the key `datacenter` (applied as sed does).
  const classes = { ...copied, 'client.sh': script("sed -i 's/[Dd]ATACENTER/dc1/g; s/NODE_CLASS/gpu/' /etc/nomad.d/client.hcl") };
  const all = analyzeFiles(classes).findings;
  assert.deepEqual(
    all.filter((x) => ['sed-replace', 'unknown-config-key', 'template-placeholder-left'].includes(x.ruleId)).map((x) => x.ruleId),
    [],
  );
  assert.equal(clientSetting(classes, 'datacenter'), '"dc1"');
  assert.equal(clientSetting(classes, 'client.node_class'), '"gpu"');
});

test('sed-replace: with sed-replace suppressed or off, the renamed key keeps its own finding', () => {
  const suppressed = {
    'client.sh': HEREDOC("# hashistack-review-ignore sed-replace\nsed -i 's/NODE_CLASS/gpu/I' /etc/nomad.d/client.hcl"),
    'server.sh': SERVER,
  };
  const all = analyzeFiles(suppressed).findings;
  assert.equal(ofRule(all, 'sed-replace').length, 0);
  assert.equal(ofRule(all, 'unknown-config-key').length, 1);

  const ws = new Workspace('/tmp/hsr-sed-replace-off', { ruleSeverity: { 'sed-replace': 'off' } });
  ws.setText('client.sh', HEREDOC("sed -i 's/NODE_CLASS/gpu/I' /etc/nomad.d/client.hcl"));
  ws.setText('server.sh', SERVER);
  assert.equal(ofRule(ws.analyze().findings, 'unknown-config-key').length, 1);
});
