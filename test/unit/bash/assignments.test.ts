import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanBash } from '../../../server/src/core/parsers/bash';
import { at } from './helpers';

test('plain, defaulted, exported, readonly, local, declare assignments', () => {
  const src = [
    'NOMAD_VERSION=1.10.5',
    'CONSUL_VERSION=${CONSUL_VERSION:-"1.21.4"}',
    'export X="y z"',
    'readonly R=1 S',
    'f() { local l=$(hostname); }',
    'declare -r D=4',
    'declare -x E=5',
    'export PATH',
    'A=1 B=2',
    'Z=${Z:=dflt}',
    '',
  ].join('\n');
  const r = scanBash(src);
  assert.deepEqual(
    r.assignments.map((a) => [a.name, a.value?.raw, a.value?.literal, a.exported, a.declaredBy]),
    [
      ['NOMAD_VERSION', '1.10.5', '1.10.5', false, undefined],
      ['CONSUL_VERSION', '${CONSUL_VERSION:-"1.21.4"}', undefined, false, undefined],
      ['X', '"y z"', 'y z', true, 'export'],
      ['R', '1', '1', false, 'readonly'],
      ['S', undefined, undefined, false, 'readonly'],
      ['l', '$(hostname)', undefined, false, 'local'],
      ['D', '4', '4', false, 'declare'],
      ['E', '5', '5', true, 'declare'],
      ['PATH', undefined, undefined, true, 'export'],
      ['A', '1', '1', false, undefined],
      ['B', '2', '2', false, undefined],
      ['Z', '${Z:=dflt}', undefined, false, undefined],
    ],
  );
  const nv = r.assignments[0]!;
  assert.deepEqual([nv.start, nv.end, nv.nameStart, nv.nameEnd, nv.value?.start, nv.value?.end], [0, 20, 0, 13, 14, 20]);
  const cv = r.assignments[1]!;
  assert.deepEqual(
    cv.value?.expansions.map((e) => [e.name, e.defaultValue, e.start, e.end]),
    [['CONSUL_VERSION', '1.21.4', at(src, '${CONSUL'), at(src, '}\nexport') + 1]],
  );
  assert.equal(r.assignments[11]!.value?.expansions[0]?.defaultValue, 'dflt');
  const x = r.assignments[2]!;
  assert.equal(x.nameStart, at(src, 'X="'));
  assert.equal(x.value?.start, at(src, '"y z"'));
});

test('prefix assignments do not persist: listed on the command only', () => {
  const src = 'DEBIAN_FRONTEND=noninteractive apt-get install -y nomad=1.10.5-1\nsudo env A=1 B=2 nomad version\n';
  const r = scanBash(src);
  assert.equal(r.assignments.length, 0);
  const [apt, nomad] = r.commands;
  assert.equal(apt!.name, 'apt-get');
  assert.equal(apt!.start, 0);
  assert.deepEqual(
    apt!.envAssignments?.map((a) => [a.name, a.value?.literal]),
    [['DEBIAN_FRONTEND', 'noninteractive']],
  );
  assert.deepEqual(
    apt!.args.map((a) => a.literal),
    ['install', '-y', 'nomad=1.10.5-1'],
  );
  assert.equal(nomad!.name, 'nomad');
  assert.equal(nomad!.sudo, true);
  assert.deepEqual(
    nomad!.envAssignments?.map((a) => a.name),
    ['A', 'B'],
  );
});

test('expansion forms: $VAR, ${#x}, $1, arithmetic, nested command substitution, defaults', () => {
  const src = 'echo $A ${#B} $1 $((C + 1)) "$(dirname "$(readlink -f $0)")" ${D-x} a#b ${E:-$F}\n';
  const r = scanBash(src);
  const echo = r.commands.find((c) => c.name === 'echo')!;
  const exps = echo.args.flatMap((a) => a.expansions.map((e) => [e.name, e.command, e.defaultValue ?? null]));
  assert.deepEqual(exps, [
    ['A', false, null],
    ['B', false, null],
    ['1', false, null],
    ['C + 1', false, null],
    ['dirname "$(readlink -f $0)"', true, null],
    ['D', false, 'x'],
    ['E', false, '$F'],
  ]);
  assert.equal(echo.args[6]!.literal, 'a#b');
  assert.equal(r.comments.length, 0);
  assert.deepEqual(
    r.commands.map((c) => c.name),
    ['echo', 'dirname', 'readlink'],
  );
});
