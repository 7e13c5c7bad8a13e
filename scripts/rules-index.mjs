// Regenerates the rule table of docs/rules/README.md from the check catalogue
// (run after `npm run build`); test/unit/docs/rules.test.ts fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { ALL_CHECKS } = require(join(root, 'out/server/src/core/checks/all.js'));
const { CATEGORIES } = require(join(root, 'out/server/src/core/types.js'));

const file = join(root, 'docs/rules/README.md');
const old = readFileSync(file, 'utf8');
const head = old.slice(0, old.indexOf('| category |'));
const rows = CATEGORIES.flatMap((cat) =>
  ALL_CHECKS.filter((c) => c.category === cat).map((c) => `| ${cat} | [${c.id}](${c.id}.md) | ${c.severity} | ${c.title.replace(/\|/g, '\\|')} |`),
);
writeFileSync(file, `${head}| category | rule | default severity | catches |\n|---|---|---|---|\n${rows.join('\n')}\n`);
console.log(`docs/rules/README.md: ${rows.length} rules`);
