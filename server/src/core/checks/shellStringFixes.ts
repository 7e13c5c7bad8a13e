/**
 * Quick fixes whose edits land inside a string a script gives to a shell (`sudo sh -c '…'`, bashNested.ts): the
 * outer shell reads the new text first, so it must not end or change the quoting it sits in (a `'` inside single
 * quotes; `"`, `\`, `$` or a backtick inside double quotes; anything but plain word characters where the string is
 * unquoted or nested several levels deep). Such a fix is dropped rather than offered broken.
 */
import type { DeploymentModel } from '../model/deploymentModel';
import type { ShellStringRegion } from '../scripts/bashNested';
import type { Finding, TextEditSpec } from '../types';

const UNSAFE: Record<ShellStringRegion['mode'], RegExp> = {
  single: /'/,
  double: /["\\$`]/,
  unquoted: /[^\w.,:/=@%+-]/,
  nested: /[^\w.,:/=@%+ -]/,
};

export function guardShellStringFixes(findings: Finding[], model: DeploymentModel): Finding[] {
  const byFile = new Map<string, ShellStringRegion[]>();
  for (const s of model.scripts) {
    if (s.language !== 'bash') continue;
    for (const q of s.shellStrings ?? []) {
      const list = byFile.get(q.file) ?? [];
      list.push(q);
      byFile.set(q.file, list);
    }
  }
  if (byFile.size === 0) return findings;
  const safe = (e: TextEditSpec): boolean =>
    !(byFile.get(e.span.file) ?? []).some((q) =>
      (e.span.start < q.end && q.start < e.span.end) || (e.span.start === e.span.end && q.start < e.span.start && e.span.start < q.end)
        ? UNSAFE[q.mode].test(e.newText)
        : false,
    );
  return findings.map((f) => {
    if (!f.fixes) return f;
    const kept = f.fixes.filter((fix) => fix.edits.every(safe));
    if (kept.length === f.fixes.length) return f;
    if (kept.length > 0) return { ...f, fixes: kept };
    const { fixes: _dropped, ...rest } = f;
    return rest;
  });
}
