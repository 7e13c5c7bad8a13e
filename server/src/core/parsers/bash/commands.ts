/**
 * Command records: the command name behind `sudo` / `env` / `nohup` /
 * `exec` / `time` prefixes, prefix assignments (`FOO=1 cmd`, which do not
 * persist), declarations (`export`, `local`, `declare -x`, …) and `sed` calls.
 */
import type { ShAssignment, ShCommand, ShWord } from './types';
import { extractSed } from './sed';
import { ASSIGN_RE, type Built, type CmdBuild, type ScanState } from './scanState';

const DECLARERS = new Set(['export', 'readonly', 'local', 'declare', 'typeset']);

export function finishCommand(sc: ScanState, b: CmdBuild): Built | undefined {
  if (b.words.length === 0) {
    for (const a of b.prefix) {
      const asg = makeAssignment(a, false, undefined);
      if (asg) sc.sink.assignments.push(asg);
    }
    if (b.prefix.length === 0 && b.redirects.length === 0 && b.heredocs.length === 0) return undefined;
    return { cmd: undefined, heredocs: b.heredocs };
  }
  const words = b.words;
  const env: ShAssignment[] = [];
  for (const a of b.prefix) {
    const asg = makeAssignment(a, false, undefined);
    if (asg) env.push(asg);
  }
  let i = 0;
  let sudo = false;
  for (;;) {
    const w = words[i];
    if (!w || i === words.length - 1) break;
    const name = w.literal;
    if (name === 'sudo') {
      sudo = true;
      i++;
      while (i < words.length - 1) {
        const o = words[i]!.literal ?? '';
        if (o === '--') {
          i++;
          break;
        }
        if (!o.startsWith('-')) break;
        i += /^-[ugCDhprtTU]$/.test(o) ? 2 : 1;
      }
      continue;
    }
    if (name === 'env') {
      i++;
      while (i < words.length - 1) {
        const o = words[i]!;
        const ol = o.literal ?? '';
        if (ol === '--') {
          i++;
          continue;
        }
        if (ol.startsWith('-')) {
          i += ol === '-u' || ol === '-C' || ol === '-S' ? 2 : 1;
          continue;
        }
        if (ASSIGN_RE.test(o.raw)) {
          const asg = makeAssignment(o, false, undefined);
          if (asg) env.push(asg);
          i++;
          continue;
        }
        break;
      }
      continue;
    }
    if (name === 'nohup' || name === 'exec' || name === 'time') {
      i++;
      continue;
    }
    break;
  }
  if (i >= words.length) i = words.length - 1;
  const nameWord = words[i]!;
  const cmd: ShCommand = {
    start: b.start,
    end: b.end,
    name: nameWord.literal ?? nameWord.raw,
    nameStart: nameWord.start,
    nameEnd: nameWord.end,
    args: words.slice(i + 1),
    redirects: b.redirects,
    sudo,
    ...(env.length > 0 ? { envAssignments: env } : {}),
  };
  sc.sink.commands.push(cmd);
  if (DECLARERS.has(cmd.name)) declarations(sc, cmd);
  else if (cmd.name === 'sed') {
    const sed = extractSed(sc.t, cmd);
    if (sed) sc.sink.seds.push(sed);
  }
  return { cmd, heredocs: b.heredocs };
}

function declarations(sc: ScanState, cmd: ShCommand): void {
  let exported = cmd.name === 'export';
  let options = true;
  for (const a of cmd.args) {
    const lit = a.literal;
    if (options && lit !== undefined && lit.startsWith('-') && lit.length > 1) {
      if (lit === '--') options = false;
      else if (lit.includes('x') && (cmd.name === 'declare' || cmd.name === 'typeset' || cmd.name === 'local')) exported = true;
      continue;
    }
    if (options && lit !== undefined && lit.startsWith('+')) continue;
    const asg = makeAssignment(a, exported, cmd.name);
    if (asg) {
      sc.sink.assignments.push(asg);
      continue;
    }
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.raw)) {
      sc.sink.assignments.push({
        start: a.start,
        end: a.end,
        name: a.raw,
        nameStart: a.start,
        nameEnd: a.end,
        value: undefined,
        exported,
        declaredBy: cmd.name,
      });
    }
  }
}

function makeAssignment(w: ShWord, exported: boolean, declaredBy: string | undefined): ShAssignment | undefined {
  const m = ASSIGN_RE.exec(w.raw);
  if (!m) return undefined;
  const eq = m[0].length;
  const name = m[1]!;
  const vStart = w.start + eq;
  const value: ShWord = {
    start: vStart,
    end: w.end,
    raw: w.raw.slice(eq),
    literal: w.literal === undefined ? undefined : w.literal.slice(eq),
    expansions: w.expansions.filter((e) => e.start >= vStart),
    ...(w.templated ? { templated: true } : {}),
    ...(/['"\\]/.test(w.raw.slice(eq)) ? { quoted: true } : {}),
  };
  return {
    start: w.start,
    end: w.end,
    name,
    nameStart: w.start,
    nameEnd: w.start + name.length,
    value,
    exported,
    ...(declaredBy ? { declaredBy } : {}),
    ...(m[3] === '+' ? { append: true } : {}),
  };
}
