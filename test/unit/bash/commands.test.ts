import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanBash } from '../../../server/src/core/parsers/bash';
import { at } from './helpers';

const names = (src: string): string[] => scanBash(src).commands.map((c) => c.name);

test('commands inside if/elif/else, loops, case, subshells, groups and functions', () => {
  const src = [
    'if [[ -z "$X" && $Y < 3 ]]; then curl -L -o /tmp/n.zip "$URL"',
    'elif test -f /a; then wget -q https://x/y.zip',
    'else unzip -o /tmp/n.zip -d /usr/local/bin; fi',
    'for f in a b c; do cp "$f" /etc/nomad.d/; done',
    'for ((i=0; i<3; i++)); do mv a b; done',
    'while read -r line; do install -m 0755 nomad /usr/local/bin/nomad; done < /tmp/list',
    'until systemctl is-active nomad; do sleep 1; done',
    'case "$ROLE" in',
    '  server|both) systemctl enable nomad ;;',
    '  (client) systemctl start consul;;',
    '  *) echo unknown ;;',
    'esac',
    '(cd /opt && chown -R nomad:nomad nomad) | logger',
    '{ mkdir -p /opt/nomad/data; } > /dev/null',
    'setup() {',
    '  apt-get install -y nomad=1.10.5-1 consul=1.21.4-1',
    '}',
    'function restart_all { systemctl restart nomad; }',
    'function stop_all() {',
    '  systemctl stop nomad && systemctl stop consul || true',
    '}',
    'ok=$(echo hi) && echo "$ok" & wait',
    '',
  ].join('\n');
  assert.deepEqual(names(src), [
    '[[',
    'curl',
    'test',
    'wget',
    'unzip',
    'cp',
    'mv',
    'read',
    'install',
    'systemctl',
    'sleep',
    'systemctl',
    'systemctl',
    'echo',
    'cd',
    'chown',
    'logger',
    'mkdir',
    'apt-get',
    'systemctl',
    'systemctl',
    'systemctl',
    'true',
    'echo',
    'echo',
    'wait',
  ]);
  const r = scanBash(src);
  const curl = r.commands.find((c) => c.name === 'curl')!;
  assert.deepEqual(
    curl.args.map((a) => a.raw),
    ['-L', '-o', '/tmp/n.zip', '"$URL"'],
  );
  assert.equal(curl.nameStart, at(src, 'curl'));
  assert.equal(curl.end, at(src, '"$URL"') + 6);
  const apt = r.commands.find((c) => c.name === 'apt-get')!;
  assert.deepEqual(
    apt.args.map((a) => a.literal),
    ['install', '-y', 'nomad=1.10.5-1', 'consul=1.21.4-1'],
  );
  const en = r.commands.filter((c) => c.name === 'systemctl').map((c) => c.args.map((a) => a.literal).join(' '));
  assert.deepEqual(en, ['is-active nomad', 'enable nomad', 'start consul', 'restart nomad', 'stop nomad', 'stop consul']);
  const whileRead = r.commands.find((c) => c.name === 'read')!;
  assert.deepEqual(whileRead.redirects, []);
  // no assignment made from `i=0` inside ((…)), but ok=… persists
  assert.deepEqual(
    r.assignments.map((a) => a.name),
    ['ok'],
  );
});

test('sudo options, redirects with fds and echo > file', () => {
  const src =
    'sudo -u nomad -E nomad agent -dev 2>&1 >>/var/log/n.log\necho "server = true" > /etc/nomad.d/s.hcl 2>/dev/null\nexec &> /var/log/user-data.log\n';
  const r = scanBash(src);
  const [n, e, x] = r.commands;
  assert.equal(n!.name, 'nomad');
  assert.equal(n!.sudo, true);
  assert.deepEqual(
    n!.args.map((a) => a.literal),
    ['agent', '-dev'],
  );
  assert.deepEqual(
    n!.redirects.map((d) => [d.op, d.target.literal, d.start, d.end]),
    [['>>', '/var/log/n.log', at(src, '>>/var'), at(src, '.log\n') + 4]],
  );
  assert.equal(e!.name, 'echo');
  assert.deepEqual(
    e!.redirects.map((d) => [d.op, d.target.literal]),
    [
      ['>', '/etc/nomad.d/s.hcl'],
      ['2>', '/dev/null'],
    ],
  );
  assert.equal(x!.name, 'exec');
  assert.deepEqual(
    x!.redirects.map((d) => [d.op, d.rawOp, d.target.literal]),
    [['&>', '&>', '/var/log/user-data.log']],
  );
});

test('comments: only at word starts', () => {
  const src = '# header\necho a#b ${#x} # trailing\n  #indented\n';
  const r = scanBash(src);
  assert.deepEqual(
    r.comments.map((c) => [c.text, c.start, c.end]),
    [
      ['# header', 0, 8],
      ['# trailing', at(src, '# trailing'), at(src, '# trailing') + 10],
      ['#indented', at(src, '#indented'), at(src, '#indented') + 9],
    ],
  );
  assert.deepEqual(
    r.commands[0]!.args.map((a) => a.raw),
    ['a#b', '${#x}'],
  );
});

test("quoting: single, double, $'…', backslashes, line continuation", () => {
  const src = 'printf \'%s\\n\' "a \\"b\\" \\$c" $\'x\\ty\' d\\ e \\\n  f\n';
  const r = scanBash(src);
  const p = r.commands[0]!;
  assert.deepEqual(
    p.args.map((a) => a.literal),
    ['%s\\n', 'a "b" $c', 'x\ty', 'd e', 'f'],
  );
  assert.equal(p.end, src.length - 1);
});

test('commands inside backticks and $(…) in double quotes are found', () => {
  const src = 'IP=`hostname -I | awk \'{print $1}\'`\nV="$(curl -s https://checkpoint-api.hashicorp.com/v1/check/nomad | jq -r .current_version)"\n';
  assert.deepEqual(names(src), ['hostname', 'awk', 'curl', 'jq']);
});
