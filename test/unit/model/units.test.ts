import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partitionUnits } from '../../../server/src/core/workspace/units';
import { Workspace } from '../../../server/src/core/engine';

test('one root module: the whole tree is one unit', () => {
  const units = partitionUnits(['a/main.tf', 'shared/x.sh'], ['a']);
  assert.deepEqual(units, [{ dir: '', files: ['a/main.tf', 'shared/x.sh'] }]);
});

test('clusters of a monorepo are separate units; shared files belong to each', () => {
  const files = [
    'env-1/terraform/control/main.tf',
    'env-1/shared/client.ps1',
    'env-2/terraform/control/main.tf',
    'env-2/shared/client.ps1',
    'modules/stack/main.tf',
    'scripts/common.sh',
  ];
  const units = partitionUnits(files, ['env-1/terraform/control', 'env-2/terraform/control']);
  assert.deepEqual(
    units.map((u) => [u.dir, u.files]),
    [
      ['env-1', ['env-1/shared/client.ps1', 'env-1/terraform/control/main.tf', 'modules/stack/main.tf', 'scripts/common.sh']],
      ['env-2', ['env-2/shared/client.ps1', 'env-2/terraform/control/main.tf', 'modules/stack/main.tf', 'scripts/common.sh']],
    ],
  );
});

test('nested root modules: files go to the deepest unit', () => {
  const units = partitionUnits(['main.tf', 'x.sh', 'prod/main.tf', 'prod/y.sh'], ['', 'prod']);
  assert.deepEqual(
    units.map((u) => [u.dir, u.files]),
    [
      ['', ['main.tf', 'x.sh']],
      ['prod', ['prod/main.tf', 'prod/y.sh']],
    ],
  );
});

const clusterFiles = (dc: string): Record<string, string> => ({
  'terraform/main.tf': `module "m" {\n  source = "../modules/m"\n}\n`,
  'shared/client.ps1': `@"\ndatacenter = "${dc}"\ndata_dir = "C:/n"\nclient {\n  enabled = true\n}\nenable_syslog = true\n"@ | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding ascii\n`,
});

test('two clusters in one workspace keep their own roles and findings, and an edit re-analyses one', () => {
  const ws = new Workspace('/mono');
  for (const env of ['env-a', 'env-b']) for (const [f, t] of Object.entries(clusterFiles(env))) ws.setText(`${env}/${f}`, t);
  ws.setText('env-a/modules/m/main.tf', 'variable "x" {\n  default = "1"\n}\n');
  ws.setText('env-b/modules/m/main.tf', 'variable "x" {\n  default = "1"\n}\n');
  const r = ws.analyze();
  const win = r.roles.filter((x) => x.kind === 'windows-client' && x.product === 'nomad');
  assert.equal(win.length, 2, 'one Windows client role per cluster');
  assert.deepEqual(win.map((x) => x.id).sort(), ['env-a:windows-client/nomad', 'env-b:windows-client/nomad']);
  assert.deepEqual(win.map((x) => x.settings.find((s) => s.path === 'datacenter')?.value).sort(), ['env-a', 'env-b']);
  const syslog = r.findings.filter((f) => f.ruleId === 'os-setting');
  assert.deepEqual(syslog.map((f) => f.span.file).sort(), ['env-a/shared/client.ps1', 'env-b/shared/client.ps1']);
  assert.ok(ws.renderRole(r, 'env-b:windows-client/nomad')?.includes('env-b'));
  // Edit one cluster: its unit is analysed again, the other's result is reused.
  const before = ws.unitAnalysisCount;
  ws.setText('env-a/shared/client.ps1', clusterFiles('env-a')['shared/client.ps1']!.replace('enable_syslog = true', 'enable_syslog = false'));
  const r2 = ws.analyze();
  assert.equal(ws.unitAnalysisCount - before, 1, 'only the edited unit was analysed');
  assert.deepEqual(
    r2.findings.filter((f) => f.ruleId === 'os-setting').map((f) => f.span.file),
    ['env-b/shared/client.ps1'],
  );
});

test('.hashistack-review.json clusters: roots that deploy one cluster together are analysed as one unit (real tree, round 6)', () => {
  const root = (dir: string, tpl: string, body: string) => ({
    [`${dir}/main.tf`]: `resource "openstack_compute_instance_v2" "n" {\n  user_data = templatefile("\${path.module}/${tpl}", {})\n}\n`,
    [`${dir}/${tpl}`]: `#!/bin/bash\ncat > /etc/nomad.d/nomad.hcl <<EOF\n${body}EOF\n`,
  });
  const files: Record<string, string> = {
    ...root(
      'openstack-nomad-server',
      'server.sh',
      'data_dir = "/opt/nomad"\nserver {\n  enabled = true\n  bootstrap_expect = 3\n}\nacl {\n  enabled = true\n}\n',
    ),
    ...root('openstack-nomad-client', 'client.sh', 'data_dir = "/opt/nomad"\nclient {\n  enabled = true\n  servers = ["10.0.0.1"]\n}\n'),
  };
  const run = (config?: object) => {
    const ws = new Workspace('/t');
    for (const [f, t] of Object.entries(files)) ws.setText(f, t);
    if (config) ws.setText('.hashistack-review.json', JSON.stringify(config));
    const r = ws.analyze();
    assert.deepEqual(r.configErrors, []);
    return r.findings.filter((f) => f.ruleId === 'acl-enabled-mismatch');
  };
  assert.equal(run().length, 0, 'two roots are two deployments by default');
  const merged = run({ clusters: [{ name: 'openstack', paths: ['openstack-nomad-*'] }] });
  assert.equal(merged.length, 1, 'declared as one cluster, the client without ACLs is reported');
  assert.equal(merged[0]!.span.file, 'openstack-nomad-client/client.sh');
  // A bad declaration is a config error naming the field, not a crash.
  const ws = new Workspace('/t');
  ws.setText('.hashistack-review.json', JSON.stringify({ clusters: [{ name: 'x' }] }));
  assert.match(ws.analyze().configErrors.join('\n'), /clusters\.0/);
});
