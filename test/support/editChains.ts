/**
 * Chains of random edits for the differential tests of the incremental rescans: each edit is applied to the text
 * the previous one produced, and each rescan starts from the previous rescan (as in the language server).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bigClientPs1 } from '../../bench/generate';
import { examplePath } from './paths';

/** A small seeded PRNG (an LCG): the same seed gives the same edits on every machine. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

export interface EditChain<S> {
  readonly name: string;
  readonly text: string;
  readonly seed: number;
  readonly steps: number;
  /** Fragments inserted at random places (a deletion of 1–5 characters otherwise, three times in ten). */
  readonly palette: readonly string[];
  /** The share of edits placed at the very end of the text (typing at the end is common). */
  readonly atEnd?: number;
  readonly full: (text: string) => S;
  readonly rescan: (text: string, previous: { readonly text: string; readonly scan: S }) => S;
  /** Asserts that the rescan equals the full scan; `where` names the edit for the message. */
  readonly compare: (rescanned: S, full: S, where: string) => void;
  /** Whether the rescan kept the earlier scan's records (the same objects). */
  readonly keptPrefix: (rescanned: S, previous: S) => boolean;
}

/** Runs one chain; returns how many of its rescans kept a prefix. */
export function runEditChain<S>(c: EditChain<S>): { resumed: number; steps: number } {
  const r = rng(c.seed);
  let prev = { text: c.text, scan: c.full(c.text) };
  let resumed = 0;
  for (let i = 0; i < c.steps; i++) {
    const t = prev.text;
    const at = c.atEnd !== undefined && r() < c.atEnd ? Math.max(0, t.length - Math.floor(r() * 3)) : Math.floor(r() * (t.length + 1));
    let next: string;
    if (r() < 0.3 && t.length > 0) {
      const n = 1 + Math.floor(r() * 5);
      next = t.slice(0, at) + t.slice(Math.min(t.length, at + n));
    } else {
      next = t.slice(0, at) + c.palette[Math.floor(r() * c.palette.length)]! + t.slice(at);
    }
    const inc = c.rescan(next, prev);
    c.compare(inc, c.full(next), `${c.name} seed ${c.seed} step ${i}: edit at ${at}`);
    if (c.keptPrefix(inc, prev.scan)) resumed++;
    prev = { text: next, scan: inc };
  }
  return { resumed, steps: c.steps };
}

/** The seeds 1..n. */
export function seeds(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/**
 * Fails unless more than `minShare` of the chains' rescans kept a prefix: a differential test must exercise the
 * incremental path, not only its fallback to a whole scan.
 */
export function assertKeptPrefix(runs: ReadonlyArray<{ resumed: number; steps: number }>, minShare: number): void {
  const resumed = runs.reduce((n, r) => n + r.resumed, 0);
  const steps = runs.reduce((n, r) => n + r.steps, 0);
  if (!(resumed > steps * minShare)) throw new Error(`only ${resumed} of ${steps} rescans kept a prefix (need more than ${minShare * 100} %)`);
}

/**
 * The PowerShell scripts of the bundled examples (`windows-only/…`, `mixed-os/…`) and a benchmark `client.ps1` of
 * `benchLines` lines grown from the windows-only one: the real scripts the differential tests edit at random.
 */
export function examplePowerShellScripts(benchLines: number): Array<[string, string]> {
  const files: Array<[string, string]> = [];
  for (const ex of ['windows-only', 'mixed-os']) {
    const dir = path.join(examplePath(ex), 'shared/packer/scripts');
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.ps1')) files.push([`${ex}/${f}`, fs.readFileSync(path.join(dir, f), 'utf8')]);
  }
  const base = fs.readFileSync(path.join(examplePath('windows-only'), 'shared/packer/scripts/client.ps1'), 'utf8');
  files.push(['bench client.ps1', bigClientPs1(base, benchLines, 1)]);
  return files;
}
