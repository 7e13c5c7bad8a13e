/**
 * The incremental rescan of a bash script after a keystroke gives exactly the scan of the whole new text: checked
 * over chains of random edits (each rescan starting from the previous rescan) on the examples' scripts, a 3,000-line
 * concatenation of them and a script full of constructs that reach across lines (heredocs, several on one line,
 * `<<-`, quoted delimiters, line continuations, multi-line quotes, `$( … )`, backticks, `${ … }`, arithmetic,
 * `case … esac`, if/while/for, functions, groups, subshells, arrays, comments, CRLF).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rescanBash, scanBash } from '../../../server/src/core/parsers/bash';
import type { ShScanResult } from '../../../server/src/core/parsers/bash';
import { bashRestartPoints } from '../../../server/src/core/parsers/bash/scanner';
import { examplePath } from '../../support/paths';
import { assertKeptPrefix, runEditChain, seeds } from '../../support/editChains';

const TRICKY = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  "IP=$(hostname -I | awk '{print $1}')",
  'cat <<EOF > /etc/nomad.d/nomad.hcl',
  'datacenter = "dc1"',
  'bind_addr = "$IP"',
  'name = "$(hostname)"',
  'EOF',
  'echo done',
  'cat <<A >/tmp/a; cat <<-B | sudo tee /tmp/b',
  'a body $X',
  'A',
  '\tb body `date`',
  '\tB',
  "cat <<'RAW' >> /tmp/raw",
  'no $expansion here',
  'RAW',
  'sudo sed -i \\',
  '  -e "s/IP/$IP/" \\',
  '  /etc/consul.d/consul.hcl',
  'MSG="line one',
  'line two"',
  "OTHER='single",
  "quoted'",
  'case "$1" in',
  '  server) ROLE=server ;;',
  '  client|agent)',
  '    ROLE=client',
  '    ;;',
  '  *) echo "usage" ;;',
  'esac',
  'if [[ -f /etc/x && $ROLE == server ]]; then',
  '  systemctl enable nomad',
  'elif true; then',
  '  : "${NOMAD_VERSION:=1.7.2}"',
  'fi',
  'while read -r line; do',
  '  echo "$line" >> /tmp/out',
  'done < /tmp/in',
  'for i in 1 2 3; do (( n += i )); done',
  'install_consul() {',
  '  local v=$(( 1 + 2 ))',
  '  { echo a; echo b; } > /tmp/grp',
  '  ( cd /tmp && tar xzf consul.tgz )',
  '}',
  'function setup_dirs {',
  '  mkdir -p /opt/nomad/data',
  '}',
  'ARR=( one "two three"',
  '  four )',
  'diff <(sort a) <(sort b)',
  'OUT=`echo \\`nested\\``',
  'X=$(cat <<INNER',
  'inner body',
  'INNER',
  ')',
  'export NOMAD_ADDR=http://127.0.0.1:4646 # trailing comment',
  "cat <<'' > /tmp/empty-delim",
  'body of an empty delimiter',
  '',
  'echo after',
].join('\n');

const PALETTE = [
  'z',
  ' ',
  '\n',
  '\r\n',
  '\r',
  '"',
  "'",
  '<<EOF\n',
  '\nEOF\n',
  '<<-EOF\n',
  '\n\tEOF\n',
  "<<'EOF'\n",
  "<<''\n",
  'cat <<A <<B\n',
  '\nA\n',
  '\nB\n',
  '$(',
  '$((',
  '${',
  ')',
  '))',
  '(',
  '{',
  '}',
  '`',
  '\\\n',
  '\\',
  ';;',
  ';',
  '|',
  '&&',
  'case',
  'case x in\n',
  ' in ',
  'a) ',
  'esac',
  'esac\n',
  'fi',
  'done',
  'then\n',
  'do\n',
  'function f {\n',
  'f() ',
  'x=( ',
  '<(',
  '#',
  '# comment\n',
  '[[ ',
  ' ]]',
  'echo hi > /tmp/f\n',
  'X=1\n',
  "sed -i 's/a/b/' f\n",
];

function plain(s: ShScanResult): unknown {
  return JSON.parse(JSON.stringify(s));
}

/** Whether the rescan kept the earlier scan's records (the same objects: a full scan makes new ones). */
function keptPrefix(inc: ShScanResult, prev: ShScanResult): boolean {
  const lists = ['commands', 'comments', 'assignments', 'heredocs', 'seds'] as const;
  return lists.some((k) => inc[k].length > 0 && inc[k][0] === prev[k][0]);
}

/** Applies `steps` random edits to `text`, checking each rescan (and its restart points) against a full scan. */
function check(name: string, text: string, seed: number, steps: number): { resumed: number; steps: number } {
  return runEditChain<ShScanResult>({
    name,
    text,
    seed,
    steps,
    palette: PALETTE,
    // One edit in ten at the end: constructs left open there (an unterminated heredoc) must not be kept as they were.
    atEnd: 0.1,
    full: (t) => scanBash(t),
    rescan: (t, prev) => rescanBash(t, undefined, prev),
    compare: (inc, full, where) => {
      assert.deepStrictEqual(plain(inc), plain(full), where);
      // The restart points a rescan records are those of a full scan (the next rescan starts from them).
      assert.deepStrictEqual(bashRestartPoints(inc), bashRestartPoints(full), `${where}: restart points`);
    },
    keptPrefix,
  });
}

test('rescan equals a full scan over random edits of the tricky script (500 chains of 20 edits)', () => {
  assertKeptPrefix(
    seeds(500).map((seed) => check('tricky', TRICKY, seed, 20)),
    1 / 4,
  );
});

test('rescan equals a full scan on the tricky script with CRLF line ends (200 chains of 20 edits)', () => {
  const crlf = TRICKY.replace(/\n/g, '\r\n');
  assertKeptPrefix(
    seeds(200).map((seed) => check('tricky CRLF', crlf, seed * 31, 20)),
    1 / 4,
  );
});

test('rescan equals a full scan on the examples and a 3,000-line script; most keystrokes keep a prefix', () => {
  const files: Array<[string, string]> = [];
  for (const ex of ['windows-only', 'mixed-os']) {
    const dir = path.join(examplePath(ex), 'shared/packer/scripts');
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.sh')) files.push([`${ex}/${f}`, fs.readFileSync(path.join(dir, f), 'utf8')]);
  }
  let long = '';
  for (let k = 0; long.split('\n').length < 3000; k++) long += files[k % files.length]![1];
  files.push(['3,000 lines', long]);
  assertKeptPrefix(
    files.flatMap(([name, text]) => seeds(text.length > 50_000 ? 3 : 8).map((seed) => check(name, text, seed * 7919, 15))),
    1 / 2,
  );
});

test('restart points: line starts outside case, heredoc bodies and multi-line words; none after a lone CR', () => {
  const src = ['a=1', 'cat <<EOF', 'body', 'EOF', 'case $x in', '  y) b=2 ;;', 'esac', 'M="one', 'two"', 'c=3 \\', '  d=4', 'e=5\rf=6', 'g=7'].join('\n');
  const points = bashRestartPoints(scanBash(src))!;
  const line = (s: string): number => src.indexOf(s);
  assert.deepEqual(points, [line('cat <<EOF'), line('case $x'), line('M="one'), line('c=3'), line('e=5'), line('g=7')]);
  // A keystroke in the body of the heredoc restarts at the line of its operator.
  const at = src.indexOf('body') + 2;
  const next = src.slice(0, at) + '$X' + src.slice(at);
  const inc = rescanBash(next, undefined, { text: src, scan: scanBash(src) });
  assert.deepStrictEqual(plain(inc), plain(scanBash(next)));
  assert.equal(bashRestartPoints(scanBash(src, { templated: true })), undefined);
});

test('engine: keystrokes in a bash script give the findings of a cold analysis of the same text', async () => {
  const os = await import('node:os');
  const { Workspace } = await import('../../../server/src/core/engine');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hsr-sh-rescan-'));
  try {
    const live = path.join(tmp, 'live');
    const cold = path.join(tmp, 'cold');
    fs.cpSync(examplePath('windows-only'), live, { recursive: true });
    fs.cpSync(examplePath('windows-only'), cold, { recursive: true });
    const script = 'shared/packer/scripts/client.sh';
    const ws = await Workspace.load(live);
    ws.analyze();
    let text = ws.sourceText(script)!.text;
    // Typing in a heredoc body, breaking its delimiter (the body runs to the end) and mending it, then a new line.
    const body = text.indexOf('  token   = ');
    const delim = text.lastIndexOf('EOF2\n');
    const edits: Array<(t: string) => string> = [
      (t) => t.slice(0, body) + '  tls = true\n' + t.slice(body),
      (t) => t.slice(0, t.lastIndexOf('EOF2\n') + 3) + t.slice(t.lastIndexOf('EOF2\n') + 4),
      (t) => t.slice(0, t.lastIndexOf('EOF\nsudo chmod') + 3) + '2' + t.slice(t.lastIndexOf('EOF\nsudo chmod') + 3),
      (t) => t + 'sudo sed -i "s|X|${NODE_CLASS}|g" /etc/nomad.d/nomad.hcl\n',
    ];
    assert.ok(body > 0 && delim > body);
    const findings = (r: ReturnType<typeof ws.analyze>): string =>
      JSON.stringify(r.findings.map((f) => [f.ruleId, f.severity, f.span.file, f.span.start, f.span.end, f.message]));
    for (const edit of edits) {
      text = edit(text);
      ws.setText(script, text);
      fs.writeFileSync(path.join(cold, script), text);
      const reference = (await Workspace.load(cold)).analyze();
      assert.equal(findings(ws.analyze()), findings(reference));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
