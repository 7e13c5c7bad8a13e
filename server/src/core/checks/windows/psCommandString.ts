/**
 * ps-command-string: a statement that is only a quoted command line
 * (`"$CorednsDir\coredns.exe install"`, `"C:\nomad\nssm.exe install nomad …"`).
 * PowerShell evaluates a string statement and writes it to the output: the
 * executable never runs. It reads like a command in review, so a service that
 * is never installed or started (a DNS forwarder, the agent itself) goes
 * unnoticed until the node misbehaves. The call operator runs it:
 * `& "$dir\coredns.exe" install`.
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { Finding, FixSpec } from '../../types';
import { psScripts } from './util';

/**
 * `<path>.exe|.cmd|.bat` followed by arguments, as the whole content of a string. A path alone is left alone: a
 * function that returns an executable's path (`function NomadExe { "C:\HashiCorp\nomad.exe" }`) is common.
 */
const COMMAND_LINE = /^\s*(\S*?[\\/]?[\w.-]+\.(?:exe|cmd|bat))\s+(\S.*)$/i;

/** Text that continues an expression onto the next line, so the string is not a statement of its own. */
const CONTINUES = /(?:[`|=(,+\-*/{[]|-(?:and|or|f|join|replace|creplace|split|eq|ne|like|match))\s*$/i;

export const psCommandStringCheck: Check = {
  id: 'ps-command-string',
  category: 'service',
  severity: 'warning',
  title: 'A quoted command line as a PowerShell statement: the program never runs',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    for (const s of psScripts(model)) {
      const host = model.files.get(s.file)?.text;
      if (host === undefined) continue;
      for (const lit of s.scan.strings) {
        if (lit.hereString) continue;
        const content = s.text.text.slice(lit.contentStart, lit.contentEnd);
        const m = COMMAND_LINE.exec(content);
        if (!m) continue;
        const span = s.text.toHost(lit.start, lit.end);
        if (span.file !== s.file) continue;
        // The string must be the whole statement: alone on its line, not continuing an expression.
        const lineStart = host.lastIndexOf('\n', span.start - 1) + 1;
        const nl = host.indexOf('\n', span.end);
        const lineEnd = nl < 0 ? host.length : nl;
        if (host.slice(lineStart, span.start).trim() !== '' && !/^\s*(?:\{|;)\s*$/.test(host.slice(lineStart, span.start))) continue;
        const after = host.slice(span.end, lineEnd).replace(/#.*$/, '').trim();
        if (after !== '' && after !== ';' && after !== '}') continue;
        const before = host.slice(0, lineStart).replace(/(?:\s*#[^\n]*)?\s*$/, '');
        if (CONTINUES.test(before)) continue;
        const quote = host[span.start] === "'" ? "'" : '"';
        const exe = m[1]!;
        const args = m[2]!.trim();
        const rewritten = `& ${quote}${exe}${quote} ${args}`;
        const fixes: FixSpec[] =
          host.slice(span.start + 1, span.end - 1) === content && !/["'`]/.test(content)
            ? [{ title: `Run it: ${rewritten}`, edits: [{ span, newText: rewritten }] }]
            : [];
        out.push(
          finding({
            check: psCommandStringCheck,
            span,
            message: `This line is a string, not a command: PowerShell writes "${content.trim()}" to the output and ${exe.split(/[\\/]/).pop()} never runs (its "${args.split(/\s+/)[0]}" never happens). Run it with the call operator — ${rewritten} — or Start-Process; a service it should install or start is otherwise missing on the node.`,
            fixes,
          }),
        );
      }
    }
    return out;
  },
};
