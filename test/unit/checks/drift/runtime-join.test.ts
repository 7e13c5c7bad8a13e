import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { joinCommand, restartOf } from '../../../../server/src/core/checks/drift/runtimeJoin';

test('runtime joins: the commands that give servers to a running agent, shown with their addresses only', () => {
  assert.deepEqual(joinCommand('C:\\HashiCorp\\Nomad\\nomad.exe', ['node', 'config', '-update-servers', '$ip', '-token=SECRET', '10.0.0.2']), {
    kind: 'client-servers',
    product: 'nomad',
    display: 'nomad node config -update-servers $ip 10.0.0.2',
  });
  assert.equal(joinCommand('nomad', ['client-config', '--update-servers=10.0.0.1'])?.display, 'nomad client-config -update-servers 10.0.0.1');
  assert.equal(joinCommand('nomad', ['node', 'config', '-servers']), undefined);
  assert.equal(joinCommand('nomad', ['node', 'status']), undefined);
  assert.deepEqual(joinCommand('/usr/local/bin/nomad', ['server', 'join', '10.0.0.1']), {
    kind: 'server-join',
    product: 'nomad',
    display: 'nomad server join 10.0.0.1',
  });
  assert.deepEqual(joinCommand('consul.exe', ['join', '"$X"']), { kind: 'consul-join', product: 'consul', display: 'consul join "$X"' });
  assert.equal(joinCommand('consul', ['join', '-wan', '10.0.0.1']), undefined);
  assert.equal(joinCommand('consul', ['members']), undefined);
});

test('runtime joins: what restarts the machine or the agent', () => {
  assert.deepEqual(restartOf('Restart-Computer', ['-Force'], 'nomad'), { machine: true });
  assert.deepEqual(restartOf('shutdown.exe', ['/r', '/t', '0'], 'nomad'), { machine: true });
  assert.deepEqual(restartOf('Restart-Service', ['-Name', 'nomad'], 'nomad'), { machine: false });
  assert.deepEqual(restartOf('systemctl', ['restart', 'nomad.service'], 'nomad'), { machine: false });
  assert.deepEqual(restartOf('service', ['nomad', 'restart'], 'nomad'), { machine: false });
  assert.equal(restartOf('systemctl', ['restart', 'consul'], 'nomad'), undefined);
  assert.equal(restartOf('systemctl', ['enable', '--now', 'nomad'], 'nomad'), undefined);
  assert.equal(restartOf('shutdown', ['-h', 'now'], 'nomad'), undefined);
  assert.equal(restartOf('Start-Service', ['nomad'], 'nomad'), undefined);
});
