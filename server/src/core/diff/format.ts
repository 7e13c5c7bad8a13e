/**
 * Renders a BuildDiff / RoleDiff as terminal text (aligned columns), JSON
 * (the contract in docs/diff-json.md) or Markdown (pull-request comment).
 * Only masked displays are ever printed.
 */
import type { BuildDiff, ChangeKind, DiffHop, DiffValue, RoleDiff, SecretComparison, VersionSide } from './types';

export type DiffFormat = 'text' | 'json' | 'markdown';

export interface MarkdownOptions {
  /** A link target for `file:line` of a side (undefined: plain code span). */
  readonly link?: (side: 'left' | 'right', file: string, line: number) => string | undefined;
}

const MAX_COL = 48;

function clip(s: string, max = MAX_COL): string {
  const one = s.replace(/\s*\n\s*/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Rows of cells as aligned columns (the last column is not padded). */
function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map(
    (r) =>
      indent +
      r
        .map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]!)))
        .join('  ')
        .trimEnd(),
  );
}

export function hopText(h: DiffHop): string {
  return `${h.file}:${h.line}`;
}

function chainText(chain: readonly DiffHop[]): string {
  return chain.length === 0 ? '(set here)' : chain.map((h) => `${hopText(h)} ${h.note}`).join(' > ');
}

function valueText(v: DiffValue | undefined): string {
  if (!v) return '(not set)';
  if (v.unknownReason) return `unknown (${v.unknownReason})`;
  return v.display;
}

/** The value as shown in a diff row: secrets only as `sha256:` fingerprints. */
function cellValue(v: DiffValue | undefined, secret: SecretComparison | undefined): string {
  if (!v) return '(not set)';
  if (v.secret) return secret === 'same (masked)' ? 'same (masked)' : `differs (${v.fingerprint ?? 'masked'})`;
  return valueText(v);
}

function versionText(v: VersionSide | undefined): string {
  if (!v) return '(none)';
  return `${v.version ?? 'unpinned'}${v.pinned ? ' (pinned)' : v.version ? ' (not pinned)' : ''}`;
}

const MARK: Record<ChangeKind, string> = { changed: '~', added: '+', removed: '-', unchanged: '=' };

// ---------------------------------------------------------------- text

export function buildDiffText(d: BuildDiff): string {
  const out: string[] = [];
  out.push(`Build diff: ${d.left.label}  ->  ${d.right.label}`);
  const s = d.summary;
  out.push(
    `${s.rolesWithChanges} role(s) with changes: ${s.settingsChanged} changed, ${s.settingsAdded} added, ${s.settingsRemoved} removed setting(s); ` +
      `${s.inputsChanged} input(s) changed; ${s.versionsChanged} version(s) changed; findings: ${s.findingsNew} new, ${s.findingsFixed} fixed, ${s.findingsUnchanged} unchanged`,
  );

  out.push('', 'Deployment inputs (tfvars)');
  if (d.inputs.length === 0) out.push('  (no changes)');
  else {
    out.push(
      ...table([
        ['', 'INPUT', 'LEFT', 'RIGHT'],
        ...d.inputs.map((i) => [MARK[i.change], i.name, clip(cellValue(i.left, i.secret)), clip(cellValue(i.right, i.secret))]),
      ]),
    );
    for (const i of d.inputs)
      out.push(`    ${i.name}: ${i.left?.location ? hopText(i.left.location) : '-'}  ->  ${i.right?.location ? hopText(i.right.location) : '-'}`);
  }

  out.push('', 'Installed versions');
  if (d.versions.length === 0) out.push('  (none found)');
  else {
    out.push(
      ...table([
        ['', 'PRODUCT/OS', 'LEFT', 'RIGHT'],
        ...d.versions.map((v) => [MARK[v.change], `${v.product}/${v.os}`, versionText(v.left), versionText(v.right)]),
      ]),
    );
    for (const v of d.versions) {
      if (v.change === 'unchanged') continue;
      for (const [side, vs] of [
        ['left', v.left],
        ['right', v.right],
      ] as const) {
        if (!vs) continue;
        for (const r of vs.reasons) out.push(`    ${v.product}/${v.os} ${side}: ${r}`);
        if (vs.chain.length > 0) out.push(`    ${v.product}/${v.os} ${side} chain: ${chainText(vs.chain)}`);
      }
    }
  }

  for (const r of d.roles) {
    const n = r.changed.length + r.added.length + r.removed.length;
    const presence = r.presence === 'both' ? '' : r.presence === 'left-only' ? ' [only in left]' : ' [only in right]';
    out.push(
      '',
      `Role ${r.roleId} (${r.name})${presence}: ${n === 0 ? 'no changes' : `${r.changed.length} changed, ${r.added.length} added, ${r.removed.length} removed`}; ${r.unchangedCount} unchanged`,
    );
    const rows = [...r.changed, ...r.removed, ...r.added];
    if (rows.length === 0) continue;
    out.push(
      ...table([
        ['', 'SETTING', 'LEFT', 'RIGHT'],
        ...rows.map((c) => [MARK[c.change], c.path, clip(cellValue(c.left, c.secret)), clip(cellValue(c.right, c.secret))]),
      ]),
    );
    for (const c of rows) {
      out.push(`    ${c.path}`);
      if (c.left) out.push(`      left:  ${chainText(c.left.chain.length ? c.left.chain : c.left.location ? [c.left.location] : [])}`);
      if (c.right) out.push(`      right: ${chainText(c.right.chain.length ? c.right.chain : c.right.location ? [c.right.location] : [])}`);
    }
  }

  out.push('', 'Findings');
  const f = d.findings;
  for (const [title, list] of [
    ['new', f.new],
    ['fixed', f.fixed],
  ] as const) {
    out.push(`  ${title} (${list.length})`);
    for (const x of list) out.push(`    ${x.severity.padEnd(7)} ${x.file}:${x.line}  ${x.ruleId}  ${clip(x.message, 160)}`);
  }
  out.push(`  unchanged (${f.unchanged.length})`);
  return out.join('\n') + '\n';
}

export function roleDiffText(d: RoleDiff): string {
  const out: string[] = [];
  out.push(
    `Role diff in ${d.root}: ${d.left.roleId} (${d.left.name}${d.left.found ? '' : ', not found'})  vs  ${d.right.roleId} (${d.right.name}${d.right.found ? '' : ', not found'})`,
  );
  out.push(`${d.differences} difference(s), ${d.equal} equal setting(s)`, '');
  out.push(
    ...table([
      ['', 'SETTING', d.left.roleId.toUpperCase(), d.right.roleId.toUpperCase()],
      ...d.rows.map((r) => [MARK[r.change], r.path, clip(cellValue(r.left, r.secret)), clip(cellValue(r.right, r.secret))]),
    ]),
  );
  const diffs = d.rows.filter((r) => r.change !== 'unchanged');
  if (diffs.length > 0) out.push('', 'Where the differences come from');
  for (const r of diffs) {
    out.push(`  ${r.path}`);
    if (r.left) out.push(`    ${d.left.roleId}: ${chainText(r.left.chain.length ? r.left.chain : r.left.location ? [r.left.location] : [])}`);
    if (r.right) out.push(`    ${d.right.roleId}: ${chainText(r.right.chain.length ? r.right.chain : r.right.location ? [r.right.location] : [])}`);
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- markdown

function mdCell(s: string): string {
  const one = s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  if (one.length === 0) return ' ';
  const ticks = one.includes('`') ? '``' : '`';
  return `${ticks}${ticks === '``' ? ' ' : ''}${one}${ticks === '``' ? ' ' : ''}${ticks}`;
}

function mdText(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/([\\`*_[\]|<>])/g, '\\$1');
}

function mdHop(h: DiffHop, side: 'left' | 'right', opts: MarkdownOptions): string {
  const target = opts.link?.(side, h.file, h.line);
  const label = `${h.file}:${h.line}`;
  return target ? `[${mdText(label)}](${target.replace(/[()\s]/g, (c) => encodeURIComponent(c))})` : `\`${label}\``;
}

function mdChain(chain: readonly DiffHop[], side: 'left' | 'right', opts: MarkdownOptions): string {
  return chain.map((h) => `${mdHop(h, side, opts)} ${mdText(h.note)}`).join(' → ');
}

function mdValueChain(v: DiffValue | undefined, side: 'left' | 'right', opts: MarkdownOptions): string {
  if (!v) return '_not set_';
  const chain = v.chain.length > 0 ? v.chain : v.location ? [v.location] : [];
  return chain.length ? mdChain(chain, side, opts) : '_no chain_';
}

export function buildDiffMarkdown(d: BuildDiff, opts: MarkdownOptions = {}): string {
  const out: string[] = [];
  const s = d.summary;
  out.push(`## HashiStack build diff: \`${d.left.label}\` → \`${d.right.label}\``, '');
  out.push('| | count |', '|---|---|');
  out.push(
    `| roles with changes | ${s.rolesWithChanges} |`,
    `| settings changed / added / removed | ${s.settingsChanged} / ${s.settingsAdded} / ${s.settingsRemoved} |`,
  );
  out.push(`| deployment inputs changed | ${s.inputsChanged} |`, `| versions changed | ${s.versionsChanged} |`);
  out.push(`| findings new / fixed / unchanged | ${s.findingsNew} / ${s.findingsFixed} / ${s.findingsUnchanged} |`, '');

  if (s.findingsNew > 0 || s.findingsFixed > 0) {
    out.push('### Findings', '');
    out.push('| | severity | rule | where | message |', '|---|---|---|---|---|');
    for (const x of d.findings.new)
      out.push(`| new | ${x.severity} | \`${x.ruleId}\` | ${mdHop({ file: x.file, line: x.line, note: '' }, 'right', opts)} | ${mdText(x.message)} |`);
    for (const x of d.findings.fixed)
      out.push(`| fixed | ${x.severity} | \`${x.ruleId}\` | ${mdHop({ file: x.file, line: x.line, note: '' }, 'left', opts)} | ${mdText(x.message)} |`);
    out.push('');
  }

  out.push('### Deployment inputs', '');
  if (d.inputs.length === 0) out.push('_No changes._', '');
  else {
    out.push('| input | left | right |', '|---|---|---|');
    for (const i of d.inputs) {
      const l = i.left ? `${mdCell(cellValue(i.left, i.secret))} ${i.left.location ? mdHop(i.left.location, 'left', opts) : ''}` : '_not set_';
      const r = i.right ? `${mdCell(cellValue(i.right, i.secret))} ${i.right.location ? mdHop(i.right.location, 'right', opts) : ''}` : '_not set_';
      out.push(`| \`${i.name}\` | ${l} | ${r} |`);
    }
    out.push('');
  }

  out.push('### Installed versions', '');
  if (d.versions.length === 0) out.push('_None found._', '');
  else {
    out.push('| product/os | left | right | |', '|---|---|---|---|');
    for (const v of d.versions) {
      const notes = [...(v.left?.reasons.map((r) => `left: ${r}`) ?? []), ...(v.right?.reasons.map((r) => `right: ${r}`) ?? [])];
      out.push(
        `| ${v.product}/${v.os} | ${mdText(versionText(v.left))} | ${mdText(versionText(v.right))} | ${v.change === 'unchanged' ? 'same' : `**${v.change}**`}${notes.length && v.change !== 'unchanged' ? `<br>${notes.map(mdText).join('<br>')}` : ''} |`,
      );
    }
    out.push('');
  }

  out.push('### Roles', '');
  for (const r of d.roles) {
    const rows = [...r.changed, ...r.removed, ...r.added];
    const presence = r.presence === 'both' ? '' : r.presence === 'left-only' ? ' (only in left)' : ' (only in right)';
    out.push(`#### \`${r.roleId}\` — ${mdText(r.name)}${presence}`, '');
    if (rows.length === 0) {
      out.push(`_No changes_ (${r.unchangedCount} settings equal).`, '');
      continue;
    }
    out.push('| | setting | left | right | left chain | right chain |', '|---|---|---|---|---|---|');
    for (const c of rows) {
      out.push(
        `| ${c.change} | \`${c.path}\` | ${mdCell(cellValue(c.left, c.secret))} | ${mdCell(cellValue(c.right, c.secret))} | ${mdValueChain(c.left, 'left', opts)} | ${mdValueChain(c.right, 'right', opts)} |`,
      );
    }
    out.push('', `${r.unchangedCount} other setting(s) equal.`, '');
  }
  return out.join('\n');
}

export function roleDiffMarkdown(d: RoleDiff, opts: MarkdownOptions = {}): string {
  const out: string[] = [];
  out.push(`## \`${d.left.roleId}\` vs \`${d.right.roleId}\``, '', `${d.differences} difference(s), ${d.equal} equal setting(s).`, '');
  out.push(
    `| | setting | ${mdText(d.left.name)} | ${mdText(d.right.name)} | ${mdText(d.left.roleId)} chain | ${mdText(d.right.roleId)} chain |`,
    '|---|---|---|---|---|---|',
  );
  for (const r of d.rows) {
    const chains = r.change === 'unchanged' ? ' | ' : `${mdValueChain(r.left, 'left', opts)} | ${mdValueChain(r.right, 'right', opts)}`;
    out.push(
      `| ${r.change === 'unchanged' ? '=' : r.change === 'changed' ? '≠' : r.change === 'removed' ? 'only left' : 'only right'} | \`${r.path}\` | ${mdCell(cellValue(r.left, r.secret))} | ${mdCell(cellValue(r.right, r.secret))} | ${chains} |`,
    );
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- dispatch

export function formatBuildDiff(d: BuildDiff, format: DiffFormat, opts: MarkdownOptions = {}): string {
  if (format === 'json') return JSON.stringify(d, null, 2) + '\n';
  if (format === 'markdown') return buildDiffMarkdown(d, opts);
  return buildDiffText(d);
}

export function formatRoleDiff(d: RoleDiff, format: DiffFormat, opts: MarkdownOptions = {}): string {
  if (format === 'json') return JSON.stringify(d, null, 2) + '\n';
  if (format === 'markdown') return roleDiffMarkdown(d, opts);
  return roleDiffText(d);
}
