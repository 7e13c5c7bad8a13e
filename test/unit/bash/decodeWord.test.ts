import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeShWord, scanBash } from '../../../server/src/core/parsers/bash';
import { at, MappedText } from './helpers';

test('decodeShWord: quotes removed, escapes decoded, every char maps to its source', () => {
  const src = 'echo \'a $b\'"c \\"d\\" \\$e ${F:-x}"g\\ h $\'\\t\'\n';
  const r = scanBash(src);
  const w = r.commands[0]!.args[0]!;
  assert.equal(w.raw, '\'a $b\'"c \\"d\\" \\$e ${F:-x}"g\\ h');
  const source = MappedText.identity('client.sh', src);
  const mt = decodeShWord(source, w, (e) => (e.name === 'F' ? { text: 'FV' } : undefined));
  assert.equal(mt.text, 'a $bc "d" $e FVg h');
  const expected: Array<[string, number]> = [
    ['a', at(src, 'a $b')],
    ['$', at(src, '$b')],
    ['c', at(src, 'c \\"')],
    ['"', at(src, '\\"d')],
    ['d', at(src, 'd\\"')],
    ['$', at(src, '\\$e')],
    ['e', at(src, '$e') + 1],
    ['F', at(src, '${F')],
    ['g', at(src, 'g\\ ')],
    [' ', at(src, '\\ h')],
    ['h', at(src, 'h $')],
  ];
  let v = 0;
  for (const [ch, host] of expected) {
    v = mt.text.indexOf(ch, v);
    assert.equal(mt.hostOffset(v).offset, host, `char ${ch} at ${v}`);
    v++;
  }
  const tab = decodeShWord(source, r.commands[0]!.args[1]!);
  assert.equal(tab.text, '\t');
  assert.equal(tab.hostOffset(0).offset, at(src, "\\t'"));
});

test('decodeShWord keeps unresolved expansions verbatim and exact', () => {
  const src = 'curl -o "/tmp/nomad_${V}.zip" x\n';
  const w = scanBash(src).commands[0]!.args[1]!;
  const mt = decodeShWord(MappedText.identity('s', src), w);
  assert.equal(mt.text, '/tmp/nomad_${V}.zip');
  for (let v = 0; v < mt.text.length; v++) {
    assert.equal(mt.isExactAt(v), true);
    assert.equal(src[mt.hostOffset(v).offset], mt.text[v]);
  }
});
