/**
 * Pure build diff: two analysis results in, a `BuildDiff` out. Every pass is a
 * map lookup per item (linear in the size of both sides). Values are compared
 * by their JSON value, secrets by the fingerprint in their masked display:
 * no raw secret is ever needed or produced.
 */
import type { EffectiveSetting, InstalledVersion, RoleView } from '../api';
import type { ChainStep, Finding, Span } from '../types';
import type {
  BuildDiff,
  BuildSide,
  ChangeKind,
  DiffFinding,
  DiffHop,
  DiffValue,
  InputChange,
  RoleChanges,
  RoleDiff,
  RoleDiffRow,
  SecretComparison,
  SettingChange,
  SourceLookup,
  VersionChange,
  VersionSide,
} from './types';

const FINGERPRINT = /sha256:([0-9a-f]{8,64})/;

/** `sha256:xxxxxxxx` taken from a masked display, or undefined. */
export function displayFingerprint(display: string): string | undefined {
  const m = FINGERPRINT.exec(display);
  return m ? `sha256:${m[1]!.slice(0, 8)}` : undefined;
}

export function hop(sources: SourceLookup, span: Span, note: string): DiffHop {
  const pos = sources.positionAt(span.file, span.start);
  return { file: span.file, line: (pos?.line ?? 0) + 1, note };
}

function chainHops(sources: SourceLookup, chain: readonly ChainStep[]): DiffHop[] {
  return chain.map((s) => hop(sources, s.span, s.note));
}

function settingValue(sources: SourceLookup, s: EffectiveSetting): DiffValue {
  const fp = s.secret ? displayFingerprint(s.display) : undefined;
  return {
    display: s.display,
    secret: s.secret,
    ...(fp ? { fingerprint: fp } : {}),
    location: hop(sources, s.span, s.path),
    chain: chainHops(sources, s.chain),
    ...(s.unknownReason ? { unknownReason: s.unknownReason } : {}),
  };
}

/** Comparable identity of a value: secrets by fingerprint, the rest by JSON value (or display when unknown). */
function identity(v: { secret: boolean; display: string; value?: unknown; unknownReason?: string }): string {
  if (v.secret) return `secret:${displayFingerprint(v.display) ?? v.display}`;
  if (v.unknownReason !== undefined || v.value === undefined) return `display:${v.display}`;
  return `value:${JSON.stringify(v.value)}`;
}

function secretComparison(left: DiffValue | undefined, right: DiffValue | undefined, equal: boolean): SecretComparison | undefined {
  if (!left?.secret && !right?.secret) return undefined;
  return equal && left !== undefined && right !== undefined ? 'same (masked)' : 'differs';
}

interface Compared {
  change: ChangeKind;
  left?: DiffValue;
  right?: DiffValue;
  secret?: SecretComparison;
}

function compareSettings(ls: SourceLookup, l: EffectiveSetting | undefined, rs: SourceLookup, r: EffectiveSetting | undefined): Compared {
  const left = l ? settingValue(ls, l) : undefined;
  const right = r ? settingValue(rs, r) : undefined;
  const equal = l !== undefined && r !== undefined && identity(l) === identity(r);
  const change: ChangeKind = !l ? 'added' : !r ? 'removed' : equal ? 'unchanged' : 'changed';
  const secret = secretComparison(left, right, equal);
  return { change, ...(left ? { left } : {}), ...(right ? { right } : {}), ...(secret ? { secret } : {}) };
}

function byPath(settings: readonly EffectiveSetting[]): Map<string, EffectiveSetting> {
  const m = new Map<string, EffectiveSetting>();
  for (const s of settings) m.set(s.path, s);
  return m;
}

function sortedUnion(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

function diffRoleSettings(left: BuildSide, l: RoleView | undefined, right: BuildSide, r: RoleView | undefined, id: string): RoleChanges {
  const lm = byPath(l?.settings ?? []);
  const rm = byPath(r?.settings ?? []);
  const changed: SettingChange[] = [];
  const added: SettingChange[] = [];
  const removed: SettingChange[] = [];
  let unchangedCount = 0;
  for (const p of sortedUnion(lm.keys(), rm.keys())) {
    const c = compareSettings(left.sources, lm.get(p), right.sources, rm.get(p));
    const row: SettingChange = { path: p, ...c };
    if (c.change === 'changed') changed.push(row);
    else if (c.change === 'added') added.push(row);
    else if (c.change === 'removed') removed.push(row);
    else unchangedCount++;
  }
  const role = (r ?? l)!;
  return {
    roleId: id,
    name: role.name,
    product: role.product,
    presence: l && r ? 'both' : l ? 'left-only' : 'right-only',
    changed,
    added,
    removed,
    unchangedCount,
  };
}

type Input = BuildSide['inputs'][number];

function inputKeyed(inputs: readonly Input[]): Map<string, Input> {
  // A name set in several tfvars files: the last one wins, as Terraform loads them.
  const m = new Map<string, Input>();
  for (const i of inputs) m.set(i.name, i);
  return m;
}

function inputValue(sources: SourceLookup, i: Input): DiffValue {
  const fp = i.secret ? displayFingerprint(i.display) : undefined;
  const loc = hop(sources, i.span, `sets ${i.name}`);
  return { display: i.display, secret: i.secret, ...(fp ? { fingerprint: fp } : {}), location: loc, chain: [loc] };
}

function diffInputs(left: BuildSide, right: BuildSide): InputChange[] {
  const lm = inputKeyed(left.inputs);
  const rm = inputKeyed(right.inputs);
  const out: InputChange[] = [];
  for (const name of sortedUnion(lm.keys(), rm.keys())) {
    const l = lm.get(name);
    const r = rm.get(name);
    const equal = l !== undefined && r !== undefined && identity(l) === identity(r);
    if (equal) continue;
    const lv = l ? inputValue(left.sources, l) : undefined;
    const rv = r ? inputValue(right.sources, r) : undefined;
    const secret = secretComparison(lv, rv, false);
    out.push({
      name,
      change: !l ? 'added' : !r ? 'removed' : 'changed',
      ...(lv ? { left: lv } : {}),
      ...(rv ? { right: rv } : {}),
      ...(secret ? { secret } : {}),
    });
  }
  return out;
}

function versionSide(sources: SourceLookup, entries: readonly InstalledVersion[]): VersionSide {
  // Several entries for one product/os (one per provisioner or per reason): pinned only if all are.
  const versions = [...new Set(entries.map((e) => e.version).filter((v): v is string => v !== undefined))];
  const pinned = entries.every((e) => e.pinned && e.version !== undefined);
  const reasons = [...new Set(entries.flatMap((e) => (e.reason ? [e.reason] : [])))];
  const first = entries[0]!;
  return {
    version: versions.length === 0 ? null : versions.join(' | '),
    pinned,
    reasons,
    location: hop(sources, first.span, `${first.product} on ${first.os}`),
    chain: entries.flatMap((e) => chainHops(sources, e.chain)),
  };
}

function groupVersions(versions: readonly InstalledVersion[]): Map<string, InstalledVersion[]> {
  const m = new Map<string, InstalledVersion[]>();
  for (const v of versions) {
    const k = `${v.product}/${v.os}`;
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  }
  return m;
}

function diffVersions(left: BuildSide, right: BuildSide): VersionChange[] {
  const lm = groupVersions(left.versions);
  const rm = groupVersions(right.versions);
  const out: VersionChange[] = [];
  for (const k of sortedUnion(lm.keys(), rm.keys())) {
    const [product, os] = k.split('/') as [string, string];
    const l = lm.get(k);
    const r = rm.get(k);
    const lv = l ? versionSide(left.sources, l) : undefined;
    const rv = r ? versionSide(right.sources, r) : undefined;
    const same = lv && rv && lv.version === rv.version && lv.pinned === rv.pinned && lv.reasons.join('\n') === rv.reasons.join('\n');
    out.push({
      product,
      os,
      change: !lv ? 'added' : !rv ? 'removed' : same ? 'unchanged' : 'changed',
      ...(lv ? { left: lv } : {}),
      ...(rv ? { right: rv } : {}),
    });
  }
  return out;
}

/** Findings match across builds by rule, file and message with every number blanked (line numbers, counts move). */
export function findingKey(f: Pick<Finding, 'ruleId' | 'message'> & { span: { file: string } }): string {
  return `${f.ruleId}\u0000${f.span.file}\u0000${f.message.replace(/\d+/g, '#')}`;
}

function diffFinding(sources: SourceLookup, f: Finding): DiffFinding {
  const pos = sources.positionAt(f.span.file, f.span.start);
  return { ruleId: f.ruleId, category: f.category, severity: f.severity, message: f.message, file: f.span.file, line: (pos?.line ?? 0) + 1 };
}

function diffFindings(left: BuildSide, right: BuildSide): BuildDiff['findings'] {
  const pool = new Map<string, Finding[]>();
  for (const f of left.findings) {
    const k = findingKey(f);
    const list = pool.get(k);
    if (list) list.push(f);
    else pool.set(k, [f]);
  }
  const added: DiffFinding[] = [];
  const unchanged: DiffFinding[] = [];
  for (const f of right.findings) {
    const list = pool.get(findingKey(f));
    if (list && list.length > 0) {
      list.shift();
      unchanged.push(diffFinding(right.sources, f));
    } else added.push(diffFinding(right.sources, f));
  }
  const fixed: DiffFinding[] = [];
  for (const f of left.findings) {
    const list = pool.get(findingKey(f));
    // Each remaining entry of a key is unmatched; consume in order.
    if (list && list.length > 0 && list[0] === f) {
      list.shift();
      fixed.push(diffFinding(left.sources, f));
    }
  }
  return { new: added, fixed, unchanged };
}

export function diffBuilds(left: BuildSide, right: BuildSide): BuildDiff {
  const lr = new Map(left.roles.map((r) => [r.id, r] as const));
  const rr = new Map(right.roles.map((r) => [r.id, r] as const));
  const roles = sortedUnion(lr.keys(), rr.keys()).map((id) => diffRoleSettings(left, lr.get(id), right, rr.get(id), id));
  const inputs = diffInputs(left, right);
  const versions = diffVersions(left, right);
  const findings = diffFindings(left, right);
  const sum = (f: (r: RoleChanges) => number): number => roles.reduce((n, r) => n + f(r), 0);
  return {
    schemaVersion: 1,
    kind: 'build-diff',
    left: { label: left.label ?? left.root, root: left.root },
    right: { label: right.label ?? right.root, root: right.root },
    summary: {
      rolesWithChanges: roles.filter((r) => r.presence !== 'both' || r.changed.length + r.added.length + r.removed.length > 0).length,
      settingsChanged: sum((r) => r.changed.length),
      settingsAdded: sum((r) => r.added.length),
      settingsRemoved: sum((r) => r.removed.length),
      inputsChanged: inputs.length,
      versionsChanged: versions.filter((v) => v.change !== 'unchanged').length,
      findingsNew: findings.new.length,
      findingsFixed: findings.fixed.length,
      findingsUnchanged: findings.unchanged.length,
    },
    roles,
    inputs,
    versions,
    findings,
  };
}

const ROW_ORDER: Record<ChangeKind, number> = { changed: 0, removed: 1, added: 2, unchanged: 3 };

/**
 * Two roles of one build side by side, aligned by setting path: differences
 * first (changed, only in A, only in B), then equal settings. `roleA`/`roleB`
 * are role ids (`windows-client/nomad`).
 */
export function diffRoles(result: BuildSide, roleA: string, roleB: string): RoleDiff {
  const a = result.roles.find((r) => r.id === roleA);
  const b = result.roles.find((r) => r.id === roleB);
  const am = byPath(a?.settings ?? []);
  const bm = byPath(b?.settings ?? []);
  const rows: RoleDiffRow[] = sortedUnion(am.keys(), bm.keys()).map((p) => ({
    path: p,
    ...compareSettings(result.sources, am.get(p), result.sources, bm.get(p)),
  }));
  rows.sort((x, y) => ROW_ORDER[x.change] - ROW_ORDER[y.change] || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  const equal = rows.filter((r) => r.change === 'unchanged').length;
  return {
    schemaVersion: 1,
    kind: 'role-diff',
    root: result.root,
    left: { roleId: roleA, name: a?.name ?? roleA, found: a !== undefined },
    right: { roleId: roleB, name: b?.name ?? roleB, found: b !== undefined },
    rows,
    differences: rows.length - equal,
    equal,
  };
}
