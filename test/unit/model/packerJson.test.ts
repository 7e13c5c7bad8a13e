import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';

const linuxJson = JSON.stringify(
  {
    variables: { nomad_version: '1.10.5', consul_version: '{{env `CONSUL_VERSION`}}' },
    builders: [{ type: 'amazon-ebs', name: 'linux', ami_name: 'hashistack-linux-{{timestamp}}' }],
    provisioners: [
      {
        type: 'shell',
        script: '../shared/scripts/setup.sh',
        environment_vars: ['NOMAD_VERSION={{user `nomad_version`}}', 'CONSUL_VERSION={{user `consul_version`}}'],
      },
    ],
  },
  null,
  2,
);
const setupSh = `#!/bin/bash
set -e
curl -sSL -o /tmp/nomad.zip "https://releases.hashicorp.com/nomad/\${NOMAD_VERSION}/nomad_\${NOMAD_VERSION}_linux_amd64.zip"
curl -sSL -o /tmp/consul.zip "https://releases.hashicorp.com/consul/\${CONSUL_VERSION}/consul_\${CONSUL_VERSION}_linux_amd64.zip"
`;

test('Packer JSON templates: {{user}} variables reach the script through environment_vars, {{env}} stays unknown', () => {
  const ws = new Workspace('/virtual');
  ws.setText('packer/linux.json', linuxJson);
  ws.setText('shared/scripts/setup.sh', setupSh);
  const r = ws.analyze();
  const nomad = r.versions.find((v) => v.product === 'nomad' && v.os === 'linux');
  assert.ok(nomad);
  assert.equal(nomad.version, '1.10.5');
  assert.ok(
    nomad.chain.some((s) => s.span.file === 'packer/linux.json' && s.note.includes('nomad_version')),
    'the chain starts at the Packer variable',
  );
  const consul = r.versions.find((v) => v.product === 'consul' && v.os === 'linux');
  assert.ok(consul);
  assert.equal(consul.version, undefined);
  assert.match(consul.reason ?? '', /CONSUL_VERSION.*build time/);
});

test('a JSON file without builders is not taken for a Packer template', () => {
  const ws = new Workspace('/virtual');
  ws.setText('config/nomad.json', JSON.stringify({ datacenter: 'dc1', client: { enabled: true } }));
  ws.setText('shared/scripts/setup.sh', setupSh);
  const r = ws.analyze();
  assert.equal(r.versions.find((v) => v.product === 'nomad')?.version, undefined);
  assert.ok(
    r.roles.some((role) => role.product === 'nomad'),
    'still read as an agent config',
  );
});
