import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHeredocBody, decodeShWord, parseSystemdUnit, scanBash, type ShScanResult } from '../../../server/src/core/parsers/bash';
import { MappedText } from './helpers';
import { growthRatio } from '../timing';

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '$',
  '(',
  ')',
  '{',
  '}',
  '`',
  "'",
  '"',
  '\\',
  '<<',
  '<<-',
  'EOF',
  '\n',
  '\r',
  '\r\n',
  ' ',
  '\t',
  ';',
  ';;',
  '&',
  '|',
  '#',
  '${',
  '$(',
  '$((',
  '%{',
  '$${',
  'if',
  'then',
  'fi',
  'case',
  'in',
  'esac',
  'for',
  'do',
  'done',
  'sed',
  '-i',
  's/a/b/',
  'cat',
  'tee',
  '>',
  '>>',
  'X=',
  '=',
  'sudo',
  'function',
  '[[',
  ']]',
  'é',
  '\u{1F600}',
];

function checkShape(r: ShScanResult, len: number): void {
  for (const list of [r.commands, r.heredocs, r.seds, r.assignments, r.comments]) {
    for (const n of list) {
      assert.ok(n.start >= 0 && n.start <= n.end && n.end <= len, `bad span ${n.start}-${n.end}`);
    }
  }
  for (const h of r.heredocs) assert.ok(h.bodyStart <= h.bodyEnd && h.bodyEnd <= len);
}

test('random garbage never throws and yields sane spans', () => {
  const rand = rng(42);
  for (let n = 0; n < 400; n++) {
    let s = '';
    const parts = 1 + Math.floor(rand() * 80);
    for (let k = 0; k < parts; k++) s += PIECES[Math.floor(rand() * PIECES.length)]!;
    for (const templated of [false, true]) {
      const r = scanBash(s, { templated });
      checkShape(r, s.length);
      const src = MappedText.identity('g.sh', s);
      for (const h of r.heredocs) decodeHeredocBody(src, h, () => ({ text: 'v' }));
      for (const c of r.commands) for (const a of c.args) decodeShWord(src, a);
    }
    parseSystemdUnit(s);
  }
});

test('unterminated constructs extract what precedes them', () => {
  const cases = [
    'cp a b\necho "unterminated',
    "cp a b\necho 'unterminated",
    'cp a b\necho $(unterminated',
    'cp a b\necho ${unterminated',
    'cp a b\necho `unterminated',
    'cp a b\necho $((1 +',
    'cp a b\ncat <<EOF > /x',
    'cp a b\ncat <<',
    'cp a b\nif true; then',
    'cp a b\ncase x in',
    'cp a b\nsed -i "s/a/',
    'cp a b\nf() {',
    'cp a b\n%{ if x',
  ];
  for (const s of cases) {
    for (const templated of [false, true]) {
      const r = scanBash(s, { templated });
      assert.equal(r.commands[0]?.name, 'cp', s);
      assert.deepEqual(
        r.commands[0]?.args.map((a) => a.literal),
        ['a', 'b'],
      );
      checkShape(r, s.length);
    }
  }
  const r = scanBash('cat <<EOF > /etc/nomad.d/x.hcl\na = 1\n');
  assert.equal(r.heredocs[0]!.terminated, false);
  assert.deepEqual(
    r.heredocs[0]!.targets.map((t) => t.literal),
    ['/etc/nomad.d/x.hcl'],
  );
});

test('deep nesting does not overflow the stack', () => {
  const depth = 50000;
  const inputs = [
    '$('.repeat(depth),
    'echo ' + '$('.repeat(depth) + ')'.repeat(depth),
    '( '.repeat(depth) + 'cp a b' + ' )'.repeat(depth),
    '{ '.repeat(depth) + 'cp a b' + '; }'.repeat(depth),
    'if true; then '.repeat(depth) + 'cp a b' + '; fi'.repeat(depth),
    'echo "' + '$(echo "'.repeat(depth),
    'echo ${'.repeat(depth),
    'x=' + '`'.repeat(depth),
    'a=('.repeat(depth),
    'case a in a) '.repeat(depth) + 'cp a b',
  ];
  for (const s of inputs) {
    const r = scanBash(s);
    checkShape(r, s.length);
    scanBash(s, { templated: true });
  }
  assert.ok(scanBash(inputs[2]!).commands.some((c) => c.name === 'cp'));
  assert.ok(scanBash(inputs[4]!).commands.some((c) => c.name === 'cp'));
});

test('CR-only line endings work like LF', () => {
  const s = 'A=1\rcat <<EOF > /etc/x\rbody $A\rEOF\rcp a b\r';
  const r = scanBash(s);
  assert.deepEqual(
    r.commands.map((c) => c.name),
    ['cat', 'cp'],
  );
  assert.deepEqual(
    r.assignments.map((a) => a.name),
    ['A'],
  );
  const h = r.heredocs[0]!;
  assert.equal(s.slice(h.bodyStart, h.bodyEnd), 'body $A\r');
  assert.deepEqual(
    h.targets.map((t) => t.literal),
    ['/etc/x'],
  );
});

const CHUNK = [
  '# comment $(not) `scanned`',
  'NOMAD_VERSION=${NOMAD_VERSION:-1.10.5}',
  'curl -sSL -o /tmp/nomad.zip "https://releases.hashicorp.com/nomad/${NOMAD_VERSION}/nomad_${NOMAD_VERSION}_linux_amd64.zip"',
  'if [ "$(uname -m)" = x86_64 ]; then sudo unzip -o /tmp/nomad.zip -d /usr/local/bin; fi',
  'cat <<EOF | sudo tee /etc/nomad.d/client.hcl >/dev/null',
  'client { enabled = true servers = ["$IP:4647"] }',
  'EOF',
  'sudo sed -i -e \'s|NODE_CLASS|"linux"|\' -e "s/IP_ADDRESS/$IP/g" /etc/nomad.d/client.hcl',
  'for s in nomad consul; do systemctl enable "$s" && systemctl restart "$s"; done',
  '',
].join('\n');

test('scan time grows linearly (small vs 10x input)', () => {
  // Large enough that timer noise and GC pauses do not decide the ratio on a loaded 2-core machine.
  const small = CHUNK.repeat(500);
  const big = small.repeat(10);
  // Equal work on both sides (see growthRatio): about 1 when linear, about 10 when quadratic.
  const ratio = growthRatio(
    () => scanBash(small),
    () => scanBash(big),
    10,
    4,
  );
  assert.ok(ratio <= 4, `10x input took ${ratio.toFixed(1)}x the time of 10 small scans`);
  const r = scanBash(big);
  assert.equal(r.heredocs.length, 100 * 50);
  assert.equal(r.seds.length, 100 * 50);
});

test('a 10 MB script scans without trouble', () => {
  const text = CHUNK.repeat(Math.ceil((10 * 1024 * 1024) / CHUNK.length));
  const r = scanBash(text);
  assert.ok(r.commands.length > 100000);
  checkShape({ ...r, commands: r.commands.slice(-10) }, text.length);
});
