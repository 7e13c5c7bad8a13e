import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../../server/src/core/engine';

const RULE = 'service-unit-expansion';

const unit = (delim: string, pid = '$MAINPID', name = 'nomad') =>
  `#!/bin/bash\ncat > /etc/systemd/system/${name}.service <<${delim}\n[Service]\nExecStart=/usr/local/bin/${name} agent -config /etc/${name}.d\nExecReload=/bin/kill -HUP ${pid}\nKillSignal=SIGINT\n${delim.replace(/['"]/g, '')}\nsystemctl enable ${name}\n`;

function run(text: string, file = 'scripts/setup.sh') {
  const ws = new Workspace('/t');
  ws.setText(file, text);
  return ws.analyze().findings.filter((x) => x.ruleId === RULE);
}

test('service-unit-expansion: an unquoted heredoc writing the agent unit expands $MAINPID (empty): warning on it, escape fix', () => {
  const text = unit('EOF');
  const f = run(text);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(text.slice(f[0]!.span.start, f[0]!.span.end), '$MAINPID');
  assert.match(f[0]!.message, /systemctl reload/);
  assert.match(f[0]!.message, /kill: usage/);
  const edit = f[0]!.fixes![0]!.edits[0]!;
  const fixed = text.slice(0, edit.span.start) + edit.newText + text.slice(edit.span.end);
  assert.match(fixed, /-HUP \\\$MAINPID/);
  assert.deepEqual(run(fixed), []);
  // The braced form too.
  assert.equal(run(unit('EOF', '${MAINPID}')).length, 1);
});

test('service-unit-expansion: quoted delimiters, other units and other variables are silent', () => {
  assert.deepEqual(run(unit("'EOF'")), []);
  assert.deepEqual(run(unit('"EOF"')), []);
  assert.deepEqual(run(unit('EOF', '$MAINPID', 'nginx').replace(/agent -config \/etc\/nginx\.d/, '-g daemon off;')), []);
  assert.deepEqual(run(unit('EOF', '$OTHER')), []);
});
