/**
 * ps-native-trailing-backslash: a quoted argument of a native program that holds whitespace and ends with an odd
 * number of backslashes, followed by more arguments:
 *
 *     sc.exe create "Nomad" binPath= "C:\nomad\nomad.exe agent -data-dir=C:\nomad\data\" start= auto
 *
 * Facts this rests on:
 * - Windows PowerShell 5.1 (and PowerShell 7.0–7.2, `$PSNativeCommandArgumentPassing = 'Legacy'`) builds a native
 *   program's command line by enclosing an argument that contains whitespace in double quotes, without escaping a
 *   trailing backslash (PowerShell/PowerShell#1995; about_Parsing, "Passing arguments that contain quote characters").
 *   PowerShell 7.3+ ('Windows'/'Standard' mode) doubles such backslashes; user-data and Packer's `powershell`
 *   provisioner run powershell.exe 5.1.
 * - The Microsoft C runtime (and CommandLineToArgvW, which sc.exe, nssm and Go programs use the same rules as) reads
 *   `\"` as a literal quote and 2n+1 backslashes before a quote as n backslashes and a literal quote ("Parsing C
 *   command-line arguments", Microsoft C++ docs). The quote that should close the argument does not: the arguments
 *   after it (`start= auto`, `DisplayName= …`) become part of it. With an even count the quote closes (and half the
 *   backslashes remain), so only odd counts are reported; a last argument only gains a stray quote, and is left alone.
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { Finding, FixSpec } from '../../types';
import { psScripts } from './util';

/** Programs that are not cmdlets, functions or aliases (bare `sc` is the Set-Content alias in PowerShell). */
const NATIVE_NAMES = new Set(['nssm', 'netsh', 'icacls', 'reg', 'schtasks', 'msiexec', 'setx', 'cmd', 'choco', 'nomad', 'consul']);

/** Per command name (a script repeats a few dozen names across thousands of commands). */
const nativeMemo = new Map<string, boolean>();

function isNative(name: string): boolean {
  let v = nativeMemo.get(name);
  if (v === undefined) {
    if (nativeMemo.size > 10_000) nativeMemo.clear();
    nativeMemo.set(name, (v = computeIsNative(name)));
  }
  return v;
}

function computeIsNative(name: string): boolean {
  const base = (
    name
      .replace(/^["']|["']$/g, '')
      .split(/[\\/]/)
      .pop() ?? ''
  ).toLowerCase();
  return /\.(?:exe|com)$/.test(base) || NATIVE_NAMES.has(base);
}

export const psNativeTrailingBackslashCheck: Check = {
  id: 'ps-native-trailing-backslash',
  category: 'service',
  severity: 'warning',
  title: 'A quoted native-program argument ending in a backslash swallows the arguments after it (Windows PowerShell 5.1)',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    for (const s of psScripts(model)) {
      for (const c of s.scan.commands) {
        if (!isNative(c.name)) continue;
        const args = [...c.arguments].sort((a, b) => a.start - b.start);
        for (let i = 0; i < args.length - 1; i++) {
          const a = args[i]!;
          if (a.kind !== 'string' || a.literal.hereString) continue;
          const content = s.text.text.slice(a.literal.contentStart, a.literal.contentEnd);
          // Only literal text counts: no embedded quotes, no expansion or backtick escape at the end.
          if (/["'`]/.test(content) || !/\s/.test(content)) continue;
          const lastExp = a.literal.expansions.reduce((m, e) => Math.max(m, e.end), 0);
          if (lastExp >= a.literal.contentEnd) continue;
          const trailing = /\\+$/.exec(content)?.[0].length ?? 0;
          if (trailing % 2 === 0) continue;
          const span = s.text.toHost(a.start, a.end);
          if (span.file !== s.file) continue;
          const rest = args
            .slice(i + 1)
            .map((x) => s.text.text.slice(x.start, x.end))
            .join(' ');
          const exe = c.name
            .replace(/^["']|["']$/g, '')
            .split(/[\\/]/)
            .pop();
          const host = model.files.get(s.file)?.text;
          const quoted = host?.slice(span.start, span.end);
          const fixes: FixSpec[] =
            quoted !== undefined && quoted.slice(1, -1) === content
              ? [
                  {
                    title: 'Drop the trailing backslash',
                    edits: [{ span, newText: `${quoted[0]}${content.replace(/\\+$/, '')}${quoted[0]}` }],
                  },
                ]
              : [];
          out.push(
            finding({
              check: psNativeTrailingBackslashCheck,
              span,
              message: `This argument of ${exe} ends with a backslash: Windows PowerShell 5.1 (which runs user-data and Packer's powershell provisioner) passes it as "…\\" and ${exe} reads \\" as a literal quote, so the argument does not end there and what follows (${rest}) becomes part of it${/^sc(?:\.exe)?$/i.test(exe ?? '') ? ' — the service gets a binPath with those words in it and keeps the default start type (demand: the agent does not start after a reboot), or sc.exe rejects the call' : ''}. Drop the trailing backslash (a directory path does not need it) or move the argument last.`,
              fixes,
            }),
          );
        }
      }
    }
    return out;
  },
};
