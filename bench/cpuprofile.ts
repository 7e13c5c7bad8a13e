/**
 * Self-time summary of a V8 .cpuprofile: each sample is charged its
 * timeDelta to the node it landed in; nodes are grouped by function
 * (name + url + line), so the same function reached by different stacks is
 * summed once.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTimeRow {
  readonly fn: string;
  readonly location: string;
  readonly selfMs: number;
  readonly percent: number;
}

export function summarizeCpuProfile(file: string, top = 15, repoRoot?: string): { totalMs: number; rows: SelfTimeRow[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, CpuProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const selfUs = new Map<string, { fn: string; location: string; us: number }>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time since the previous sample; charge it to sample i.
    const delta = profile.timeDeltas[i] ?? 0;
    const node = byId.get(profile.samples[i]!);
    if (node === undefined) continue;
    totalUs += delta;
    const cf = node.callFrame;
    const fn = cf.functionName === '' ? '(anonymous)' : cf.functionName;
    let url = cf.url.replace(/^file:\/\//, '');
    if (repoRoot !== undefined && url.startsWith(repoRoot)) url = path.relative(repoRoot, url);
    const location = url === '' ? '' : `${url}:${cf.lineNumber + 1}`;
    const key = `${fn}\0${location}`;
    const row = selfUs.get(key);
    if (row === undefined) selfUs.set(key, { fn, location, us: delta });
    else row.us += delta;
  }
  const rows = [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((r) => ({ fn: r.fn, location: r.location, selfMs: r.us / 1000, percent: totalUs === 0 ? 0 : (100 * r.us) / totalUs }));
  return { totalMs: totalUs / 1000, rows };
}

export function formatSelfTime(title: string, s: { totalMs: number; rows: SelfTimeRow[] }): string {
  const lines = [`${title} (total sampled ${s.totalMs.toFixed(0)} ms)`, '  self ms     %  function  (location)'];
  for (const r of s.rows) lines.push(`  ${r.selfMs.toFixed(1).padStart(7)} ${r.percent.toFixed(1).padStart(5)}  ${r.fn}  (${r.location})`);
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: node out/bench/cpuprofile.js <file.cpuprofile> [top]');
  console.log(formatSelfTime(file, summarizeCpuProfile(file, Number(process.argv[3] ?? 15), path.resolve(__dirname, '..', '..'))));
}
