import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';
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

type Mentions = ReturnType<typeof mentionsOfText>;

function compareChain(name: string, text: string, seed: number): { resumed: number; steps: number } {
  let movedBefore = 0;
  return runEditChain<Mentions>({
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
    full: (t) => mentionsOfText(t),
    rescan: (t, prev) => {
      movedBefore = mentionStats.moved;
      return mentionsOfText(t, { text: prev.text, mentions: prev.scan });
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

/** The mentions of `text` after an edit of `before`, checked against a whole scan; whether the shortcut was taken. */
function after(before: string, text: string): { mentions: Mentions; moved: boolean } {
  const previous = { text: before, mentions: mentionsOfText(before) };
  const n = mentionStats.moved;
  const mentions = mentionsOfText(text, previous);
  assert.deepEqual(mentions, mentionsOfText(text));
  return { mentions, moved: mentionStats.moved > n };
}

test('version mentions: an edit on a line that names a product, next to a mention or continuing an install line scans the whole text', () => {
  const at = (s: string) => BASH.indexOf(s);
  // On the URL's line, in the continued install line, inside a guard's window, a new comment marker.
  for (const [i, ins] of [
    [at('consul.zip'), 'x'],
    [at('  jq'), ' nomad'],
    [at('  curl \\'), 'x'],
    [at('for i in'), '# '],
  ] as Array<[number, string]>)
    assert.equal(after(BASH, BASH.slice(0, i) + ins + BASH.slice(i)).moved, false, ins);
  // A guard that names no product, two lines before a latest-release lookup: the lookup becomes the guarded fallback.
  const ps = '$x = 1\nWrite-Host start\n$v = Invoke-RestMethod https://checkpoint-api.hashicorp.com/v1/check/nomad\n';
  const g = after(ps, ps.replace('Write-Host start\n', 'if (-not $V) {\nWrite-Host start\n'));
  assert.equal(g.moved, false);
  assert.ok(
    g.mentions.some((m) => m.kind === 'guarded'),
    JSON.stringify(g.mentions),
  );
  // A line an install command continues onto (the line before ends in \): the unpinned install's text grows.
  const apt = 'apt-get install -y \\\n  nomad \\\n  jq\necho done\n';
  assert.equal(after(apt, apt.replace('  jq', '  jqx')).moved, false);
  // Far from every mention, on a line that names nothing: the shortcut, with the same result as a whole scan.
  assert.equal(after(BASH, BASH.replace('hello\n', 'hello there\n')).moved, true);
});

test('version mentions: the engine moves them along one PowerShell script’s chain of resumed scans, never into a new workspace', () => {
  const file = 'shared/packer/scripts/win.ps1';
  const base = [
    'param([string]$NomadVersion = "1.7.2")',
    'Invoke-WebRequest -Uri "https://releases.hashicorp.com/nomad/$NomadVersion/nomad_$($NomadVersion)_windows_amd64.zip" -OutFile nomad.zip',
    ...Array.from({ length: 40 }, (_, i) => `Write-Host "step ${i}"`),
    '',
  ].join('\n');
  const ws = new Workspace('/tmp/hsr-version-mentions');
  ws.setText(file, base);
  const first = ws.analyze().versions;
  const n = mentionStats.moved;
  ws.setText(file, base.replace('"step 30"', '"step 30 done"'));
  const edited = ws.analyze().versions;
  assert.equal(mentionStats.moved, n + 1, 'a keystroke far from the download takes the shortcut');
  assert.deepEqual(edited, first);
  // The same text in a fresh workspace: scanned whole (cold analyses measure the whole work).
  const scanned = mentionStats.scanned;
  const other = new Workspace('/tmp/hsr-version-mentions-2');
  other.setText(file, base.replace('"step 30"', '"step 30 done"'));
  assert.deepEqual(other.analyze().versions, edited);
  assert.equal(mentionStats.moved, n + 1);
  assert.ok(mentionStats.scanned > scanned);
});
