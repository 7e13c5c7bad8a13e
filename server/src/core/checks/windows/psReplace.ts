/**
 * ps-replace: a case-insensitive PowerShell `-replace` (or `-ireplace`) whose
 * placeholder also matches another token of the config template, typically
 * the key of the same name (`NODE_CLASS` vs `node_class`). Shared with
 * sed-replace: ../caseInsensitiveReplace.ts.
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { FixSpec, Span } from '../../types';
import { replaceFindings } from '../caseInsensitiveReplace';

export const psReplaceCheck: Check = {
  id: 'ps-replace',
  category: 'ps-replace',
  severity: 'error',
  title: 'Case-insensitive -replace that also rewrites another token (e.g. the key node_class) of an agent config template',
  run: (model) =>
    replaceFindings(model, 'powershell', ({ op, opText, matches, related, note }, rejected) => {
      const opName = /^-[ic]?replace/i.exec(opText)?.[0];
      const span: Span = opName ? { file: op.opSpan.file, start: op.opSpan.start, end: op.opSpan.start + opName.length } : op.opSpan;
      const fixes: FixSpec[] = opName ? [{ title: `Use -creplace (case-sensitive)`, edits: [{ span, newText: '-creplace' }], safeForFixAll: true }] : [];
      // The findings of other rules on the renamed text are folded into this one by foldReplaceCascades
      // (replaceCascades.ts), which adds what a parse error says.
      return finding({
        check: psReplaceCheck,
        span,
        message: `${opName ?? op.operator} '${op.pattern}' is case-insensitive in PowerShell: it replaces ${matches.length} matches, not only the placeholder — ${note}.${rejected} Use -creplace so only '${op.pattern}' is replaced.`,
        related,
        fixes,
      });
    }),
};
