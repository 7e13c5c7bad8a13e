/**
 * Scripts given to a shell as a string (`sudo sh -c '…'`, `sudo bash -c "cat > f" <<EOF`), followed as scripts of
 * their own whose documents map to the host file.
 *
 * Shell facts the model encodes, checked with dash 0.5 (`sh`) and bash 5 on the build machine (a script run in a
 * temporary directory with both shells, same output):
 * - `X=outer; sh -c 'echo "$X"'` prints an empty line; after `export Y=exp`, `sh -c 'echo "$Y"'` prints `exp`.
 * - `sh -c "Z=inner; echo $X \$Z"` prints `outer inner`: the outer shell expands `$X` first, `\$` reaches the inner one.
 * - `bash -ec 'echo ok'`, `sh -ec …` and `bash -o pipefail -c …` run the string; `sh -n -c 'echo ran'` runs nothing.
 * - `sh -c 'echo $0 $1' name a` prints `name a`.
 * - `sh -c "cat > f6" <<EOF` writes the heredoc (the outer shell's stdin of `sh`) to f6.
 * - `sh -c 'cat <<EOF > f7\ninner $X\nEOF'` writes `inner ` (the outer, unexported X is unset inside).
 * - `env W=w sh -c 'echo $W'` and `V=v sh -c 'echo $V'` print the value.
 * `sudo` is not installed there: that `sudo` without `-E` resets the environment is sudoers' `env_reset` default
 * (sudoers(5)), and is modelled as "unknown", never as empty.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { model, setting } from '../core/helpers';
import type { DeploymentModel } from '../../../server/src/core/model/deploymentModel';
import type { AgentConfigDoc } from '../../../server/src/core/agent/configDoc';
import { analyze, assertFixWorks, assertSpan, KEY_A, LIN, linuxClient, only, tree, WIN, windowsClient } from '../checks/drift/helpers';

const SH = 'scripts/client.sh';

function docs(m: DeploymentModel, target: string): AgentConfigDoc[] {
  return m.roles.flatMap((r) => r.configs.map((c) => c.doc)).filter((d, i, all) => d.targetPath === target && all.indexOf(d) === i);
}

function one(m: DeploymentModel, target: string): AgentConfigDoc {
  const all = docs(m, target);
  assert.equal(all.length, 1, `documents for ${target}: ${all.map((d) => d.id).join(', ')}`);
  return all[0]!;
}

/** The host characters the virtual range of `needle` (in the document) maps to. */
function hostOf(d: AgentConfigDoc, sh: string, needle: string): string {
  const at = d.text.text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not in ${d.text.text}`);
  const s = d.text.toHost(at, at + needle.length);
  assert.equal(s.file, SH);
  return sh.slice(s.start, s.end);
}

test("sh -c: a single-quoted `sudo sh -c 'echo … > f'` writes its document; characters map into the host file", () => {
  const sh = `#!/bin/bash\nsudo sh -c 'echo "datacenter = \\"dc7\\"" > /etc/nomad.d/dc.hcl'\n`;
  const { m } = model({ [SH]: sh });
  const d = one(m, '/etc/nomad.d/dc.hcl');
  assert.equal(d.text.text, 'datacenter = "dc7"\n');
  assert.match(d.via, /`sudo sh -c`/);
  assert.equal(hostOf(d, sh, 'datacenter'), 'datacenter');
  // `\"` inside the inner double quotes decodes to one character that stands for both.
  assert.equal(hostOf(d, sh, 'dc7'), 'dc7');
  assert.equal(setting(m, 'linux-client/nomad', 'datacenter')?.value, 'dc7');
});

test('sh -c: a double-quoted string is expanded by the outer shell first; `\\$X` is left to the inner shell', () => {
  const sh = `#!/bin/bash\nDC=dc8\nbash -c "R=west; echo \\"datacenter = '$DC'\\" > /etc/nomad.d/dc.hcl; echo \\"region = '\\$R'\\" > /etc/nomad.d/r.hcl"\n`;
  const { m } = model({ [SH]: sh });
  assert.equal(one(m, '/etc/nomad.d/dc.hcl').text.text, "datacenter = 'dc8'\n");
  assert.equal(one(m, '/etc/nomad.d/r.hcl').text.text, "region = 'west'\n");
  // The outer value maps to the outer assignment.
  assert.equal(hostOf(one(m, '/etc/nomad.d/dc.hcl'), sh, 'dc8'), 'dc8');
});

test('sh -c: an unknown outer variable in a double-quoted string stays unknown in the nested document', () => {
  const sh = `#!/bin/bash\nsudo sh -c "echo 'datacenter = \\"$NOPE\\"' > /etc/nomad.d/dc.hcl"\n`;
  const { m } = model({ [SH]: sh });
  const d = one(m, '/etc/nomad.d/dc.hcl');
  assert.equal(d.text.text, 'datacenter = "$NOPE"\n');
  const at = d.text.text.indexOf('$NOPE');
  const o = d.text.originsIn(at, at + 1)[0];
  assert.equal(o?.kind, 'unknown');
  assert.match(o?.kind === 'unknown' ? o.reason : '', /NOPE is not set in client\.sh/);
});

test('sh -c: inside single quotes only exported outer variables reach the inner shell, and `sudo` drops them unless -E', () => {
  const sh =
    `#!/bin/bash\nexport DC=dc9\nREGION=r1\n` +
    `sudo -E sh -c 'echo "datacenter = \\"$DC\\"" > /etc/nomad.d/a.hcl'\n` +
    `sudo sh -c 'echo "datacenter = \\"$DC\\"" > /etc/nomad.d/b.hcl'\n` +
    `sh -c 'echo "region = \\"$REGION\\"" > /etc/nomad.d/c.hcl'\n` +
    `env NODE_POOL=edge sh -c 'echo "client { node_pool = \\"$NODE_POOL\\" }" > /etc/nomad.d/d.hcl'\n`;
  const { m } = model({ [SH]: sh });
  assert.equal(one(m, '/etc/nomad.d/a.hcl').text.text, 'datacenter = "dc9"\n');
  const unknown = (target: string, name: string, why: RegExp) => {
    const d = one(m, target);
    const at = d.text.text.indexOf(`$${name}`);
    assert.ok(at >= 0, d.text.text);
    const o = d.text.originsIn(at, at + 1)[0];
    assert.equal(o?.kind, 'unknown');
    assert.match(o?.kind === 'unknown' ? o.reason : '', why);
  };
  unknown('/etc/nomad.d/b.hcl', 'DC', /sudo without -E resets the environment/);
  unknown('/etc/nomad.d/c.hcl', 'REGION', /only when exported/);
  assert.equal(one(m, '/etc/nomad.d/d.hcl').text.text, 'client { node_pool = "edge" }\n');
});

test('sh -c: `sudo bash -c "cat > f" <<EOF`: the outer heredoc is the nested `cat`s stdin, one document at f', () => {
  const sh = `#!/bin/bash\nCLASS=edge\nsudo bash -c "cat > /etc/nomad.d/client.hcl" <<EOF\nclient {\n  enabled    = true\n  node_class = "$CLASS"\n}\nEOF\n`;
  const { m } = model({ [SH]: sh });
  const all = docs(m, '/etc/nomad.d/client.hcl');
  assert.equal(all.length, 1, all.map((d) => d.via).join(' | '));
  const d = all[0]!;
  assert.equal(d.append, false);
  assert.match(d.via, /heredoc piped to sudo bash -c 'cat > f'/);
  assert.equal(hostOf(d, sh, 'node_class'), 'node_class');
  assert.equal(setting(m, 'linux-client/nomad', 'client.node_class')?.value, 'edge');
  assert.equal(m.roles.flatMap((r) => r.configs).filter((c) => c.doc.targetPath === undefined).length, 0);
});

test('sh -c: `echo "$C" | sudo sh -c \'cat > f\'` writes the variable to f', () => {
  const sh = `#!/bin/bash\nC='datacenter = "dc4"'\necho "$C" | sudo sh -c 'cat > /etc/nomad.d/dc.hcl'\n`;
  const { m } = model({ [SH]: sh });
  const d = one(m, '/etc/nomad.d/dc.hcl');
  assert.equal(d.text.text, 'datacenter = "dc4"\n');
  assert.equal(hostOf(d, sh, 'dc4'), 'dc4');
});

test("sh -c: a heredoc inside `sudo bash -c '…'`: inner assignments are known, the outer unexported variable is not", () => {
  const sh = `#!/bin/bash\nDC=outer\nsudo bash -c 'REGION=eu\ncat <<EOF > /etc/nomad.d/nomad.hcl\nregion     = "$REGION"\ndatacenter = "$DC"\nEOF'\n`;
  const { m } = model({ [SH]: sh });
  const d = one(m, '/etc/nomad.d/nomad.hcl');
  assert.equal(d.text.text, 'region     = "eu"\ndatacenter = "$DC"\n');
  assert.equal(hostOf(d, sh, 'region'), 'region');
  assert.equal(hostOf(d, sh, 'eu'), '$REGION');
  const at = d.text.text.indexOf('$DC');
  assert.equal(d.text.originsIn(at, at + 1)[0]?.kind, 'unknown');
});

test('sh -c: `sed -i` in a nested script edits the file the outer script wrote before; the edited text is the document', () => {
  const sh = `#!/bin/bash\ncat > /etc/nomad.d/nomad.hcl <<'EOF'\ndatacenter = "DC_NAME"\nEOF\nsudo sh -c "sed -i 's/DC_NAME/dc3/' /etc/nomad.d/nomad.hcl"\n`;
  const { m } = model({ [SH]: sh });
  const d = one(m, '/etc/nomad.d/nomad.hcl');
  assert.equal(d.text.text, 'datacenter = "dc3"\n');
  assert.equal(hostOf(d, sh, 'datacenter'), 'datacenter');
});

test('sh -c: positional arguments after $0, `su - user -c`, and `sh -c` inside `sh -c`', () => {
  const sh =
    `#!/bin/bash\n` +
    `sh -c 'echo "datacenter = \\"$1\\"" > /etc/nomad.d/a.hcl' _ dc5\n` +
    `su - root -c 'echo "datacenter = \\"dc6\\"" > /etc/nomad.d/b.hcl'\n` +
    `sudo sh -c "bash -c 'echo region = \\\\\\"r2\\\\\\" > /etc/nomad.d/c.hcl'"\n`;
  const { m } = model({ [SH]: sh });
  assert.equal(one(m, '/etc/nomad.d/a.hcl').text.text, 'datacenter = "dc5"\n');
  assert.equal(one(m, '/etc/nomad.d/b.hcl').text.text, 'datacenter = "dc6"\n');
  const c = one(m, '/etc/nomad.d/c.hcl');
  assert.equal(c.text.text, 'region = "r2"\n');
  assert.equal(hostOf(c, sh, 'region'), 'region');
});

test('sh -c: what is not followed stays unknown (no document): unknown options, an unquoted expansion, sudo -i', () => {
  const w = (pre: string, n: number) => `${pre} 'echo "datacenter = \\"dc1\\"" > /etc/nomad.d/x${n}.hcl'\n`;
  const sh =
    `#!/bin/bash\n` +
    w('sudo -E -u root sh -ec', 0) +
    w('sh -n -c', 1) +
    w('bash --rcfile /tmp/rc -c', 2) +
    w('sudo -i sh -c', 3) +
    w('env -i sh -c', 4) +
    w('sh -c -e', 5) +
    `CMD='echo x > /etc/nomad.d/x6.hcl'\nsh -c $CMD\n`;
  const { m } = model({ [SH]: sh });
  // The same string behind options that are followed gives its document.
  assert.equal(one(m, '/etc/nomad.d/x0.hcl').text.text, 'datacenter = "dc1"\n');
  for (let n = 1; n <= 6; n++) assert.equal(docs(m, `/etc/nomad.d/x${n}.hcl`).length, 0, `x${n}.hcl`);
});

test('sh -c: a finding inside the nested script lands on the host characters', () => {
  const sh = `#!/bin/bash\nsudo bash -c 'cat > /etc/nomad.d/client.hcl <<EOF\nclient {\n  enabled = true\n  servers = ["provider=aws tag_key=NomadJoin tag_value=auto-join"]\n}\nEOF'\n`;
  const { r } = analyze({ [LIN]: sh });
  const f = only(r, 'servers-auto-join-in-client-servers');
  assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => x.ruleId)));
  // The key inside the single-quoted string, line 5 of the host script.
  assertSpan(f[0]!, LIN, sh, 'servers');
});

test('sh -c (Workspace): a Linux client writing its Consul gossip key with `sudo sh -c` and a Windows client without one → gossip-consul-encrypt; same key → silent', () => {
  const consul = 'datacenter = "dc1"\ndata_dir   = "/opt/consul/data"\nretry_join = ["provider=aws tag_key=ConsulAutoJoin tag_value=auto-join"]\n';
  const gossip = `sudo sh -c 'echo "encrypt = \\"${KEY_A}\\"" > /etc/consul.d/gossip.hcl'\n`;
  const lin = linuxClient({ consul }, gossip);
  const broken = tree({ linux: lin, windows: windowsClient({ consul }) });
  const { ws, r } = analyze(broken);
  const f = only(r, 'gossip-consul-encrypt');
  assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => x.ruleId)));
  assert.equal(f[0]!.span.file, WIN);
  assert.ok(
    f[0]!.related.some((x) => x.span.file === LIN && lin.slice(x.span.start, x.span.end).startsWith('encrypt')),
    JSON.stringify(f[0]!.related.map((x) => [x.span, lin.slice(x.span.start, x.span.end)])),
  );
  assert.ok(!JSON.stringify(r).includes(KEY_A), 'raw key leaked into the result');
  // A hover on the key inside the nested string shows the setting, masked.
  const h = ws.hoverAt(r, LIN, lin.indexOf(KEY_A) + 3);
  assert.ok(h, 'hover on the nested value');
  assert.match(h.markdown, /encrypt/);
  assert.match(h.markdown, /••••/);
  assert.ok(!h.markdown.includes(KEY_A));

  const fixed = tree({ linux: lin, windows: windowsClient({ consul: `${consul}encrypt = "${KEY_A}"\n` }) });
  assert.equal(only(analyze(fixed).r, 'gossip-consul-encrypt').length, 0);
});

test('sh -c: a script run inside `sudo bash -c "…"` gets its arguments (the chain points into the caller)', () => {
  const ud = `#!/bin/bash\nsudo bash -c "NOMAD_BINARY=/usr/bin/nomad /ops/scripts/client.sh \\"edge\\" \\"dc2\\""\n`;
  const client = `#!/bin/bash\nNODE_CLASS=$1\nDC=$2\ncat > /etc/nomad.d/client.hcl <<EOF\ndatacenter = "$DC"\nclient {\n  enabled    = true\n  node_class = "$NODE_CLASS"\n}\nEOF\n`;
  const { m } = model({ 'scripts/user-data.sh': ud, [SH]: client });
  const e = setting(m, 'linux-client/nomad', 'client.node_class');
  assert.equal(e?.value, 'edge');
  assert.equal(setting(m, 'linux-client/nomad', 'datacenter')?.value, 'dc2');
  const step = e?.chain.find((c) => /passed as \$1 to client\.sh/.test(c.note));
  assert.ok(step, JSON.stringify(e?.chain.map((c) => c.note)));
  assert.equal(step.span.file, 'scripts/user-data.sh');
  assert.equal(ud.slice(step.span.start, step.span.end), '\\"edge\\"');
});

test('sh -c: `bash -c "/ops/x.sh a"` is one call of x.sh with $1 = a (not also a call with the string as $0)', () => {
  const ud = `#!/bin/bash\nsudo bash -c "/ops/scripts/client.sh edge"\n`;
  const { m } = model({ 'scripts/user-data.sh': ud, [SH]: `#!/bin/bash\ncat > /etc/nomad.d/client.hcl <<EOF\nclient {\n  node_class = "$1"\n}\nEOF\n` });
  assert.equal(setting(m, 'linux-client/nomad', 'client.node_class')?.value, 'edge');
  const calls = m.scripts.flatMap((s) => s.invocations).filter((i) => i.scriptBaseName === 'client.sh');
  assert.equal(calls.length, 1);
});

test('sh -c: nesting is followed 4 levels deep, not deeper (bounded), and maps through every level', () => {
  const nest = (levels: number, target: string) => {
    let s = `echo "region = \\"r\\"" > ${target}`;
    // Each level single-quotes the one inside it: ' becomes '\'' (close, escaped quote, reopen).
    for (let d = 0; d < levels; d++) s = `sh -c '${s.replace(/'/g, `'\\''`)}'`;
    return s;
  };
  const sh = `#!/bin/bash\n${nest(4, '/etc/nomad.d/four.hcl')}\n${nest(5, '/etc/nomad.d/five.hcl')}\n`;
  const { m } = model({ [SH]: sh });
  const d = one(m, '/etc/nomad.d/four.hcl');
  assert.equal(d.text.text, 'region = "r"\n');
  assert.equal(hostOf(d, sh, 'region'), 'region');
  assert.equal(docs(m, '/etc/nomad.d/five.hcl').length, 0);
});

test('sh -c: a nested write in a `case` arm carries the arm (machines of other arms do not write it)', () => {
  const sh = `#!/bin/bash\ncase "$ROLE" in\n  server)\n    sudo sh -c 'echo "server { enabled = true }" > /etc/nomad.d/role.hcl'\n    ;;\n  client)\n    sudo sh -c 'echo "client { enabled = true }" > /etc/nomad.d/role.hcl'\n    ;;\nesac\n`;
  const { m } = model({ [SH]: sh });
  const all = docs(m, '/etc/nomad.d/role.hcl');
  assert.deepEqual(
    all.map((d) => [d.text.text.trim(), [...(d.branches ?? [])]]),
    [
      ['server { enabled = true }', ['case1:server']],
      ['client { enabled = true }', ['case1:client']],
    ],
  );
});

test('sh -c: a placeholder a nested `sed` substitutes makes the config file a template (judged after substitution)', () => {
  const files = (sed: string) => ({
    'packer/image.pkr.hcl':
      'source "googlecompute" "s" {\n  image_name = "server"\n}\nbuild {\n  sources = ["source.googlecompute.s"]\n  provisioner "file" {\n    source      = "configs/nomad.hcl"\n    destination = "/tmp/nomad-agent.hcl"\n  }\n  provisioner "shell" {\n    scripts = ["scripts/install.sh"]\n  }\n}\n',
    'packer/configs/nomad.hcl': 'data_dir = "/opt/nomad"\nserver {\n  enabled          = true\n  bootstrap_expect = {NUMBER-OF-SERVERS}\n}\n',
    'packer/scripts/install.sh': '#!/bin/bash\nsudo mv /tmp/nomad-agent.hcl /etc/nomad.d/nomad.hcl\n',
    'terraform/main.tf': 'resource "google_compute_instance" "s" {\n  metadata_startup_script = templatefile("${path.module}/server.sh", { n = 3 })\n}\n',
    'terraform/server.sh': `#!/bin/bash\n${sed}\n`,
  });
  const syntax = (sed: string) => only(analyze(files(sed)).r, 'hcl-syntax').length;
  assert.equal(syntax(`sudo sh -c "sed -i -e 's/{NUMBER-OF-SERVERS}/\${n}/g' /etc/nomad.d/nomad.hcl"`), 0);
  assert.ok(syntax('echo hi') > 0);
});

test('sh -c: a quick fix inside a nested string edits the host characters, and is dropped when its text would break the quoting', () => {
  const lin = `#!/bin/bash\nsudo bash -c 'cat > /etc/consul.d/consul.hcl <<EOF\ndatacenter = "dc1"\ndata_dir   = "/opt/consul/data"\nEOF'\n`;
  const files = (dc: string) => ({
    [LIN]: lin,
    'shared/packer/config/consul.hcl': `server           = true\nbootstrap_expect = 1\ndatacenter       = "${dc}"\n`,
  });
  const before = analyze(files('dc2')).r;
  const f = only(before, 'datacenter-mismatch');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assertSpan(f[0]!, LIN, lin, 'datacenter');
  const edit = f[0]!.fixes?.[0]?.edits[0];
  assert.ok(edit, 'fix offered');
  assert.equal(lin.slice(edit.span.start, edit.span.end), '"dc1"');
  assert.equal(edit.newText, '"dc2"');
  assertFixWorks(files('dc2'), f[0]!, before);
  // `"it's"` inside the single-quoted string would end it: no fix rather than a broken one.
  const g = only(analyze(files("it's")).r, 'datacenter-mismatch');
  assert.equal(g.length, 1);
  assert.equal(g[0]!.fixes, undefined);
});

test("sh -c: `cat <<EOF | sudo sh -c 'cat > f'` writes the heredoc to f", () => {
  const sh = `#!/bin/bash\ncat <<EOF | sudo sh -c 'cat > /etc/nomad.d/client.hcl'\nclient {\n  enabled = true\n}\nEOF\n`;
  const { m } = model({ [SH]: sh });
  const d = one(m, '/etc/nomad.d/client.hcl');
  assert.equal(d.text.text, 'client {\n  enabled = true\n}\n');
  assert.match(d.via, /heredoc piped to sudo sh -c 'cat > f'/);
  assert.equal(hostOf(d, sh, 'enabled'), 'enabled');
});

test('sh -c: in a Terraform template, `${x}` inside the single-quoted string is rendered first; `$${R}` reaches the inner shell', () => {
  const tpl = `#!/bin/bash\nsudo sh -c 'R=west; echo "datacenter = \\"\${dc}\\"" > /etc/nomad.d/dc.hcl; echo "region = \\"$\${R}\\"" > /etc/nomad.d/r.hcl; echo "client { node_pool = \\"\${pool}\\" }" > /etc/nomad.d/p.hcl'\n`;
  const { m } = model({
    'terraform/main.tf': 'resource "aws_instance" "c" {\n  user_data = templatefile("${path.module}/user-data.sh", { dc = "dc-tf" })\n}\n',
    'terraform/user-data.sh': tpl,
  });
  const dc = one(m, '/etc/nomad.d/dc.hcl');
  assert.equal(dc.text.text, 'datacenter = "dc-tf"\n');
  const at = dc.text.text.indexOf('dc-tf');
  const span = dc.text.toHost(at, at + 5);
  assert.equal(span.file, 'terraform/user-data.sh');
  assert.equal(tpl.slice(span.start, span.end), '${dc}');
  assert.equal(one(m, '/etc/nomad.d/r.hcl').text.text, 'region = "west"\n');
  // A template variable the call does not pass stays unknown inside the nested script.
  const p = one(m, '/etc/nomad.d/p.hcl');
  const pool = p.text.text.indexOf('${pool}');
  assert.ok(pool >= 0, p.text.text);
  assert.equal(p.text.originsIn(pool, pool + 1)[0]?.kind, 'unknown');
});
