import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { model, setting } from './helpers';

const sh = (target: string, body: string) => `cat <<'EOF' | sudo tee ${target}\n${body}\nEOF\n`;
const script = (...writes: string[]) => `#!/usr/bin/env bash\n${writes.join('')}`;
const unit = (exec: string) => `[Unit]\nDescription=agent\n\n[Service]\nExecStart=${exec}\n\n[Install]\nWantedBy=multi-user.target\n`;
const targets = (m: ReturnType<typeof model>['m'], id: string) => m.roles.find((r) => r.id === id)!.configs.map((c) => c.doc.targetPath);

test('load order: Nomad -config=<dir> -config=<file> loads the directory, then the file (olljanat)', () => {
  const { m } = model({
    'scripts/client.sh': script(
      sh('/etc/nomad.d/zz-defaults.hcl', 'datacenter = "from-dir"'),
      sh('/etc/nomad/role/client.hcl', 'datacenter = "from-file"\nclient {\n  enabled = true\n}'),
    ),
    'config/nomad.service': unit('/usr/bin/nomad agent -config=/etc/nomad.d -config=/etc/nomad/role/client.hcl'),
  });
  assert.equal(setting(m, 'linux-client/nomad', 'datacenter')!.value, 'from-file');
  assert.deepEqual(targets(m, 'linux-client/nomad'), ['/etc/nomad.d/zz-defaults.hcl', '/etc/nomad/role/client.hcl']);
});

test('load order: Nomad -config=<file> -config=<dir> loads the file first, the directory wins', () => {
  const { m } = model({
    'scripts/client.sh': script(
      sh('/etc/nomad/zz-client.hcl', 'datacenter = "from-file"\nclient {\n  enabled = true\n}'),
      sh('/etc/nomad.d/a.hcl', 'datacenter = "from-dir"'),
    ),
    'config/nomad.service': unit('/usr/bin/nomad agent -config /etc/nomad/zz-client.hcl -config /etc/nomad.d/'),
  });
  assert.equal(setting(m, 'linux-client/nomad', 'datacenter')!.value, 'from-dir');
});

test('load order: two Nomad -config directories load in flag order, each in name order', () => {
  const { m } = model({
    'scripts/client.sh': script(
      sh('/etc/nomad/site/0.hcl', 'datacenter = "site-0"\nregion = "site"\nclient {\n  enabled = true\n}'),
      sh('/etc/nomad/site/1.hcl', 'datacenter = "site-1"'),
      sh('/etc/nomad/base/0.hcl', 'datacenter = "base-0"\nregion = "base"'),
      sh('/etc/nomad/base/9.hcl', 'log_level = "INFO"'),
    ),
    'config/nomad.service': unit('/usr/bin/nomad agent -config=/etc/nomad/base -config=/etc/nomad/site'),
  });
  assert.equal(setting(m, 'linux-client/nomad', 'datacenter')!.value, 'site-1');
  assert.equal(setting(m, 'linux-client/nomad', 'region')!.value, 'site');
  assert.deepEqual(targets(m, 'linux-client/nomad'), ['/etc/nomad/base/0.hcl', '/etc/nomad/base/9.hcl', '/etc/nomad/site/0.hcl', '/etc/nomad/site/1.hcl']);
});

test('load order: inside a directory names sort as bytes (Go sort.Strings), so 10-base.hcl loads before 2-x.hcl', () => {
  const { m } = model({
    'scripts/client.sh': script(
      sh('/etc/nomad/base.hcl', 'datacenter = "base"\nlog_level = "DEBUG"\nclient {\n  enabled = true\n}'),
      sh('/etc/nomad.d/10-base.hcl', 'datacenter = "ten"\nlog_level = "WARN"'),
      sh('/etc/nomad.d/2-x.hcl', 'datacenter = "two"'),
    ),
    'config/nomad.service': unit('/usr/bin/nomad agent -config=/etc/nomad/base.hcl -config=/etc/nomad.d'),
  });
  assert.equal(setting(m, 'linux-client/nomad', 'datacenter')!.value, 'two');
  assert.equal(setting(m, 'linux-client/nomad', 'log_level')!.value, 'WARN');
  assert.deepEqual(targets(m, 'linux-client/nomad'), ['/etc/nomad/base.hcl', '/etc/nomad.d/10-base.hcl', '/etc/nomad.d/2-x.hcl']);
});

test('load order: Consul -config-file and -config-dir load in command-line order', () => {
  const writes = script(
    sh('/etc/consul.d/a.json', '{ "datacenter": "dir-a" }'),
    sh('/etc/consul.d/m.json', '{ "log_level": "INFO" }'),
    sh('/etc/consul/zz.json', '{ "datacenter": "file-zz", "log_level": "DEBUG" }'),
  );
  const dirLast = model({
    'scripts/consul.sh': writes,
    'config/consul.service': unit('/usr/bin/consul agent -config-file=/etc/consul/zz.json -config-dir=/etc/consul.d'),
  });
  assert.equal(setting(dirLast.m, 'linux-client/consul', 'datacenter')!.value, 'dir-a');
  assert.equal(setting(dirLast.m, 'linux-client/consul', 'log_level')!.value, 'INFO');
  const fileLast = model({
    'scripts/consul.sh': writes,
    'config/consul.service': unit('/usr/bin/consul agent -config-dir=/etc/consul.d -config-file=/etc/consul/zz.json'),
  });
  assert.equal(setting(fileLast.m, 'linux-client/consul', 'datacenter')!.value, 'file-zz');
  assert.equal(setting(fileLast.m, 'linux-client/consul', 'log_level')!.value, 'DEBUG');
});

test('load order: a merge (jq -s) takes its inputs in argument order, not name order', () => {
  const { m } = model({
    'scripts/consul.sh': [
      '#!/usr/bin/env bash',
      sh('/tmp/consul_z_base.json', '{ "datacenter": "base", "data_dir": "/opt/consul" }').trimEnd(),
      sh('/tmp/consul_a_override.json', '{ "datacenter": "override" }').trimEnd(),
      "jq -s '.[0] * .[1]' /tmp/consul_z_base.json /tmp/consul_a_override.json > /etc/consul.d/consul.json",
      '',
    ].join('\n'),
  });
  assert.equal(setting(m, 'linux-client/consul', 'datacenter')!.value, 'override');
  assert.equal(setting(m, 'linux-client/consul', 'data_dir')!.value, '/opt/consul');
});

test('load order: merges that differ between branches leave what only one of them gives unknown (bevry-labs ports.http)', () => {
  const sh2 = [
    '#!/usr/bin/env bash',
    'consul_type="$(cat ../data/input/consul_type)"',
    'cat > ../conf/consul_base.json <<EOF',
    '{ "encrypt": "k", "datacenter": "dc1", "ports": { "dns": 53, "http": 8500, "https": -1 } }',
    'EOF',
    'cat > ../conf/consul_tls.json <<EOF',
    '{ "ports": { "dns": 53, "http": -1, "https": 8500 }, "verify_incoming": true }',
    'EOF',
    'cat > ../conf/consul_master.json <<EOF',
    '{ "server": true, "retry_join": ["10.0.0.1"] }',
    'EOF',
    'cat > ../conf/consul_slave.json <<EOF',
    '{ "retry_join": ["10.0.0.1"] }',
    'EOF',
    'if test -f /etc/certs/consul.key; then',
    '  ./json_merge ../conf/consul_base.json ../conf/consul_tls.json "../conf/consul_${consul_type}.json" > ../conf/consul.json',
    'else',
    '  ./json_merge ../conf/consul_base.json "../conf/consul_${consul_type}.json" > ../conf/consul.json',
    'fi',
    '',
  ].join('\n');
  const { m } = model({ 'scripts/consul_configure': sh2 });
  for (const id of ['server/consul', 'linux-client/consul']) {
    const http = setting(m, id, 'ports.http')!;
    assert.equal(http.value, undefined, `${id} ports.http`);
    assert.match(http.unknownReason!, /differs between the merges consul_configure writes \.\.\/conf\/consul\.json with/);
    assert.match(setting(m, id, 'verify_incoming')!.unknownReason!, /set only by some of the merges/);
    assert.equal(setting(m, id, 'ports.dns')!.value, 53);
    assert.equal(setting(m, id, 'datacenter')!.value, 'dc1');
  }
  assert.equal(setting(m, 'server/consul', 'server')!.value, true);
  // One merge only: argument order, and the TLS input wins.
  const one = model({ 'scripts/consul_configure': sh2.replace(/else\n.*\n/, '') });
  assert.equal(setting(one.m, 'server/consul', 'ports.http')!.value, -1);
  assert.equal(setting(one.m, 'server/consul', 'verify_incoming')!.value, true);
});

test('load order: files in different directories and no launch line: a setting they disagree on is unknown', () => {
  const files = {
    'scripts/client.sh': script(
      sh('/etc/nomad.d/client.hcl', 'datacenter = "dc-a"\nlog_level = "INFO"\nclient {\n  enabled = true\n}'),
      sh('/opt/nomad/config/zz.hcl', 'datacenter = "dc-b"\nlog_level = "INFO"'),
      sh('/etc/nomad.d/zz.hcl', 'region = "r1"'),
    ),
  };
  const { m } = model(files);
  const dc = setting(m, 'linux-client/nomad', 'datacenter')!;
  assert.equal(dc.value, undefined);
  assert.match(dc.unknownReason!, /depends on the order the agent loads client\.hcl and zz\.hcl in \(they are in different directories/);
  assert.match(dc.display, /^unknown \(depends on the order/);
  // Agreeing files, and files of one directory, keep their value.
  assert.equal(setting(m, 'linux-client/nomad', 'log_level')!.value, 'INFO');
  assert.equal(setting(m, 'linux-client/nomad', 'region')!.value, 'r1');
  // A launch line that names both directories gives the order.
  const known = model({ ...files, 'config/nomad.service': unit('/usr/bin/nomad agent -config=/opt/nomad/config -config=/etc/nomad.d') });
  assert.equal(setting(known.m, 'linux-client/nomad', 'datacenter')!.value, 'dc-a');
});

test('load order: a secret set in two directories in unknown order is never shown', () => {
  const { m } = model({
    'scripts/client.sh': script(
      sh('/etc/consul.d/a.json', '{ "encrypt": "c2VjcmV0LWtleS1vbmUtMTIzNDU2Nzg5MDEyMzQ1Ng==" }'),
      sh('/opt/consul/b.json', '{ "encrypt": "c2VjcmV0LWtleS10d28tMTIzNDU2Nzg5MDEyMzQ1Ng==" }'),
    ),
  });
  const e = setting(m, 'linux-client/consul', 'encrypt')!;
  assert.equal(e.value, undefined);
  assert.doesNotMatch(e.display, /c2Vj/);
});

test('load order: a config directory kept in the repository follows the launch line that names it (olljanat)', () => {
  const files = {
    'nomad.d/global.hcl': 'region = "west"\nacl {\n  enabled = true\n}\n',
    'nomad.d/role/client.hcl': 'region = "east"\nclient {\n  enabled = true\n}\n',
  };
  // No launch line: nomad.d and nomad.d/role may load in either order.
  const unknown = model(files);
  assert.match(setting(unknown.m, 'linux-client/nomad', 'region')!.unknownReason!, /depends on the order the agent loads client\.hcl and global\.hcl/);
  assert.equal(setting(unknown.m, 'linux-client/nomad', 'acl.enabled')!.value, true);
  const { m } = model({
    ...files,
    'nomad-client.service': unit('/usr/local/bin/nomad agent -client -config=/etc/nomad.d -config=/etc/nomad.d/role/client.hcl'),
  });
  assert.equal(setting(m, 'linux-client/nomad', 'region')!.value, 'east');
  assert.deepEqual(
    m.roles.find((r) => r.id === 'linux-client/nomad')!.configs.map((c) => c.doc.hostFile),
    ['nomad.d/global.hcl', 'nomad.d/role/client.hcl'],
  );
});

test('load order: a Windows service whose -config flags nssm set AppParameters replaces loads in the replaced order', () => {
  const ps = (later: string) => `$base = @'
datacenter = "base"
client {
  enabled = true
}
'@
$base | Out-File -FilePath "C:\\nomad\\base\\client.hcl" -Encoding ascii
$site = @'
datacenter = "site"
'@
$site | Out-File -FilePath "C:\\nomad\\site\\site.hcl" -Encoding ascii
nssm install nomad C:\\nomad\\nomad.exe agent -config=C:\\nomad\\site -config=C:\\nomad\\base
${later}
`;
  assert.equal(setting(model({ 'scripts/client.ps1': ps('') }).m, 'windows-client/nomad', 'datacenter')!.value, 'base');
  const swapped = ps('nssm set nomad AppParameters "agent -config=C:\\nomad\\base -config=C:\\nomad\\site"');
  assert.equal(setting(model({ 'scripts/client.ps1': swapped }).m, 'windows-client/nomad', 'datacenter')!.value, 'site');
  // A later value that is not known: the order, and so the setting, is unknown.
  const unknown = setting(model({ 'scripts/client.ps1': ps('nssm set nomad AppParameters $NomadArgs') }).m, 'windows-client/nomad', 'datacenter')!;
  assert.equal(unknown.value, undefined);
});
