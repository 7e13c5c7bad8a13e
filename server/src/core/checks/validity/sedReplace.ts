/**
 * sed-replace: a GNU sed substitution with the `I` (or `i`) flag on an agent config template whose pattern also matches
 * another token only because case is ignored, typically the key of the same name: `sed -i 's/NODE_CLASS/gpu/I'`
 * renames `node_class` (the first match of its line) to `gpu`. The bash twin of ps-replace (shared code:
 * ../caseInsensitiveReplace.ts); the findings other rules make on the renamed text are folded into it
 * (../windows/replaceCascades.ts).
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { FixSpec } from '../../types';
import { replaceFindings } from '../caseInsensitiveReplace';

export const sedReplaceCheck: Check = {
  id: 'sed-replace',
  category: 'template',
  severity: 'error',
  title: 'sed substitution with the I flag that also rewrites another token (e.g. the key node_class) of an agent config template',
  run: (model) =>
    replaceFindings(model, 'bash', ({ op, opText, matches, related, note }, rejected) => {
      // The finding spans the `s` command as written (`s/NODE_CLASS/gpu/I`); the fix deletes the flag when the host
      // text is that command (not a rendered or expanded one).
      const flags = /[gpiImMe0-9]*$/.exec(opText)?.[0] ?? '';
      const at = flags.search(/[Ii]/);
      const flag = at >= 0 ? flags[at]! : 'I';
      const start = op.opSpan.end - flags.length + at;
      const fixes: FixSpec[] =
        at >= 0 && opText.startsWith('s')
          ? [
              {
                title: `Remove the ${flag} flag (case-sensitive match)`,
                edits: [{ span: { file: op.opSpan.file, start, end: start + 1 }, newText: '' }],
                safeForFixAll: true,
              },
            ]
          : [];
      return finding({
        check: sedReplaceCheck,
        span: op.opSpan,
        message: `sed s/${op.pattern}/…/ with the ${flag} flag matches case-insensitively: it replaces ${matches.length} match(es), not only the placeholder — ${note}.${rejected} Use s/${op.pattern}/…/ without the ${flag} flag so only '${op.pattern}' is replaced.`,
        related,
        fixes,
      });
    }),
};
