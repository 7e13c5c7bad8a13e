/**
 * A git revision read straight from the object database knows every file of that revision by name, like a walk of
 * the disk: template-file-missing judges `git:<rev>` sides the same way as folders (a `.txt` template the engine
 * does not read exists; a template the revision lacks is missing), so a diff does not invent or hide the finding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSide } from '../../../server/src/core/diff';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  });
}

const MAIN_TF = 'resource "aws_instance" "c" {\n  user_data = templatefile("${path.module}/templates/setup.txt", {})\n}\n';

test('git: a revision side knows the files it does not read, and reports the template a revision lacks', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hsr-git-tfm-'));
  try {
    git(dir, 'init', '-q');
    git(dir, 'config', 'commit.gpgsign', 'false');
    await fs.mkdir(path.join(dir, 'templates'));
    await fs.writeFile(path.join(dir, 'main.tf'), MAIN_TF);
    await fs.writeFile(path.join(dir, 'templates', 'setup.txt'), 'echo hi\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'with template');
    git(dir, 'rm', '-q', 'templates/setup.txt');
    git(dir, 'commit', '-q', '-m', 'template removed');

    const ruleOf = async (rev: string) =>
      (await loadSide({ kind: 'git', rev, dir }, rev)).workspace
        .analyze()
        .findings.filter((f) => f.ruleId === 'template-file-missing')
        .map((f) => f.span.file);
    assert.deepEqual(await ruleOf('HEAD~1'), []);
    assert.deepEqual(await ruleOf('HEAD'), ['main.tf']);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
