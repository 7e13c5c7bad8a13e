import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mentionStats, mentionsOfText } from '../../../server/src/core/versions';
import { examplePowerShellScripts, runEditChain, seeds } from '../../support/editChains';

/** A bash provisioning script with every kind of mention: URLs, release paths, continued install lines, guards. */
const BASH = `#!/bin/bash
set -euo pipefail
NOMAD_VERSION="\${NOMAD_VERSION:-$(curl -s https://api.releases.hashicorp.com/v1/releases/nomad/latest | jq -r .version)}"
# wget https://releases.hashicorp.com/nomad/1.5.0/nomad_1.5.0_linux_amd64.zip
curl -sLo consul.zip https://releases.hashicorp.com/consul/1.17.1/consul_1.17.1_linux_amd64.zip
apt-get update
apt-get install -y \\
  curl \\
  vault=1.15.2-1 \\
  jq
if [ -z "$CONSUL_TEMPLATE" ]; then
  echo none
fi
for i in 1 2 3; do
  echo "line $i"
done
cat > /etc/motd <<EOT
hello
EOT
`;

let fresh = 0;

function compareChain(name: string, text: string, seed: number): { resumed: number; steps: number } {
  const file = `chain/${name}/${seed}`;
  let movedBefore = 0;
  return runEditChain<readonly unknown[]>({
    name,
    text,
    seed,
    steps: 60,
    palette: [
      'x',
      ' ',
      '\n',
      'abc',
      'echo ok\n',
      '# ',
      'nomad',
      'install ',
      '\\\n',
      '$v',
      '{',
      '}',
      '"',
      '<#',
      '#>',
      'releases.hashicorp.com/nomad/1.2.3/',
      'if (-not $NomadVersion) {',
      // Guards that name no product: they change a later lookup within guardVariable's window.
      'if (-not $V) {\n',
      'if [ -z "$V" ]; then\n',
      'fi\n',
    ],
    // A file name never seen before: a whole scan.
    full: (t) => mentionsOfText(`fresh/${fresh++}`, t),
    rescan: (t) => {
      movedBefore = mentionStats.moved;
      return mentionsOfText(file, t);
    },
    compare: (a, b, where) => assert.deepEqual(a, b, where),
    keptPrefix: () => mentionStats.moved > movedBefore,
  });
}

test('version mentions: after each random edit, the mentions moved from the text before equal a whole scan', () => {
  const scripts: Array<[string, string]> = [...examplePowerShellScripts(600), ['provision.sh', BASH]];
  let resumed = 0;
  let steps = 0;
  for (const [name, text] of scripts)
    for (const seed of seeds(8)) {
      const r = compareChain(name, text, seed);
      resumed += r.resumed;
      steps += r.steps;
    }
  // The shortcut must be exercised, and so must the whole scan it falls back to.
  assert.ok(resumed > steps * 0.15, `only ${resumed} of ${steps} edits moved the mentions`);
  assert.ok(resumed < steps, 'every edit moved the mentions: the palette never reached a mention');
});

test('version mentions: an edit on a line that names a product, or next to a mention, scans the whole text', () => {
  const file = 'shortcut/provision.sh';
  mentionsOfText(file, BASH);
  const moved = mentionStats.moved;
  // On the URL's line, in the continued install line, inside the guard's window, a new comment marker.
  const at = (s: string) => BASH.indexOf(s);
  for (const [i, ins] of [
    [at('consul.zip'), 'x'],
    [at('  jq'), ' nomad'],
    [at('  curl \\'), 'x'],
    [at('for i in'), '# '],
  ] as Array<[number, string]>) {
    const text = BASH.slice(0, i) + ins + BASH.slice(i);
    assert.deepEqual(mentionsOfText(file, text), mentionsOfText(`fresh/${fresh++}`, text));
    // Back to BASH: the same edit undone, so no shortcut either.
    mentionsOfText(file, BASH);
  }
  assert.equal(mentionStats.moved, moved, 'none of these edits may take the shortcut');
  // A guard that names no product, on the line before a latest-release lookup: the lookup becomes the guarded fallback.
  const ps = '$x = 1\nWrite-Host start\n$v = Invoke-RestMethod https://checkpoint-api.hashicorp.com/v1/check/nomad\n';
  const guarded = ps.replace('Write-Host start\n', 'if (-not $V) {\nWrite-Host start\n');
  mentionsOfText('shortcut/guard.ps1', ps);
  const g = mentionsOfText('shortcut/guard.ps1', guarded);
  assert.deepEqual(g, mentionsOfText(`fresh/${fresh++}`, guarded));
  assert.ok(
    g.some((m) => (m as { kind: string }).kind === 'guarded'),
    JSON.stringify(g),
  );
  // A line an install command continues onto (the line before ends in \\): the unpinned install's text grows.
  const apt = 'apt-get install -y \\\n  nomad \\\n  jq\necho done\n';
  mentionsOfText('shortcut/apt.sh', apt);
  const longer = apt.replace('  jq', '  jqx');
  assert.deepEqual(mentionsOfText('shortcut/apt.sh', longer), mentionsOfText(`fresh/${fresh++}`, longer));
  assert.equal(mentionStats.moved, moved, 'none of these edits may take the shortcut');
  // Far from every mention, on a line that names nothing: the shortcut, with the same result as a whole scan.
  const far = BASH.replace('hello\n', 'hello there\n');
  const before = mentionStats.moved;
  assert.deepEqual(mentionsOfText(file, far), mentionsOfText(`fresh/${fresh++}`, far));
  assert.equal(mentionStats.moved, before + 1);
});
