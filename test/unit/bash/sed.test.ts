import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanBash } from '../../../server/src/core/parsers/bash';
import { at } from './helpers';

test('sed -i with a double-quoted placeholder substitution', () => {
  const src = 'sed -i "s/IP_ADDRESS/$IP_ADDRESS/g" /etc/nomad.d/nomad.hcl\n';
  const r = scanBash(src);
  assert.equal(r.seds.length, 1);
  const s = r.seds[0]!;
  assert.equal(s.inPlace, true);
  assert.equal(s.backupSuffix, undefined);
  assert.deepEqual(
    s.files.map((f) => f.literal),
    ['/etc/nomad.d/nomad.hcl'],
  );
  const sub = s.substitutions[0]!;
  assert.equal(sub.pattern, 'IP_ADDRESS');
  assert.equal(sub.replacement, '$IP_ADDRESS');
  assert.equal(sub.flags, 'g');
  assert.equal(sub.start, 8);
  assert.equal(sub.end, 34);
  assert.equal(sub.patternStart, 10);
  assert.equal(sub.patternEnd, 20);
  assert.equal(sub.replacementStart, 21);
  assert.equal(sub.replacementEnd, 32);
  assert.equal(src.slice(sub.patternStart, sub.patternEnd), 'IP_ADDRESS');
  assert.deepEqual(
    sub.expansions.map((e) => [e.name, e.start, e.end]),
    [['IP_ADDRESS', 21, 32]],
  );
});

test('multiple -e, custom delimiters, several files, sudo and -i.bak', () => {
  const src = 'sudo sed -i.bak -e \'s|A|B|\' -e "s@C@$D@" f1 f2\n';
  const r = scanBash(src);
  const s = r.seds[0]!;
  assert.equal(s.command?.sudo, true);
  assert.equal(s.inPlace, true);
  assert.equal(s.backupSuffix, '.bak');
  assert.deepEqual(
    s.files.map((f) => f.literal),
    ['f1', 'f2'],
  );
  assert.deepEqual(
    s.substitutions.map((x) => [x.delimiter, x.pattern, x.replacement, x.patternStart, x.replacementStart, x.replacementEnd]),
    [
      ['|', 'A', 'B', at(src, 'A|'), at(src, 'B|'), at(src, 'B|') + 1],
      ['@', 'C', '$D', at(src, 'C@'), at(src, '$D'), at(src, '$D') + 2],
    ],
  );
  assert.deepEqual(
    s.substitutions[1]!.expansions.map((e) => e.name),
    ['D'],
  );
});

test('escaped delimiters keep offsets; unescaped variants provided', () => {
  const src = "sed -i 's/\\/opt\\/nomad/\\/var\\/lib\\/nomad/' /etc/nomad.d/a.hcl\n";
  const r = scanBash(src);
  const sub = r.seds[0]!.substitutions[0]!;
  assert.equal(sub.pattern, '\\/opt\\/nomad');
  assert.equal(sub.patternUnescaped, '/opt/nomad');
  assert.equal(sub.replacementUnescaped, '/var/lib/nomad');
  assert.equal(src.slice(sub.patternStart, sub.patternEnd), sub.pattern);
  assert.equal(src.slice(sub.replacementStart, sub.replacementEnd), sub.replacement);
});

test('escaped quote inside double quotes shifts the mapping correctly', () => {
  const src = 'sed -i "s/RETRY_JOIN/\\"provider=aws tag_key=$K\\"/" /etc/nomad.d/client.hcl\n';
  const r = scanBash(src);
  const sub = r.seds[0]!.substitutions[0]!;
  assert.equal(sub.pattern, 'RETRY_JOIN');
  assert.equal(sub.replacement, '"provider=aws tag_key=$K"');
  assert.equal(sub.replacementStart, at(src, '\\"provider'));
  assert.equal(sub.replacementEnd, at(src, '\\"/"') + 2);
  assert.equal(src.slice(sub.patternStart, sub.patternEnd), 'RETRY_JOIN');
  assert.deepEqual(
    sub.expansions.map((e) => [e.name, e.start]),
    [['K', at(src, '$K')]],
  );
});

test('expression without -e, script with ; and addresses, -E, --in-place', () => {
  const src = "sed -E --in-place '/^#/d; 3s/NODE_CLASS/linux/;s,a,b,2' x.hcl\nsed 's/x/y/' in > out\n";
  const r = scanBash(src);
  assert.equal(r.seds.length, 2);
  const [a, b] = r.seds;
  assert.equal(a!.inPlace, true);
  assert.deepEqual(
    a!.substitutions.map((x) => [x.pattern, x.replacement, x.flags]),
    [
      ['NODE_CLASS', 'linux', ''],
      ['a', 'b', '2'],
    ],
  );
  assert.equal(a!.substitutions[0]!.patternStart, at(src, 'NODE_CLASS'));
  assert.deepEqual(
    a!.files.map((f) => f.literal),
    ['x.hcl'],
  );
  assert.equal(b!.inPlace, false);
  assert.deepEqual(
    b!.files.map((f) => f.literal),
    ['in'],
  );
  assert.equal(b!.substitutions[0]!.start, at(src, 's/x/y/'));
});

test('sed with mixed quoting in one word and -e attached', () => {
  const src = 'sed -i -e"s/DC/"$DC"/" -es/X/Y/ f\n';
  const r = scanBash(src);
  const subs = r.seds[0]!.substitutions;
  assert.deepEqual(
    subs.map((s) => [s.pattern, s.replacement]),
    [
      ['DC', '$DC'],
      ['X', 'Y'],
    ],
  );
  assert.equal(subs[0]!.replacementStart, at(src, '$DC'));
  assert.equal(subs[0]!.replacementEnd, at(src, '$DC') + 3);
  assert.equal(subs[1]!.patternStart, at(src, 'X/Y'));
});
