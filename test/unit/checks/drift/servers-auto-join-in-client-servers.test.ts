import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, assertFixWorks, assertSpan, LIN, linuxClient, only, serverConfig, tree, WIN, windowsClient } from './helpers';

const RULE = 'servers-auto-join-in-client-servers';
const AUTO = 'provider=aws tag_key=NomadJoin tag_value=auto-join';

test('servers-auto-join-in-client-servers: the seed "fix" client { servers = ["provider=aws …"] } on Windows (error, key span, move fix)', () => {
  const win = windowsClient({ join: `servers = ["${AUTO}"]` });
  const files = tree({ server: serverConfig(), linux: linuxClient(), windows: win });
  const { r } = analyze(files);
  const f = only(r, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.category, 'servers');
  assert.equal(f[0]!.severity, 'error');
  assertSpan(f[0]!, WIN, win, 'servers');
  assert.match(f[0]!.message, /none of the configured servers are valid/);
  assert.match(f[0]!.message, /server_join/);
  const { fixed, after } = assertFixWorks(files, f[0]!, r);
  assert.match(fixed[WIN]!, /server_join \{ retry_join = \["provider=aws tag_key=NomadJoin tag_value=auto-join"\] \}/);
  assert.equal(only(after, 'servers-join-drift').length, 0, 'both clients now auto-join');
});

test('servers-auto-join-in-client-servers: value from a script parameter passed by the caller (bash $2 from user-data)', () => {
  const lin = `#!/usr/bin/env bash\nset -euo pipefail\nRETRY_JOIN=$2\ncat <<EOF | sudo tee /etc/nomad.d/nomad.hcl\ndata_dir = "/opt/nomad/data"\nclient {\n  enabled = true\n  servers = ["\${RETRY_JOIN}"]\n}\nEOF\n`;
  const caller = `#!/bin/bash\nbash /ops/shared/packer/scripts/client.sh "aws" "${AUTO}"\n`;
  const files = tree({ server: serverConfig(), linux: lin, extra: { 'terraform/templates/user-data-client.sh': caller } });
  const { r } = analyze(files);
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => x.ruleId)));
  assertSpan(f[0]!, LIN, lin, 'servers');
  assert.ok(
    f[0]!.related.some((x) => x.span.file === 'terraform/templates/user-data-client.sh'),
    JSON.stringify(f[0]!.related),
  );
  assertFixWorks(files, f[0]!, r);
});

test('servers-auto-join-in-client-servers: host[:port] entries and server_join are silent', () => {
  assert.equal(
    only(
      analyze(
        tree({ server: serverConfig(), linux: linuxClient(), windows: windowsClient({ join: 'servers = ["10.0.1.10:4647", "nomad.service.consul:4647"]' }) }),
      ).r,
      RULE,
    ).length,
    0,
  );
  assert.equal(only(analyze(tree({ server: serverConfig(), linux: linuxClient(), windows: windowsClient() })).r, RULE).length, 0);
});

test('servers-auto-join-in-client-servers: a servers list read at run time is not judged', () => {
  const win = windowsClient({ join: 'servers = ["$Join"]' }, '$Join = (Invoke-RestMethod -Uri "http://169.254.169.254/latest/meta-data/tags/instance/Join")\n');
  assert.equal(only(analyze(tree({ server: serverConfig(), windows: win })).r, RULE).length, 0);
});

test('servers-auto-join-in-client-servers: suppression and severity', () => {
  const win = windowsClient({ join: `# hashistack-review-ignore servers-auto-join-in-client-servers custom go-discover shim\n  servers = ["${AUTO}"]` });
  assert.equal(only(analyze(tree({ server: serverConfig(), windows: win })).r, RULE).length, 0);
  const bad = tree({ server: serverConfig(), windows: windowsClient({ join: `servers = ["${AUTO}"]` }) });
  assert.equal(only(analyze(bad, { ruleSeverity: { [RULE]: 'off' } }).r, RULE).length, 0);
});
