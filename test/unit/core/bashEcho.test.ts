import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { model, setting } from './helpers';
import type { DeploymentModel } from '../../../server/src/core/model/deploymentModel';

const SH = 'scripts/client.sh';

/** The config documents the script writes, by target path. */
function docs(m: DeploymentModel, target: string) {
  return m.roles.flatMap((r) => r.configs.map((c) => c.doc)).filter((d, i, all) => d.targetPath === target && all.indexOf(d) === i);
}

/** The setting's value lands on these characters of the script. */
function landsOn(m: DeploymentModel, sh: string, role: string, path: string, written: string): void {
  const e = setting(m, role, path);
  assert.ok(e, `no ${path}`);
  assert.equal(e.valueSpan.file, SH);
  assert.equal(sh.slice(e.valueSpan.start, e.valueSpan.end), written);
}

test('bash echo: `echo -e "$C" | tee file` writes the variable with \\n read as newlines; values land on the assignment', () => {
  const sh = `#!/bin/bash\nC='client {\\n  enabled = true\\n  node_class = "edge"\\n}'\necho -e "$C" | tee /etc/nomad.d/client.hcl\n`;
  const { m } = model({ [SH]: sh });
  const [d] = docs(m, '/etc/nomad.d/client.hcl');
  assert.ok(d);
  assert.equal(d.text.text, 'client {\n  enabled = true\n  node_class = "edge"\n}\n');
  assert.equal(d.append, false);
  landsOn(m, sh, 'linux-client/nomad', 'client.node_class', '"edge"');
});

test('bash echo: plain `echo "$C" > file` keeps backslashes (bash builtin without xpg_echo); a multi-line value maps exactly', () => {
  const sh = `#!/bin/bash\nCFG="client {\n  enabled = true\n  node_class = \\"a\\\\\\\\b\\"\n}"\necho "$CFG" > /etc/nomad.d/client.hcl\n`;
  const { m } = model({ [SH]: sh });
  const [d] = docs(m, '/etc/nomad.d/client.hcl');
  assert.ok(d);
  // Double quotes turn \\\\ into \\ ; echo keeps both backslashes.
  assert.equal(d.text.text, 'client {\n  enabled = true\n  node_class = "a\\\\b"\n}\n');
  const at = d.text.text.indexOf('enabled');
  assert.equal(sh.slice(d.text.toHost(at, at + 7).start, d.text.toHost(at, at + 7).end), 'enabled');
});

test('bash echo: `printf \'%s\\n\' "$CONFIG" > file` applies the format', () => {
  const sh = `#!/bin/bash\nCONFIG='server = true\nbootstrap_expect = 3'\nprintf '%s\\n' "$CONFIG" > /etc/consul.d/consul.hcl\n`;
  const { m } = model({ [SH]: sh });
  const [d] = docs(m, '/etc/consul.d/consul.hcl');
  assert.ok(d);
  assert.equal(d.text.text, 'server = true\nbootstrap_expect = 3\n');
  landsOn(m, sh, 'server/consul', 'bootstrap_expect', '3');
});

test('bash echo: printf with a format other than %s is not followed (no document, never a wrong text)', () => {
  const sh = `#!/bin/bash\nprintf 'server = %d\\n' 1 > /etc/consul.d/consul.hcl\nprintf '%s\\x41' "server = true" > /etc/consul.d/b.hcl\n`;
  const { m } = model({ [SH]: sh });
  assert.equal(docs(m, '/etc/consul.d/consul.hcl').length, 0);
  assert.equal(docs(m, '/etc/consul.d/b.hcl').length, 0);
});

test("bash echo: `C=$C'…'` appends follow the earlier assignments; unset parts stay unknown", () => {
  const sh = `#!/bin/bash\nC='advertise {\\n  http = "'$NODE_IP'"\\n}\\n'\nC=$C'client {\\n  enabled = true\\n}'\necho -e "$C" | sudo tee /etc/nomad.d/cluster.hcl\n`;
  const { m } = model({ [SH]: sh });
  const [d] = docs(m, '/etc/nomad.d/cluster.hcl');
  assert.ok(d);
  assert.equal(d.text.text, 'advertise {\n  http = "$NODE_IP"\n}\nclient {\n  enabled = true\n}\n');
  assert.match(d.via, /sudo tee/);
  const at = d.text.text.indexOf('$NODE_IP');
  assert.equal(d.text.originsIn(at, at + 1)[0]?.kind, 'unknown');
  const e = d.text.text.indexOf('enabled');
  const span = d.text.toHost(e, e + 7);
  assert.equal(sh.slice(span.start, span.end), 'enabled');
});

test('bash echo: `tee -a` and `>>` append', () => {
  const sh = `#!/bin/bash\necho 'client { enabled = true }' | sudo tee /etc/nomad.d/client.hcl\necho 'datacenter = "dc2"' | sudo tee -a /etc/nomad.d/client.hcl\necho 'region = "r"' >> /etc/nomad.d/client.hcl\n`;
  const { m } = model({ [SH]: sh });
  const all = docs(m, '/etc/nomad.d/client.hcl');
  assert.deepEqual(
    all.map((d) => [d.text.text, d.append]),
    [
      ['client { enabled = true }\n', false],
      ['datacenter = "dc2"\n', true],
      ['region = "r"\n', true],
    ],
  );
  landsOn(m, sh, 'linux-client/nomad', 'datacenter', '"dc2"');
});

test('bash echo: `echo -n` drops the newline; `echo -e` with an escape not followed (\\x41) gives no document', () => {
  const sh = `#!/bin/bash\necho -n 'server { enabled = true }' > /etc/nomad.d/server.hcl\necho -e 'client {\\x41}' > /etc/nomad.d/client.hcl\n`;
  const { m } = model({ [SH]: sh });
  assert.equal(docs(m, '/etc/nomad.d/server.hcl')[0]?.text.text, 'server { enabled = true }');
  assert.equal(docs(m, '/etc/nomad.d/client.hcl').length, 0);
});

test('bash echo: a heredoc piped to `sudo tee` writes its body', () => {
  const sh = `#!/bin/bash\ncat <<EOF | sudo tee /etc/nomad.d/client.hcl\nclient {\n  enabled = true\n}\nEOF\n`;
  const { m } = model({ [SH]: sh });
  assert.equal(docs(m, '/etc/nomad.d/client.hcl')[0]?.text.text, 'client {\n  enabled = true\n}\n');
});

test('bash echo: `C=$(cat <<EOF … EOF)` then `echo "$C" | sudo tee f`: the body without its trailing newline, mapped to the heredoc', () => {
  const sh = `#!/bin/bash\nCLASS=edge\nC=$(cat <<EOF\nclient {\n  node_class = "$CLASS"\n}\nEOF\n)\necho "$C" | sudo tee /etc/nomad.d/client.hcl\n`;
  const { m } = model({ [SH]: sh });
  const all = docs(m, '/etc/nomad.d/client.hcl');
  assert.deepEqual(
    all.map((d) => d.text.text),
    ['client {\n  node_class = "edge"\n}\n'],
  );
  const at = all[0]!.text.text.indexOf('node_class');
  const span = all[0]!.text.toHost(at, at + 10);
  assert.equal(sh.slice(span.start, span.end), 'node_class');
  assert.equal(setting(m, 'linux-client/nomad', 'client.node_class')?.value, 'edge');
});

test('bash echo: the heredoc of `C=$(cat <<EOF … EOF)` echoed to a file is not a second document of its own', () => {
  const sh = `#!/bin/bash\nC=$(cat <<EOF\ndatacenter = "dc1"\ndata_dir = "/opt/nomad/data"\nclient {\n  enabled = true\n}\nEOF\n)\necho "$C" > /etc/nomad.d/client.hcl\n`;
  const { m } = model({ [SH]: sh });
  const all = m.roles.flatMap((r) => r.configs.map((c) => c.doc.id));
  assert.deepEqual([...new Set(all)], [`${SH}#echo0`]);
});

test("bash echo: a wholly run-time value writes no document; `sudo sh -c 'echo … > f'` does (test/unit/bash/nestedShell.test.ts)", () => {
  const sh = `#!/bin/bash\necho "$(curl -s http://x/cfg)" > /etc/nomad.d/client.hcl\nsudo sh -c 'echo "server { enabled = true }" > /etc/nomad.d/server.hcl'\n`;
  const { m } = model({ [SH]: sh });
  assert.equal(docs(m, '/etc/nomad.d/client.hcl').length, 0);
  assert.equal(docs(m, '/etc/nomad.d/server.hcl')[0]?.text.text, 'server { enabled = true }\n');
});

test('bash echo: `C+="…"` appends to the value set before (also for heredocs); with none before, that part is unknown', () => {
  const sh = `#!/bin/bash\nC='client {\n'\nC+='  node_class = "edge"\n'\nC+="}"\necho -e "$C" | sudo tee /etc/nomad.d/client.hcl\nD+='datacenter = "dc1"'\necho "$D" > /etc/nomad.d/dc.hcl\n`;
  const { m } = model({ [SH]: sh });
  const [d] = docs(m, '/etc/nomad.d/client.hcl');
  assert.equal(d?.text.text, 'client {\n  node_class = "edge"\n}\n');
  landsOn(m, sh, 'linux-client/nomad', 'client.node_class', '"edge"');
  const [dc] = docs(m, '/etc/nomad.d/dc.hcl');
  assert.equal(dc?.text.text, '$Ddatacenter = "dc1"\n');
  assert.equal(dc?.text.originsIn(0, 1)[0]?.kind, 'unknown');
});

test('bash resolver: `X+=` appends for every use of the variable (a heredoc expanding it)', () => {
  const sh = `#!/bin/bash\nJOIN='"10.0.0.1"'\nJOIN+=', "10.0.0.2"'\ncat > /etc/nomad.d/client.hcl <<EOF\nclient {\n  enabled = true\n  servers = [$JOIN]\n}\nEOF\n`;
  const { m } = model({ [SH]: sh });
  assert.deepEqual(setting(m, 'linux-client/nomad', 'client.servers')?.value, ['10.0.0.1', '10.0.0.2']);
});
