/**
 * What the file-existence rules' tests share (template-file-missing, packer-file-missing): real temporary trees read
 * through Workspace.load, since existence is what the walk of the disk saw, and the findings of one rule.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Workspace } from '../../../../server/src/core/engine';
import type { Finding } from '../../../../server/src/core/types';
import { writeTree } from '../../reliability/trees';

export interface FileMissingHarness {
  /** Writes `files` into a fresh temporary folder (removed after the file's tests) and returns its real path. */
  tree(files: Record<string, string>): string;
  /** Writes one more file into a tree. */
  write(root: string, rel: string, text: string): void;
  /** The rule's findings of a fresh analysis (no check may have failed). */
  missing(ws: Workspace): Finding[];
  load(root: string): Promise<{ ws: Workspace; findings: Finding[] }>;
  /** The host text a finding points at. */
  spanText(ws: Workspace, f: Finding): string;
}

export function fileMissingHarness(rule: string, prefix: string): FileMissingHarness {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const missing = (ws: Workspace): Finding[] => {
    const r = ws.analyze();
    assert.deepEqual(ws.checkFailures, []);
    return r.findings.filter((f) => f.ruleId === rule);
  };
  return {
    tree(files) {
      const root = writeTree(files, prefix);
      dirs.push(root);
      return root;
    },
    write(root, rel, text) {
      const abs = path.join(root, ...rel.split('/'));
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, text);
    },
    missing,
    async load(root) {
      const ws = await Workspace.load(root);
      return { ws, findings: missing(ws) };
    },
    spanText(ws, f) {
      return ws.sourceText(f.span.file)!.text.slice(f.span.start, f.span.end);
    },
  };
}
