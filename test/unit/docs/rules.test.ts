/**
 * Every check has its page in docs/rules/<id>.md (what, why with the symptom
 * strings, fix, source), every page belongs to a check, and the README's rule
 * index lists them all: adding a check without its documentation fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ALL_CHECKS } from '../../../server/src/core/checks/all';
import { CATEGORIES } from '../../../server/src/core/types';
import { repoRoot } from '../../support/paths';

const rulesDir = path.join(repoRoot(), 'docs/rules');

test('rule ids are unique kebab-case with a known category', () => {
  const ids = ALL_CHECKS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'unique ids');
  for (const c of ALL_CHECKS) {
    assert.match(c.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, c.id);
    assert.ok((CATEGORIES as readonly string[]).includes(c.category), `${c.id}: category ${c.category}`);
  }
});

test('every check has a documentation page naming what it catches, why, the fix and a source', () => {
  for (const c of ALL_CHECKS) {
    const page = path.join(rulesDir, `${c.id}.md`);
    assert.ok(existsSync(page), `docs/rules/${c.id}.md exists`);
    const text = readFileSync(page, 'utf8');
    assert.ok(text.includes(c.id), `${c.id}: the page names the rule`);
    assert.ok(text.length > 400, `${c.id}: the page says more than a line`);
    assert.match(text, /source|Source|https?:\/\//, `${c.id}: the page cites a source`);
  }
});

test('every documentation page belongs to a check, and the index lists every check', () => {
  const ids = new Set(ALL_CHECKS.map((c) => c.id));
  for (const f of readdirSync(rulesDir)) {
    if (f === 'README.md') continue;
    assert.ok(ids.has(f.replace(/\.md$/, '')), `docs/rules/${f} belongs to a registered check`);
  }
  const index = readFileSync(path.join(rulesDir, 'README.md'), 'utf8');
  for (const c of ALL_CHECKS) assert.ok(index.includes(`[${c.id}](${c.id}.md)`), `the index lists ${c.id}`);
});
