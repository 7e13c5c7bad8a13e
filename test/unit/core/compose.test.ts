import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { interpolateCompose, parseComposeFile, parseDotEnv, splitShellWords } from '../../../server/src/core/parsers/compose';
import { classifyFile } from '../../../server/src/core/workspace/fileKinds';

test('compose file kind: Compose names and .env; other YAML stays unread, cloud-init YAML stays a template', () => {
  for (const n of ['docker-compose.yml', 'a/docker-compose.server.yaml', 'compose.yaml', 'compose.override.yml', 'deploy/compose-init.yml'])
    assert.equal(classifyFile(n), 'compose', n);
  assert.equal(classifyFile('stack/.env'), 'dotenv');
  assert.equal(classifyFile('composer.yml'), undefined);
  assert.equal(classifyFile('config.yml'), undefined);
  assert.equal(classifyFile('cloud-init.yaml'), 'template');
});

test('compose parse: string and list commands with their positions', () => {
  const text = [
    'version: "3.8"',
    'services:',
    '  # the agent',
    '  "nomad":',
    '    image: hashicorp/nomad:1.9',
    '    command: >',
    '      nomad agent',
    '      -config "/etc/nomad d"',
    '  other:',
    '    entrypoint:',
    '      - /bin/consul',
    "      - 'agent'",
    '    command: ["-datacenter=dc1"]',
    '',
  ].join('\n');
  const p = parseComposeFile(text);
  assert.equal(p.error, undefined);
  assert.deepEqual(
    p.services.map((s) => s.name),
    ['nomad', 'other'],
  );
  const [nomad, other] = p.services as [(typeof p.services)[0], (typeof p.services)[0]];
  assert.equal(nomad.image, 'hashicorp/nomad:1.9');
  assert.equal(text.slice(nomad.nameStart, nomad.nameEnd), 'nomad');
  assert.equal(nomad.command!.form, 'string');
  assert.deepEqual(
    nomad.command!.words.map((w) => [w.text, text.slice(w.start, w.end), w.exact]),
    [
      ['nomad', 'nomad', true],
      ['agent', 'agent', true],
      ['-config', '-config', true],
      ['/etc/nomad d', '/etc/nomad d', true],
    ],
  );
  assert.equal(other.entrypoint!.form, 'list');
  assert.deepEqual(
    [...other.entrypoint!.words, ...other.command!.words].map((w) => text.slice(w.start, w.end)),
    ['/bin/consul', 'agent', '-datacenter=dc1'],
  );
});

test('compose parse: malformed, non-mapping, huge and binary-looking texts never throw', () => {
  assert.match(parseComposeFile('services:\n  a: [\n').error ?? '', /^malformed YAML/);
  assert.match(parseComposeFile('a: 1\n---\nb: 2\n').error ?? '', /^malformed YAML/);
  assert.deepEqual(parseComposeFile('- just\n- a list\n'), { services: [] });
  assert.deepEqual(parseComposeFile(''), { services: [] });
  assert.deepEqual(parseComposeFile('services: [1, 2]\n'), { services: [] });
  assert.match(parseComposeFile('#'.repeat(2 * 1024 * 1024)).error ?? '', /over/);
  const binary = parseComposeFile('services:\n  a:\n    command: "\u0000\u0001\u0002"\n');
  assert.ok(Array.isArray(binary.services));
  // Deep nesting is refused by js-yaml's maxDepth, as an error.
  assert.match(parseComposeFile(`${'['.repeat(200)}${']'.repeat(200)}`).error ?? '', /malformed YAML/);
  // Aliases do not multiply work: a service taken from an anchor points at its name.
  const anchored = 'x-agent: &agent\n  command: nomad agent -region=west\nservices:\n  n:\n    <<: *agent\n';
  const s = parseComposeFile(anchored).services[0]!;
  assert.deepEqual(
    s.command!.words.map((w) => [w.text, w.exact, anchored.slice(w.start, w.end)]),
    [
      ['nomad', false, 'n'],
      ['agent', false, 'n'],
      ['-region=west', false, 'n'],
    ],
  );
});

test('shell words: quotes, escapes and ${…} with blanks stay in one word', () => {
  assert.deepEqual(
    splitShellWords(`a 'b c' "d \\"e\\"" f\\ g -x=\${X:-a b}`).map((w) => w.text),
    ['a', 'b c', 'd "e"', 'f g', '-x=${X:-a b}'],
  );
});

test('interpolation: only .env values are known; $$ is a literal $', () => {
  const env = parseDotEnv('A=1\nEMPTY=\n# c\nexport Q="x y" # note\nS=\'lit $A\'\n');
  assert.deepEqual(
    [...env],
    [
      ['A', '1'],
      ['EMPTY', ''],
      ['Q', 'x y'],
      ['S', 'lit $A'],
    ],
  );
  const known = (w: string) => {
    const r = interpolateCompose(w, env, '.env');
    return 'text' in r ? r.text : `unknown: ${r.unknown}`;
  };
  assert.equal(known('$A-${A}'), '1-1');
  assert.equal(known('${EMPTY:-d}'), 'd');
  assert.equal(known('${EMPTY-d}'), '');
  assert.equal(known('${A:+alt}'), 'alt');
  assert.equal(known('${EMPTY:+alt}'), '');
  assert.equal(known('$$A'), '$A');
  assert.equal(known('${EMPTY:-${A}}'), '1');
  assert.match(
    known('${B:-d}'),
    /^unknown: B is read from the environment .*\(\.env\), which does not set it \(its default "d" applies only when B is not set\)/,
  );
  assert.match(known('${EMPTY:?need it}'), /^unknown: EMPTY is empty in \.env: docker compose stops with "need it"/);
  const none = interpolateCompose('$B', undefined, 'x/.env');
  assert.ok('unknown' in none && /\(x\/\.env\), which does not exist/.test(none.unknown));
});
