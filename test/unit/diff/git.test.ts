import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { examplePath, repoRoot } from '../../support/paths';
import { copyDir, run } from './helpers';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  });
}

async function twoCommitRepo(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hsr-diff-git-'));
  git(dir, 'init', '-q');
  git(dir, 'config', 'commit.gpgsign', 'false');
  const build = path.join(dir, 'build');
  await copyDir(examplePath('mixed-os'), build);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'mixed');
  await fs.rm(build, { recursive: true });
  await copyDir(examplePath('windows-only'), build);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'windows-only');
  return dir;
}

/** The same JSON diff modulo the labels/roots of the sides. */
function normalized(json: string): unknown {
  const d = JSON.parse(json) as Record<string, unknown>;
  delete d.left;
  delete d.right;
  return d;
}

test('git: --rev HEAD~1..HEAD and git: sides give the same diff as the two folders, without touching the work tree', async () => {
  const repo = await twoCommitRepo();
  try {
    const build = path.join(repo, 'build');
    // Local edits in the work tree must neither be read nor overwritten.
    const tfvars = path.join(build, 'terraform/control/terraform.tfvars');
    const edited = (await fs.readFile(tfvars, 'utf8')) + '\nclient_count = 42\n';
    await fs.writeFile(tfvars, edited);

    const folders = await run([examplePath('mixed-os'), examplePath('windows-only'), '--format', 'json'], repoRoot());
    assert.equal(folders.code, 0, folders.err);
    const expected = normalized(folders.out);

    const rev = await run(['--rev', 'HEAD~1..HEAD', '--format', 'json'], build);
    assert.equal(rev.code, 0, rev.err);
    assert.deepEqual(normalized(rev.out), expected);

    const revDir = await run(['--rev', 'HEAD~1..HEAD', 'build', '--format', 'json'], repo);
    assert.equal(revDir.code, 0, revDir.err);
    assert.deepEqual(normalized(revDir.out), expected);

    const sides = await run(['git:HEAD~1', 'git:HEAD', '--format', 'json'], build);
    assert.equal(sides.code, 0, sides.err);
    assert.deepEqual(normalized(sides.out), expected);
    assert.equal((JSON.parse(sides.out) as { left: { label: string } }).left.label, 'git:HEAD~1');

    const withDir = await run(['git:HEAD~1:build', 'git:HEAD:build', '--format', 'json'], repo);
    assert.equal(withDir.code, 0, withDir.err);
    assert.deepEqual(normalized(withDir.out), expected);

    // Mixed: a revision against the work tree sees the local edit.
    const mixed = await run(['git:HEAD', '.', '--format', 'json'], build);
    assert.equal(mixed.code, 0, mixed.err);
    const m = JSON.parse(mixed.out) as { inputs: Array<{ name: string; right?: { display: string } }> };
    assert.equal(m.inputs.find((i) => i.name === 'client_count')?.right?.display, '42');

    assert.equal(await fs.readFile(tfvars, 'utf8'), edited, 'work tree untouched');
    assert.match(git(repo, 'status', '--porcelain'), /^ M build\/terraform\/control\/terraform\.tfvars\n$/);

    const bad = await run(['--rev', 'HEAD~5..HEAD'], build);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /unknown git revision/);
  } finally {
    await fs.rm(repo, { recursive: true, force: true });
  }
});
