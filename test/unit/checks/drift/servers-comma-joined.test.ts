import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, assertSpan, LIN, linuxClient, only, serverConfig, tree, WIN, windowsClient } from './helpers';

const RULE = 'servers-comma-joined';

test('servers-comma-joined: one list item holding "a,b" (error, key span)', () => {
  const win = windowsClient({ join: 'servers = ["10.0.1.10:4647,10.0.1.11:4647"]' });
  const { r } = analyze(tree({ server: serverConfig(), linux: linuxClient({ join: 'servers = ["10.0.1.10:4647", "10.0.1.11:4647"]' }), windows: win }));
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.category, 'servers');
  assert.equal(f[0]!.severity, 'error');
  assertSpan(f[0]!, WIN, win, 'servers');
  assert.match(f[0]!.message, /none of the configured servers are valid/);
  assert.match(f[0]!.message, /10\.0\.1\.10:4647,10\.0\.1\.11:4647/);
});

test('servers-comma-joined: a string where a list is expected (joined by a script: RETRY_JOIN="a,b")', () => {
  const lin = linuxClient({ join: 'server_join {\n    retry_join = "${SERVERS}"\n  }' }, 'SERVERS="10.0.1.10,10.0.1.11"\n');
  const { r } = analyze(tree({ server: serverConfig(), linux: lin }));
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assertSpan(f[0]!, LIN, lin, 'retry_join');
  assert.match(f[0]!.message, /must be a list/);
  assert.match(f[0]!.message, /discovering join addresses failed/);
});

test('servers-comma-joined: proper lists, and go-discover strings with spaces, are silent', () => {
  const files = tree({ server: serverConfig(), linux: linuxClient({ join: 'servers = ["10.0.1.10:4647", "10.0.1.11:4647"]' }), windows: windowsClient() });
  assert.equal(only(analyze(files).r, RULE).length, 0);
});

test('servers-comma-joined: unknown list content is silent', () => {
  const lin = linuxClient({ join: 'servers = ["${SERVERS}"]' }, 'SERVERS=$(curl -fsS http://10.0.0.5/servers)\n');
  assert.equal(only(analyze(tree({ server: serverConfig(), linux: lin })).r, RULE).length, 0);
});

test('servers-comma-joined: one item joining run-time values with literal commas ("$server_1,$server_2") is reported; separate items are not (found on a real tree)', () => {
  const ps = (list: string) =>
    `$server_1 = $args[0]\n$server_2 = $args[1]\n$c = @"\nclient {\n  enabled = true\n  servers = [${list}]\n}\n"@\n[IO.File]::WriteAllText("C:\\HashiCorp\\Nomad\\config\\client.hcl", $c)\n`;
  const bad = ps('"$server_1,$server_2"');
  const { r } = analyze({ 'win/setupclient.ps1': bad });
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.span.start, bad.indexOf('servers'));
  assert.match(f[0]!.message, /single entry "\$server_1,\$server_2"/);
  assert.equal(only(analyze({ 'win/setupclient.ps1': ps('"$server_1","$server_2"') }).r, RULE).length, 0);
});

test('servers-comma-joined: suppression (bash heredoc line) and severity', () => {
  const lin = linuxClient({ join: 'servers = ["10.0.1.10:4647,10.0.1.11:4647"] # hashistack-review-ignore servers-comma-joined split by a wrapper' });
  assert.equal(only(analyze(tree({ server: serverConfig(), linux: lin })).r, RULE).length, 0);
  const bad = tree({ server: serverConfig(), linux: linuxClient({ join: 'servers = ["10.0.1.10:4647,10.0.1.11:4647"]' }) });
  assert.equal(only(analyze(bad, { ruleSeverity: { [RULE]: 'warning' } }).r, RULE)[0]!.severity, 'warning');
});
