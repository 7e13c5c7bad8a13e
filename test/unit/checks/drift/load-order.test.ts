/** A drift rule whose verdict depends on the order an agent loads its files: the launch line's, or none when unknown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, only } from './helpers';

const sh = (target: string, body: string) => `cat <<'EOF' | sudo tee ${target}\n${body}\nEOF\n`;
const unit = (exec: string) => `[Unit]\nDescription=Nomad\n\n[Service]\nExecStart=${exec}\n\n[Install]\nWantedBy=multi-user.target\n`;

// olljanat-style: a shared directory and a role file after it on the command line.
const files = (exec: string | undefined) => ({
  'config/nomad-server.hcl': 'region = "east"\ndata_dir = "/opt/nomad/data"\nserver {\n  enabled = true\n  bootstrap_expect = 1\n}\n',
  'scripts/client.sh':
    '#!/usr/bin/env bash\n' +
    sh('/etc/nomad.d/zz-defaults.hcl', 'region = "west"\ndata_dir = "/opt/nomad/data"') +
    sh('/etc/nomad/role/client.hcl', 'region = "east"\nclient {\n  enabled = true\n  servers = ["10.0.0.1:4647"]\n}'),
  ...(exec ? { 'config/nomad.service': unit(exec) } : {}),
});

test('region-mismatch follows the launch line: the role file after the directory overrides its region', () => {
  // The role file first, the directory after it: the directory's "west" wins, which the servers do not share.
  const wrong = only(analyze(files('/usr/bin/nomad agent -config=/etc/nomad/role/client.hcl -config=/etc/nomad.d')).r, 'region-mismatch');
  assert.equal(wrong.length, 1);
  assert.match(wrong[0]!.message, /"west"/);
  // The directory first, the role file last: the client runs in "east", like the servers.
  assert.deepEqual(only(analyze(files('/usr/bin/nomad agent -config=/etc/nomad.d -config=/etc/nomad/role/client.hcl')).r, 'region-mismatch'), []);
});

test('region-mismatch is silent when no launch line gives the order of the two directories', () => {
  // Name order would make zz-defaults.hcl (region "west") the later file; the agent may load it first.
  assert.deepEqual(only(analyze(files(undefined)).r, 'region-mismatch'), []);
});
