/**
 * Property 1: no parser throws, and every offset pair in its output lies in
 * [0, text.length] with start <= end.
 *
 * Inputs tried (fixed seed, see helpers.SEED):
 *  - mutated example files (every file of examples/windows-only and examples/mixed-os):
 *    600 runs; each run feeds the mutated file to every parser that reads its kind
 *    (HCL: hcl1 + hcl2 + template; scripts: scanner plain + templated + template; json: parseJsonConfig)
 *  - random hostile text: 400 runs, each fed to all 7 parser entry points
 *  - every unmutated example file: once per parser (sanity baseline)
 * Total: 1,000 generated inputs (+ the ~50 example files), ≈ 3,700 parser calls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseHcl, parseJsonConfig, parseTemplate } from '../../../server/src/core/parsers/hcl';
import { scanPowerShell } from '../../../server/src/core/parsers/powershell';
import { scanBash, parseSystemdUnit } from '../../../server/src/core/parsers/bash';
import { ALL_FILES, SEED, assertOffsetsInBounds, hostileText, mutatedFile } from './helpers';

type Parser = { name: string; run: (text: string) => unknown };

const HCL1: Parser = { name: 'parseHcl(hcl1)', run: (t) => parseHcl(t, 'hcl1') };
const HCL2: Parser = { name: 'parseHcl(hcl2)', run: (t) => parseHcl(t, 'hcl2') };
const JSONC: Parser = { name: 'parseJsonConfig', run: (t) => parseJsonConfig(t) };
const TEMPLATE: Parser = { name: 'parseTemplate', run: (t) => parseTemplate(t) };
const PS: Parser = { name: 'scanPowerShell', run: (t) => scanPowerShell(t) };
const PS_T: Parser = { name: 'scanPowerShell(templated)', run: (t) => scanPowerShell(t, { templated: true }) };
const SH: Parser = { name: 'scanBash', run: (t) => scanBash(t) };
const SH_T: Parser = { name: 'scanBash(templated)', run: (t) => scanBash(t, { templated: true }) };
const SYSTEMD: Parser = { name: 'parseSystemdUnit', run: (t) => parseSystemdUnit(t) };
const ALL_PARSERS = [HCL1, HCL2, JSONC, TEMPLATE, PS, PS_T, SH, SH_T, SYSTEMD];

function parsersFor(rel: string): Parser[] {
  if (rel.endsWith('.ps1')) return [PS, PS_T, TEMPLATE];
  if (rel.endsWith('.sh')) return [SH, SH_T, TEMPLATE];
  if (rel.endsWith('.json')) return [JSONC];
  if (rel.endsWith('.service')) return [SYSTEMD];
  if (rel.endsWith('.hcl') || rel.endsWith('.tf') || rel.endsWith('.tfvars')) return [HCL1, HCL2, TEMPLATE];
  return [TEMPLATE];
}

function check(p: Parser, text: string, label: string): number {
  let out: unknown;
  try {
    out = p.run(text);
  } catch (e) {
    assert.fail(`${p.name} threw on ${label} (${text.length} chars): ${(e as Error)?.stack ?? e}\ninput: ${JSON.stringify(text.slice(0, 2000))}`);
  }
  return assertOffsetsInBounds(out, text.length, `${p.name} on ${label}`);
}

test('fuzz/parsers: every unmutated example file parses with in-bounds offsets', () => {
  assert.ok(ALL_FILES.length >= 40, `expected the example trees, found ${ALL_FILES.length} files`);
  let pairs = 0;
  for (const f of ALL_FILES) for (const p of parsersFor(f.rel)) pairs += check(p, f.text, `${f.tree}/${f.rel}`);
  assert.ok(pairs > 1000, `offset walker found only ${pairs} pairs: it is not looking at the output`);
});

test('fuzz/parsers: mutated example files (600 runs)', () => {
  fc.assert(
    fc.property(mutatedFile(ALL_FILES), (f) => {
      for (const p of parsersFor(f.rel)) check(p, f.text, `mutated ${f.tree}/${f.rel}`);
    }),
    { seed: SEED, numRuns: 600, endOnFailure: true, includeErrorInReport: true },
  );
});

test('fuzz/parsers: random hostile text through every parser (400 runs)', () => {
  fc.assert(
    fc.property(hostileText, (text) => {
      for (const p of ALL_PARSERS) check(p, text, 'random text');
    }),
    { seed: SEED + 1, numRuns: 400, endOnFailure: true, includeErrorInReport: true },
  );
});
