/**
 * Property 2: position mapping of decoded PowerShell string literals
 * (`decodePsString`) and bash heredoc bodies (`decodeHeredocBody`) found in
 * mutated example scripts: every virtual offset v in [0, text.length] maps
 * (`hostOffset`, both biases) inside the host text, and the mapping is
 * non-decreasing in v; `toHost` spans are in bounds and ordered.
 *
 * Inputs tried (fixed seed): 300 mutated .ps1 files (plain and templated scans,
 * every string literal of each) + 300 mutated .sh files (plain and templated,
 * every heredoc of each) = 600 generated scripts; plus every unmutated example script.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePsString, scanPowerShell } from '../../../server/src/core/parsers/powershell';
import { decodeHeredocBody, scanBash } from '../../../server/src/core/parsers/bash';
import { MappedText } from '../../../server/src/core/text/mappedText';
import { ALL_FILES, SEED, mutatedFile } from './helpers';

const PS_FILES = ALL_FILES.filter((f) => f.rel.endsWith('.ps1'));
const SH_FILES = ALL_FILES.filter((f) => f.rel.endsWith('.sh'));

/** Checks one decoded text; returns the number of virtual offsets checked. */
function checkMapping(m: MappedText, host: string, file: string, label: string): number {
  for (const bias of ['start', 'end'] as const) {
    let prev = -1;
    for (let v = 0; v <= m.text.length; v++) {
      const h = m.hostOffset(v, bias);
      // An empty decoded text has no segments: hostOffset then answers { file: '', offset: 0 } by contract.
      if (m.text.length > 0) assert.equal(h.file, file, `${label}: v=${v} (${bias}) maps to file ${JSON.stringify(h.file)}`);
      assert.ok(
        Number.isInteger(h.offset) && h.offset >= 0 && h.offset <= host.length,
        `${label}: v=${v} (${bias}) maps to ${h.offset}, host length ${host.length}`,
      );
      assert.ok(h.offset >= prev, `${label}: mapping decreases at v=${v} (${bias}): ${prev} -> ${h.offset}`);
      prev = h.offset;
    }
  }
  const n = m.text.length;
  for (const [s, e] of [
    [0, n],
    [0, Math.floor(n / 2)],
    [Math.floor(n / 3), n],
  ] as const) {
    const span = m.toHost(s, e);
    assert.ok(
      span.start >= 0 && span.start <= span.end && span.end <= host.length,
      `${label}: toHost(${s}, ${e}) = [${span.start}, ${span.end}) outside [0, ${host.length}]`,
    );
  }
  return (n + 1) * 2;
}

function checkPs(text: string, label: string): number {
  let offsets = 0;
  for (const templated of [false, true]) {
    const scan = scanPowerShell(text, { templated });
    for (const lit of scan.strings) {
      const src = MappedText.identity('f.ps1', text);
      let m: MappedText;
      try {
        m = decodePsString(src, lit);
      } catch (e) {
        assert.fail(`decodePsString threw on ${label} literal [${lit.start}, ${lit.end}) templated=${templated}: ${(e as Error)?.stack ?? e}`);
      }
      offsets += checkMapping(m, text, 'f.ps1', `${label} PS literal [${lit.start},${lit.end}) templated=${templated}`);
    }
  }
  return offsets;
}

function checkSh(text: string, label: string): number {
  let offsets = 0;
  for (const templated of [false, true]) {
    const scan = scanBash(text, { templated });
    for (const doc of scan.heredocs) {
      const src = MappedText.identity('f.sh', text);
      let m: MappedText;
      try {
        m = decodeHeredocBody(src, doc);
      } catch (e) {
        assert.fail(`decodeHeredocBody threw on ${label} heredoc [${doc.bodyStart}, ${doc.bodyEnd}) templated=${templated}: ${(e as Error)?.stack ?? e}`);
      }
      offsets += checkMapping(m, text, 'f.sh', `${label} heredoc <<${doc.delimiter} templated=${templated}`);
    }
  }
  return offsets;
}

test('fuzz/mapping: unmutated example scripts map every decoded offset in order', () => {
  let n = 0;
  for (const f of PS_FILES) n += checkPs(f.text, `${f.tree}/${f.rel}`);
  for (const f of SH_FILES) n += checkSh(f.text, `${f.tree}/${f.rel}`);
  assert.ok(n > 1000, `only ${n} virtual offsets checked: no literals/heredocs found?`);
});

test('fuzz/mapping: PowerShell string literals in mutated scripts (300 runs)', () => {
  fc.assert(
    fc.property(mutatedFile(PS_FILES), (f) => {
      checkPs(f.text, `mutated ${f.tree}/${f.rel}`);
    }),
    { seed: SEED + 2, numRuns: 300, endOnFailure: true, includeErrorInReport: true },
  );
});

test('fuzz/mapping: bash heredoc bodies in mutated scripts (300 runs)', () => {
  fc.assert(
    fc.property(mutatedFile(SH_FILES), (f) => {
      checkSh(f.text, `mutated ${f.tree}/${f.rel}`);
    }),
    { seed: SEED + 3, numRuns: 300, endOnFailure: true, includeErrorInReport: true },
  );
});
