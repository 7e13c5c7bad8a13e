/**
 * Property 3: the whole engine on mutated example trees. Each run takes one
 * example tree, mutates 1–4 of its files (every other file unchanged), loads
 * all of them with `setText` into `new Workspace('/fuzz')` and runs `analyze()`:
 * it never throws, every finding's span (and related span) lies inside its
 * file, and no raw secret value from the example tfvars (values of keys that
 * contain key/token/encrypt, except `key_name`, the AWS key-pair NAME, which is
 * not a secret) appears in JSON.stringify(result).
 *
 * Inputs tried (fixed seed): 120 mutated trees (60 per example tree) + the 2 unmutated trees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Workspace } from '../../../server/src/core/engine';
import type { AnalysisResult } from '../../../server/src/core/api';
import { SEED, TREES, exampleTree, mutations, applyMutations, type ExampleFile } from './helpers';

interface Secret {
  readonly name: string;
  readonly value: string;
}

function secretsOf(files: readonly ExampleFile[]): Secret[] {
  const out: Secret[] = [];
  for (const f of files.filter((x) => x.rel.endsWith('.tfvars'))) {
    for (const m of f.text.matchAll(/^\s*([A-Za-z0-9_]+)\s*=\s*"([^"]*)"/gm)) {
      const name = m[1]!;
      if (!/key|token|encrypt/i.test(name) || name === 'key_name' || m[2]!.length < 8) continue;
      out.push({ name, value: m[2]! });
    }
  }
  return out;
}

/**
 * A secret is only expected to stay masked while the tree still declares it as
 * that secret: its `name = "value"` line survives in a tfvars file and the value
 * occurs nowhere else (a mutation can splice a secret into a non-secret key).
 */
function liveSecrets(secrets: readonly Secret[], files: readonly ExampleFile[]): Secret[] {
  return secrets.filter((s) => {
    const decl = new RegExp(`^\\s*${s.name}\\s*=\\s*"${s.value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"\\s*$`, 'm');
    if (!files.some((f) => f.rel.endsWith('.tfvars') && decl.test(f.text))) return false;
    let count = 0;
    for (const f of files) count += f.text.split(s.value).length - 1;
    return count === 1;
  });
}

function checkResult(result: AnalysisResult, files: readonly ExampleFile[], secrets: readonly Secret[], label: string): void {
  const len = new Map(files.map((f) => [f.rel, f.text.length]));
  const inFile = (span: { file: string; start: number; end: number }, what: string): void => {
    const n = len.get(span.file);
    assert.ok(n !== undefined, `${label}: ${what} names unknown file ${JSON.stringify(span.file)}`);
    assert.ok(span.start >= 0 && span.start <= span.end && span.end <= n, `${label}: ${what} [${span.start}, ${span.end}) outside ${span.file} (length ${n})`);
  };
  for (const f of result.findings) {
    inFile(f.span, `finding ${f.ruleId}`);
    for (const r of f.related)
      if (r && typeof r === 'object' && 'span' in r) inFile((r as { span: { file: string; start: number; end: number } }).span, `related of ${f.ruleId}`);
  }
  for (const i of result.inputs) inFile(i.span, `input ${i.name}`);
  const json = JSON.stringify({
    findings: result.findings,
    roles: result.roles,
    inputs: result.inputs,
    versions: result.versions,
    fileProblems: result.fileProblems,
  });
  for (const s of liveSecrets(secrets, files)) {
    const at = json.indexOf(s.value);
    assert.ok(at < 0, `${label}: secret ${s.name} appears in the result: …${json.slice(Math.max(0, at - 200), at + 60)}…`);
  }
}

function analyzeTree(files: readonly ExampleFile[]): AnalysisResult {
  const ws = new Workspace('/fuzz');
  for (const f of files) ws.setText(f.rel, f.text);
  return ws.analyze();
}

for (const tree of TREES) {
  const files = exampleTree(tree);
  const secrets = secretsOf(files);

  test(`fuzz/engine: ${tree} unmutated — spans in files, secrets masked`, () => {
    assert.ok(secrets.length >= 3, `expected secrets in ${tree} tfvars, found ${secrets.map((s) => s.name)}`);
    const result = analyzeTree(files);
    assert.ok(result.findings.length > 0 || result.roles.length > 0, 'the example tree analyses to something');
    checkResult(result, files, secrets, `${tree} (unmutated)`);
  });

  test(`fuzz/engine: ${tree} with 1-4 mutated files (60 runs)`, () => {
    const edits = fc.array(fc.tuple(fc.integer({ min: 0, max: files.length - 1 }), mutations), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(edits, (list) => {
        const mutated = files.map((f) => ({ ...f }));
        for (const [i, ops] of list) mutated[i] = { ...mutated[i]!, text: applyMutations(mutated[i]!.text, ops) };
        let result: AnalysisResult;
        try {
          result = analyzeTree(mutated);
        } catch (e) {
          assert.fail(`analyze() threw on ${tree} with mutated ${list.map(([i]) => files[i]!.rel).join(', ')}: ${(e as Error)?.stack ?? e}`);
        }
        checkResult(result, mutated, secrets, `${tree} mutated ${list.map(([i]) => files[i]!.rel).join(', ')}`);
      }),
      { seed: SEED + 10 + TREES.indexOf(tree), numRuns: 60, endOnFailure: true, includeErrorInReport: true },
    );
  });
}
