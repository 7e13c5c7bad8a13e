/**
 * ps-expansion: PowerShell expansion pitfalls in scripts that write agent
 * HCL: `$name` of a variable the script never sets (expands to ""), `$(…)`
 * subexpressions and here-string terminators not at the start of their line.
 * Configs appended on every boot are ps-config-append's.
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { PsScriptFacts } from '../../scripts/scriptModel';
import type { Finding } from '../../types';
import { psScripts } from './util';
import { subexpressionVariable } from '../../parsers/powershell';

const AUTOMATIC = new Set([
  'true',
  'false',
  'null',
  '_',
  'psitem',
  'args',
  'input',
  'this',
  'pscmdlet',
  'psscriptroot',
  'pscommandpath',
  'myinvocation',
  'home',
  'pwd',
  'host',
  'pid',
  'lastexitcode',
  'error',
  'erroractionpreference',
  'psversiontable',
  'matches',
  'env',
  'profile',
  'pshome',
  'shellid',
  'executioncontext',
  'psboundparameters',
  'psculture',
  'stacktrace',
]);

export const psExpansionCheck: Check = {
  id: 'ps-expansion',
  category: 'ps-expansion',
  severity: 'warning',
  title: 'PowerShell expansion pitfalls in strings that hold agent HCL',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    for (const s of psScripts(model)) {
      const defined = definedVariables(s);
      const configRanges = hostRangesOfConfigs(s);
      for (const lit of s.scan.strings) {
        for (const p of lit.problems) {
          out.push(
            finding({
              check: psExpansionCheck,
              span: s.text.toHost(p.start, p.end),
              severity: 'error',
              message: `${p.message}. Windows PowerShell rejects the script ("White space is not allowed before the string terminator." / "The string is missing the terminator"), so nothing after it runs and the agent config is never written. Move the closing "@ or '@ to column 0.`,
            }),
          );
        }
        if (lit.quote !== 'expandable') continue;
        const host = s.text.toHost(lit.contentStart, lit.contentEnd);
        if (!configRanges.overlaps(host.file, host.start, host.end)) continue;
        for (const x of lit.expansions) {
          // `${dc}` of a Terraform template whose value is not known here keeps its written text in the render:
          // Terraform substitutes it before PowerShell runs, so it is not a PowerShell variable.
          if (s.templated && !s.text.isExactAt(x.start) && s.text.originsIn(x.start, x.end).some((o) => o.kind === 'unknown')) continue;
          const span = s.text.toHost(x.start, x.end);
          // `$($ip)` / `$($node.Address)` only read a variable: judged like `$ip` (no finding when the script sets it).
          const read = x.subexpression ? subexpressionVariable(x.name) : undefined;
          if (x.subexpression && !read) {
            out.push(
              finding({
                check: psExpansionCheck,
                span,
                severity: 'info',
                message: `$(${x.name}) in an expandable string that holds agent HCL runs when the script runs; its output (which may be empty, multi-line or contain quotes/backslashes) is pasted into the config unchecked. Compute it into a variable first and validate it, or use a literal here-string @'…'@ with -creplace placeholders.`,
              }),
            );
            continue;
          }
          const bare = (read ? read.name : x.name).replace(/^(script|global|local|private|using):/i, '');
          if (/^env:/i.test(bare) || AUTOMATIC.has(bare.toLowerCase()) || defined.has(bare.toLowerCase())) continue;
          // `"$IpAddress:8500"`: PowerShell reads `$IpAddress:8500` as variable `8500` of drive `IpAddress:`, not $IpAddress then ":8500".
          const drive = /^([A-Za-z_][A-Za-z0-9_]*):(.+)$/.exec(bare);
          if (drive && defined.has(drive[1]!.toLowerCase())) {
            out.push(
              finding({
                check: psExpansionCheck,
                span,
                message: `"$${bare}" is not $${drive[1]} followed by ":${drive[2]}": PowerShell reads a colon after a variable name as a drive or scope qualifier, so this expands to an empty string and the agent gets "" (e.g. an address without its host). Write "\${${drive[1]}}:${drive[2]}" or "$(${'$'}${drive[1]}):${drive[2]}".`,
              }),
            );
            continue;
          }
          out.push(
            finding({
              check: psExpansionCheck,
              span,
              message: `${read ? `$(${x.name})` : `$${x.name}`} is expanded inside the agent HCL here, but ${s.file} never assigns it (no parameter, assignment or loop variable): PowerShell silently expands it to an empty string, so the agent gets "" for this value. Declare it as a parameter/assignment, or escape it with a backtick (\`$) if the $ is meant literally.`,
            }),
          );
        }
      }
    }
    return out;
  },
};

/**
 * The host characters the script's config documents come from, per file, as
 * sorted disjoint ranges: "does this string hold agent config?" is then a
 * binary search instead of a scan of every document's segments (a script that
 * writes a hundred configs has thousands of segments and hundreds of strings).
 */
function hostRangesOfConfigs(s: PsScriptFacts): { overlaps(file: string, start: number, end: number): boolean } {
  const byFile = new Map<string, Array<[number, number]>>();
  for (const d of s.configDocs) {
    for (const seg of d.text.segments) {
      let list = byFile.get(seg.file);
      if (list === undefined) byFile.set(seg.file, (list = []));
      list.push([seg.hStart, seg.hEnd]);
    }
  }
  const merged = new Map<string, { starts: number[]; ends: number[] }>();
  for (const [file, list] of byFile) {
    list.sort((a, b) => a[0] - b[0]);
    const starts: number[] = [];
    const ends: number[] = [];
    for (const [a, b] of list) {
      // Ranges that only touch stay apart: [1,5) and [5,9) do not both overlap an empty span at 5.
      const last = ends.length - 1;
      if (last >= 0 && a < ends[last]!) ends[last] = Math.max(ends[last]!, b);
      else {
        starts.push(a);
        ends.push(b);
      }
    }
    merged.set(file, { starts, ends });
  }
  return {
    overlaps(file, start, end) {
      const m = merged.get(file);
      if (m === undefined) return false;
      // The first range that ends after `start`; it overlaps when it begins before `end`.
      let lo = 0;
      let hi = m.ends.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (m.ends[mid]! > start) hi = mid;
        else lo = mid + 1;
      }
      return lo < m.starts.length && m.starts[lo]! < end;
    },
  };
}

/** Lower-case names of variables the script defines: assignments, param() entries, foreach/for loop variables, Set-Variable. */
const definedByScan = new WeakMap<object, Set<string>>();

function definedVariables(s: PsScriptFacts): Set<string> {
  // A pure function of the scanned text: per scan, which the engine shares between equal texts and edits.
  let hit = definedByScan.get(s.scan);
  if (hit === undefined) definedByScan.set(s.scan, (hit = computeDefinedVariables(s)));
  return hit;
}

function computeDefinedVariables(s: PsScriptFacts): Set<string> {
  const out = new Set<string>();
  for (const a of s.scan.assignments) out.add(a.name.replace(/^(script|global|local|private):/i, '').toLowerCase());
  const t = s.text.text;
  for (const m of t.matchAll(/\]\s*\$([A-Za-z_][\w]*)/g)) out.add(m[1]!.toLowerCase()); // typed params / casts
  const param = /\bparam\s*\(/i.exec(t);
  if (param) {
    let depth = 0;
    let i = param.index + param[0].length - 1;
    const start = i;
    for (; i < t.length; i++) {
      if (t[i] === '(') depth++;
      else if (t[i] === ')' && --depth === 0) break;
    }
    for (const m of t.slice(start, i).matchAll(/\$([A-Za-z_][\w]*)/g)) out.add(m[1]!.toLowerCase());
  }
  for (const m of t.matchAll(/\bforeach\s*\(\s*\$([A-Za-z_]\w*)\s+in\b/gi)) out.add(m[1]!.toLowerCase());
  for (const m of t.matchAll(/\b(?:Set|New)-Variable\s+(?:-Name\s+)?['"]?([A-Za-z_]\w*)/gi)) out.add(m[1]!.toLowerCase());
  for (const m of t.matchAll(/-(?:OutVariable|ErrorVariable|ov|ev)\s+['"]?([A-Za-z_]\w*)/gi)) out.add(m[1]!.toLowerCase());
  return out;
}
