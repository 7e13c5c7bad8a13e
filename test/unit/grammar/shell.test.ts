import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClientSh, assertServerSh } from './examples';
import type { Hosts } from './textmate';
import { describeLine, embeddedLines, fixtureHosts, has, isEmbedded, tokenAt, tokenize, vscodeHosts } from './textmate';

// Every case runs on the minimal fixture hosts and, when installed, on VS Code's own grammars.
const hostSets: [string, Hosts][] = [['fixture host', fixtureHosts]];
const vscode = vscodeHosts();
if (vscode) hostSets.push(['VS Code host', vscode]);

for (const [label, hosts] of hostSets) {
  const sh = (...lines: string[]) => tokenize('source.shell', lines.join('\n'), hosts);

  test(`${label}: client.sh (mixed-os): the consul.hcl heredoc is embedded HCL, the resolved.conf heredoc is not`, async () => {
    await assertClientSh(hosts);
  });

  test(`${label}: server.sh (mixed-os): only the agent-config heredoc, not the ACL policy nor profile.d`, async () => {
    await assertServerSh(hosts);
  });

  test(`${label}: write target before or after the heredoc operator: tee, tee -a, >, >>`, async () => {
    const cases = [
      "cat > /etc/consul.d/consul.hcl <<'EOF'",
      'cat >>/etc/consul.d/acl.json <<"EOF"',
      'sudo tee -a /etc/nomad.d/nomad.hcl >/dev/null <<EOF',
      'cat <<EOF > "${NOMAD_DIR:-/etc/nomad.d}/client.hcl"',
      'cat <<EOF | sudo tee /opt/consul/config/server.HCL',
      '  cat <<EOF >/etc/nomad.d/server.hcl && echo ok',
    ];
    for (const opener of cases) {
      const t = await sh(opener, 'datacenter = "dc1"', 'EOF', 'echo after');
      assert.deepEqual(embeddedLines(t), [1], `${opener}\n${describeLine(t, 1)}`);
      assert.ok(has(tokenAt(t, 1, 'datacenter'), 'variable.other.readwrite.hcl'), opener);
      assert.ok(has(tokenAt(t, 2, 'EOF'), 'punctuation.definition.string.heredoc.delimiter.shell'), opener);
      assert.ok(!t[3]!.some(isEmbedded), opener);
    }
  });

  test(`${label}: delimiter naming HCL or CONFIG makes any heredoc HCL`, async () => {
    for (const [opener, delim] of [
      ['cat <<HCL > "$f"', 'HCL'],
      ["render <<'NOMAD_CONFIG'", 'NOMAD_CONFIG'],
      ['x=$(cat <<-hcl_body', 'hcl_body'],
    ]) {
      const t = await sh(opener!, 'region = "global"', delim!);
      assert.deepEqual(embeddedLines(t), [1], opener);
    }
  });

  test(`${label}: heredocs that do not write agent config stay plain heredocs`, async () => {
    const t = await sh(
      'cat <<EOF > /etc/systemd/system/nomad.service',
      '[Unit]',
      'EOF',
      'cat <<\'PEM\' > "$TLS_DIR/nomad-ca.pem"',
      '-----BEGIN CERTIFICATE-----',
      'PEM',
      'consul acl policy create -name agent -rules - <<RULES',
      'node_prefix "" {',
      'RULES',
      '# cat <<EOF > /etc/nomad.d/nomad.hcl',
      'echo "cat <<EOF > /etc/nomad.d/nomad.hcl"',
      'grep -q x <<< "/etc/nomad.d/nomad.hcl"',
    );
    assert.deepEqual(embeddedLines(t), []);
    assert.ok(has(tokenAt(t, 1, '[Unit]'), 'string.unquoted.heredoc'));
  });

  test(`${label}: unquoted heredoc: $VAR, \${VAR}, $(cmd) and \\$ are shell; quoted heredoc: literal`, async () => {
    const t = await sh(
      'cat <<EOF | sudo tee /etc/nomad.d/nomad.hcl',
      'bind_addr = "$IP_ADDRESS"',
      'name = "${HOSTNAME}-$(hostname -s)"',
      'tpl = "\\${literal}"',
      'bootstrap_expect = ${SERVER_COUNT}',
      'EOF',
      "cat <<'EOF' | sudo tee /etc/nomad.d/nomad.hcl",
      'bind_addr = "$IP_ADDRESS"',
      'EOF',
    );
    assert.ok(has(tokenAt(t, 1, 'IP_ADDRESS'), 'variable.other.normal.shell'), describeLine(t, 1));
    assert.ok(has(tokenAt(t, 2, 'HOSTNAME'), 'variable.other.normal.shell'), describeLine(t, 2));
    const sub = tokenAt(t, 2, '$(');
    assert.ok(has(sub, 'meta.embedded.subshell') || has(sub, 'meta.scope.subshell'), describeLine(t, 2)); // fixture / VS Code scope names
    assert.ok(has(tokenAt(t, 3, '\\$'), 'constant.character.escape.shell'), describeLine(t, 3));
    assert.ok(has(tokenAt(t, 4, 'SERVER_COUNT'), 'variable.other.normal.shell'), describeLine(t, 4));
    assert.ok(!has(tokenAt(t, 7, 'IP_ADDRESS'), 'variable.other.normal.shell'), 'quoted heredoc: no expansion');
    assert.ok(has(tokenAt(t, 7, 'IP_ADDRESS'), 'string.quoted.double.hcl'));
    assert.ok(has(tokenAt(t, 7, 'bind_addr'), 'variable.other.readwrite.hcl'));
  });

  test(`${label}: <<- accepts a tab-indented terminator, << does not`, async () => {
    const t = await sh(
      'if true; then',
      '\tcat <<-EOF > /etc/consul.d/consul.hcl',
      '\tdatacenter = "dc1"',
      '\tEOF',
      'fi',
      'cat <<EOF > /etc/consul.d/consul.hcl',
      '\tEOF',
      'still = "hcl"',
      'EOF',
      'echo after',
    );
    assert.deepEqual(embeddedLines(t), [2, 6, 7]);
    assert.ok(has(tokenAt(t, 3, 'EOF'), 'punctuation.definition.string.heredoc.delimiter.shell'));
    assert.ok(has(tokenAt(t, 4, 'fi'), 'keyword.control'), describeLine(t, 4));
    assert.ok(!t[9]!.some(isEmbedded));
  });

  test(`${label}: robustness: unbalanced braces and unterminated strings never hide the terminator`, async () => {
    const t = await sh('cat > /etc/nomad.d/nomad.hcl <<EOF', 'client {', '  meta = { a = "b', 'EOF', 'sudo systemctl restart nomad');
    assert.deepEqual(embeddedLines(t), [1, 2]);
    assert.ok(has(tokenAt(t, 4, 'sudo'), 'entity.name.command.shell'), describeLine(t, 4));
  });
}
