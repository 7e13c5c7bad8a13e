/**
 * Shared pieces of the fuzz tests: the bundled example trees, a fast-check
 * arbitrary that mutates a text (deletes / duplicates / inserts slices and
 * hostile tokens), and a walker that checks every offset pair in a parser's output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import fc from 'fast-check';

export const EXAMPLES = path.join(__dirname, '../../../../examples');
export const TREES = ['windows-only', 'mixed-os'] as const;

/** Fixed seed for every property: failures are reproducible. */
export const SEED = 0x5eed_7;

export interface ExampleFile {
  readonly tree: string;
  /** Root-relative, `/` separators. */
  readonly rel: string;
  readonly text: string;
}

function walk(dir: string, base: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else if (e.isFile()) out.push(path.relative(base, p).split(path.sep).join('/'));
  }
}

export function exampleTree(tree: string): ExampleFile[] {
  const root = path.join(EXAMPLES, tree);
  const rels: string[] = [];
  walk(root, root, rels);
  return rels.map((rel) => ({ tree, rel, text: fs.readFileSync(path.join(root, rel), 'utf8') }));
}

export const ALL_FILES: ExampleFile[] = TREES.flatMap((t) => exampleTree(t));

/** Tokens that break quoting, here-strings, heredocs, templates and encodings. */
export const HOSTILE_TOKENS = [
  '"',
  "'",
  '{',
  '}',
  '@"',
  '"@',
  "@'",
  "'@",
  '${',
  '$${',
  '%{',
  '%%{',
  '\\',
  '`',
  '<<EOF',
  '<<-EOF',
  "<<'EOF'",
  '\nEOF\n',
  '\0',
  '\r',
  '\r\n',
  '\n',
  '$(',
  ')',
  '#',
  '<#',
  '#>',
  '/*',
  '*/',
  '[',
  ']',
  '\ufeff',
  '\ud800',
  '\udc00',
  '=',
  ',',
  ' ',
  '\t',
  '<powershell>',
  '</powershell>',
];

export type MutationOp =
  | { kind: 'delete'; pos: number; len: number }
  | { kind: 'duplicate'; pos: number; len: number }
  | { kind: 'move'; pos: number; len: number; to: number }
  | { kind: 'insert'; pos: number; token: string };

export const mutationOp: fc.Arbitrary<MutationOp> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('move' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 200 }), to: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), token: fc.constantFrom(...HOSTILE_TOKENS) }),
  fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), token: fc.string({ maxLength: 8, unit: 'binary' }) }),
);

export const mutations: fc.Arbitrary<MutationOp[]> = fc.array(mutationOp, { minLength: 1, maxLength: 8 });

export function applyMutations(text: string, ops: readonly MutationOp[]): string {
  let t = text;
  for (const op of ops) {
    const n = t.length;
    const pos = n === 0 ? 0 : op.pos % (n + 1);
    switch (op.kind) {
      case 'delete':
        t = t.slice(0, pos) + t.slice(pos + op.len);
        break;
      case 'duplicate':
        t = t.slice(0, pos + op.len) + t.slice(pos, pos + op.len) + t.slice(pos + op.len);
        break;
      case 'move': {
        const piece = t.slice(pos, pos + op.len);
        const rest = t.slice(0, pos) + t.slice(pos + op.len);
        const to = rest.length === 0 ? 0 : op.to % (rest.length + 1);
        t = rest.slice(0, to) + piece + rest.slice(to);
        break;
      }
      case 'insert':
        t = t.slice(0, pos) + op.token + t.slice(pos);
        break;
    }
  }
  return t;
}

/** A mutated version of one of `files`. */
export function mutatedFile(files: readonly ExampleFile[]): fc.Arbitrary<ExampleFile & { original: string }> {
  return fc.tuple(fc.integer({ min: 0, max: files.length - 1 }), mutations).map(([i, ops]) => {
    const f = files[i]!;
    return { tree: f.tree, rel: f.rel, original: f.text, text: applyMutations(f.text, ops) };
  });
}

/** Random text biased towards the syntax the parsers care about. */
export const hostileText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          ...HOSTILE_TOKENS,
          'a',
          'x = 1',
          'Set-Content',
          'cat ',
          ' > /etc/f',
          '-replace',
          '"a"',
          'block "l" {',
          'tee ',
          '$env:X',
          '$X',
        ),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: 'binary' }) },
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(''));

/**
 * Every `start`/`end`, `xStart`/`xEnd` pair found anywhere in `value` lies in
 * [0, len] with start <= end. Returns the number of pairs checked.
 */
export function assertOffsetsInBounds(value: unknown, len: number, what: string): number {
  const seen = new Set<object>();
  let checked = 0;
  const visit = (v: unknown, at: string): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach((x, i) => visit(x, `${at}[${i}]`));
      return;
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      let endKey: string | undefined;
      if (k === 'start') endKey = 'end';
      else if (k.endsWith('Start')) endKey = `${k.slice(0, -5)}End`;
      if (endKey === undefined) continue;
      const s = o[k];
      const e = o[endKey];
      if (typeof s !== 'number' || typeof e !== 'number') continue;
      checked++;
      assert.ok(Number.isInteger(s) && Number.isInteger(e), `${what}: ${at}.${k}/${endKey} not integers (${s}, ${e})`);
      assert.ok(s >= 0 && e <= len && s <= e, `${what}: ${at}.${k}=${s} ${endKey}=${e} outside [0, ${len}] or reversed`);
    }
    for (const k of Object.keys(o)) visit(o[k], `${at}.${k}`);
  };
  visit(value, '$');
  return checked;
}

/** Number of runs actually executed, for the counts printed by each test. */
export function counted<T>(arb: fc.Arbitrary<T>, counter: { n: number }): fc.Arbitrary<T> {
  return arb.map((x) => {
    counter.n++;
    return x;
  });
}
