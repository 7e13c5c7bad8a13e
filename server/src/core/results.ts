/**
 * From the model and the findings to what the outside sees: role views with
 * masked values, hover text, definitions, rendered effective configs. Every
 * string leaving here goes through the secret redactor.
 */
import type { AnalysisResult, EffectiveSetting, HoverInfo, RoleView } from './api';
import type { Role } from './agent/roles';
import { roleName } from './agent/roles';
import type { SettingEntry } from './agent/settings';
import { looksSecretName } from './terraform/values';
import type { DeploymentModel } from './model/deploymentModel';
import type { HclTemplatePart } from './parsers/hcl/ast';
import { templateVariableUses } from './terraform/render';
import { maskSecret, SecretRedactor } from './secrets';
import { discoverCredentials } from './agent/discover';
import type { ChainStep, FileProblem, Finding, Span } from './types';
import { collectVersions } from './versions';

export function secretRedactor(model: DeploymentModel): SecretRedactor {
  const r = new SecretRedactor();
  const take = (e: SettingEntry): void => {
    if (e.secret) addValue(r, e.value);
    // A cloud auto-join string may carry the cloud's credential (`provider=azure … secret_access_key=…`).
    else if (/(^|\.)(retry_join|retry_join_wan|start_join|start_join_wan|join)$/.test(e.path)) addDiscoverCredentials(r, e.value);
  };
  for (const role of model.roles) {
    for (const e of role.allEntries) take(e);
    // The role's effective settings too: a launch-line flag (`-encrypt=…`) is in no file's entries.
    for (const e of role.settings.values()) take(e);
  }
  for (const input of model.terraform.allInputs()) {
    if (!looksSecretName(input.name)) continue;
    const v = input.attr.value;
    if (v.type === 'string') r.add(v.value);
  }
  for (const render of model.renders) for (const v of render.vars.values()) if (v.kind === 'known' && v.secret) r.add(v.text);
  return r;
}

function addDiscoverCredentials(r: SecretRedactor, v: unknown): void {
  if (typeof v === 'string') for (const c of discoverCredentials(v)) r.add(c);
  else if (Array.isArray(v)) for (const x of v) addDiscoverCredentials(r, x);
}

function addValue(r: SecretRedactor, v: unknown): void {
  if (typeof v === 'string') r.add(v);
  else if (Array.isArray(v)) for (const x of v) addValue(r, x);
}

export interface ResultUnit {
  readonly model: DeploymentModel;
  /** The unit's directory when the tree holds several clusters (prefixes role ids). */
  readonly label: string | undefined;
}

/** The part of a result one deployment unit contributes, redacted with that unit's secrets. */
export interface UnitResultPart {
  readonly roles: readonly RoleView[];
  readonly findings: readonly Finding[];
  readonly versions: AnalysisResult['versions'];
  readonly inputs: AnalysisResult['inputs'];
  /** How many roles `roles` holds, without building their views. */
  readonly roleCount: number;
}

export function buildUnitPart(unit: ResultUnit, findings: readonly Finding[]): UnitResultPart {
  const { model, label } = unit;
  const inputs = model.terraform.allInputs().map((i) => {
    const secret = looksSecretName(i.name);
    const raw =
      i.attr.value.type === 'string'
        ? i.attr.value.value
        : i.attr.value.type === 'number' || i.attr.value.type === 'bool'
          ? String(i.attr.value.value)
          : '(expression)';
    return { name: i.name, display: secret ? maskSecret(raw) : raw, secret, span: { file: i.file, start: i.attr.nameStart, end: i.attr.end } };
  });
  const redactor = secretRedactor(model);
  const part = redactor.redactDeep({ findings, versions: uniqueBy(collectVersions(model), versionKey), inputs: uniqueBy(inputs, inputKey) });
  // The role views (every effective setting with its location and chain) are built when first read: a keystroke
  // publishes findings, and only a request for a role's config or a CLI report reads them.
  let roles: readonly RoleView[] | undefined;
  return {
    ...part,
    roleCount: model.roles.length,
    get roles() {
      return (roles ??= redactor.redactDeep(model.roles.map((role) => roleView(role, label))));
    },
  };
}

const versionKey = (v: AnalysisResult['versions'][number]): string => `${v.product}:${v.span.file}:${v.span.start}`;
const inputKey = (i: AnalysisResult['inputs'][number]): string => `${i.span.file}:${i.span.start}`;

function uniqueBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Concatenates the units' parts; what shared files contribute to several units appears once. */
export function mergeParts(
  root: string,
  parts: readonly UnitResultPart[],
  fileProblems: FileProblem[],
  configErrors: string[],
  sharedFiles?: ReadonlySet<string>,
): AnalysisResult {
  // Each part is already free of repeats (buildUnitPart). What a shared file contributes can repeat across units;
  // nothing else can, so only those items get a key: this runs over every unit on every keystroke.
  const once = <T>(items: T[], file: (t: T) => string, key: (t: T) => string): T[] => {
    if (parts.length <= 1 || sharedFiles?.size === 0) return items;
    const seen = new Set<string>();
    return items.filter((t) => {
      if (sharedFiles && !sharedFiles.has(file(t))) return true;
      const k = key(t);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  };
  // Only findings in files that several units share can repeat.
  const all = parts.flatMap((p) => p.findings);
  const seenShared = new Set<string>();
  const unique =
    parts.length <= 1 || sharedFiles?.size === 0
      ? all
      : all.filter((f) => {
          if (sharedFiles && !sharedFiles.has(f.span.file)) return true;
          const k = `${f.ruleId}|${f.span.file}|${f.span.start}|${f.span.end}|${f.message}`;
          if (seenShared.has(k)) return false;
          seenShared.add(k);
          return true;
        });
  const findings = unique.sort((a, b) =>
    a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1 : a.span.start - b.span.start || (a.ruleId < b.ruleId ? -1 : 1),
  );
  let roles: RoleView[] | undefined;
  const result: AnalysisResult = {
    root,
    get roles() {
      return (roles ??= parts.flatMap((p) => p.roles));
    },
    findings,
    fileProblems,
    versions: once(
      parts.flatMap((p) => p.versions),
      (v) => v.span.file,
      versionKey,
    ),
    inputs: once(
      parts.flatMap((p) => p.inputs),
      (i) => i.span.file,
      inputKey,
    ),
    configErrors,
  };
  roleCounts.set(
    result,
    parts.reduce((n, p) => n + p.roleCount, 0),
  );
  return result;
}

const roleCounts = new WeakMap<AnalysisResult, number>();

/** How many roles a result holds, without building their views (see buildUnitPart). */
export function roleCount(result: AnalysisResult): number {
  return roleCounts.get(result) ?? result.roles.length;
}

export function buildResult(units: readonly ResultUnit[], findings: Finding[], fileProblems: FileProblem[], configErrors: string[]): AnalysisResult {
  const parts = units.map((u) =>
    buildUnitPart(
      u,
      findings.filter((f) => u.model.files.has(f.span.file)),
    ),
  );
  return mergeParts(units[0]?.model.root ?? '', parts, fileProblems, configErrors);
}

function roleView(role: Role, label: string | undefined): RoleView {
  const settings: EffectiveSetting[] = [...role.settings.values()]
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .map((e) => ({
      path: e.path,
      value: e.secret ? undefined : e.value,
      display: e.display,
      secret: e.secret,
      span: e.keySpan,
      chain: e.chain,
      ...(e.unknownReason ? { unknownReason: e.unknownReason } : {}),
    }));
  const sources = [...new Set(role.configs.flatMap((c) => [c.doc.hostFile, ...(c.doc.templateFile ? [c.doc.templateFile] : [])]))].sort();
  const name = roleName(role.kind, role.product);
  return label === undefined
    ? { id: role.id, name, kind: role.kind, product: role.product, sources, settings }
    : { id: `${label}:${role.id}`, name: `${name} (${label})`, kind: role.kind, product: role.product, sources, settings };
}

function contains(span: Span, file: string, offset: number): boolean {
  return span.file === file && offset >= span.start && offset <= span.end;
}

export function hoverAt(model: DeploymentModel, file: string, offset: number): HoverInfo | undefined {
  const hits: Array<{ role: Role; entry: SettingEntry }> = [];
  for (const role of model.roles) {
    for (const e of role.allEntries) {
      if (contains(e.keySpan, file, offset) || contains(e.valueSpan, file, offset) || e.chain.some((s) => contains(s.span, file, offset)))
        hits.push({ role, entry: e });
    }
    // A setting a launch-line flag gives (`-servers=…`): hovering the flag shows it too.
    for (const e of role.settings.values()) if (e.launch && contains(e.keySpan, file, offset)) hits.push({ role, entry: e });
  }
  if (hits.length === 0) return undefined;
  const paths = [...new Set(hits.map((h) => h.entry.path))].slice(0, 3);
  const lines: string[] = [];
  for (const p of paths) {
    lines.push(`**${p}** — effective value per role`, '');
    for (const role of model.roles) {
      const e = role.settings.get(p);
      lines.push(`- ${roleName(role.kind, role.product)}: ${e ? `\`${e.display}\`` : '_not set_'}`);
      if (e) for (const s of e.chain) lines.push(`  - ${stepText(model, s)}`);
    }
    lines.push('');
  }
  const primary = hits[0]!.entry;
  const span = contains(primary.keySpan, file, offset)
    ? primary.keySpan
    : contains(primary.valueSpan, file, offset)
      ? primary.valueSpan
      : { file, start: offset, end: offset };
  return { span, markdown: secretRedactor(model).redact(lines.join('\n')) };
}

export function stepText(model: DeploymentModel, s: ChainStep): string {
  const src = model.files.get(s.span.file);
  const pos = src ? src.positionAt(s.span.start) : { line: 0, character: 0 };
  return `${s.note} (${s.span.file}:${pos.line + 1}:${pos.character + 1})`;
}

export function definitionAt(model: DeploymentModel, file: string, offset: number, templateParts: (file: string) => readonly HclTemplatePart[]): Span[] {
  const renders = model.renders.filter((r) => r.templateFile === file);
  if (renders.length === 0) return [];
  const use = templateVariableUses(templateParts(file)).find((u) => offset >= u.start && offset <= u.end);
  if (!use) return [];
  const out: Span[] = [];
  for (const r of renders) {
    const attr = r.call.vars.get(use.name);
    if (attr) out.push({ file: r.call.file, start: attr.nameStart, end: attr.end });
    const v = r.vars.get(use.name);
    const first = v?.chain[0];
    if (first && !out.some((s) => s.file === first.span.file && s.start === first.span.start)) out.push(first.span);
  }
  return out;
}

/** The effective configuration of a role as HCL (secrets masked), with each file it came from. */
export function renderRole(model: DeploymentModel, roleId: string): string | undefined {
  const role = model.roles.find((r) => r.id === roleId);
  if (!role) return undefined;
  const lines = [`# ${roleName(role.kind, role.product)} — effective configuration (hashistack-review)`, '# sources, in load order:'];
  for (const c of role.configs) lines.push(`#   ${c.doc.hostFile}${c.doc.targetPath ? ` -> ${c.doc.targetPath}` : ''} (${c.doc.via})`);
  lines.push('');
  const tree = new Map<string, unknown>();
  for (const e of [...role.settings.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) setPath(tree, e.path.split('.'), e);
  renderTree(tree, 0, lines);
  return secretRedactor(model).redact(lines.join('\n'));
}

function setPath(tree: Map<string, unknown>, parts: string[], e: SettingEntry): void {
  let cur = tree;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    let next = cur.get(k);
    if (!(next instanceof Map)) {
      next = new Map<string, unknown>();
      cur.set(k, next);
    }
    cur = next as Map<string, unknown>;
  }
  cur.set(parts[parts.length - 1]!, e);
}

function renderTree(tree: Map<string, unknown>, depth: number, lines: string[]): void {
  const pad = '  '.repeat(depth);
  for (const [k, v] of tree) {
    if (v instanceof Map) {
      lines.push(`${pad}${k} {`);
      renderTree(v as Map<string, unknown>, depth + 1, lines);
      lines.push(`${pad}}`);
    } else {
      const e = v as SettingEntry;
      const value = e.unknownReason ? `"<unknown>" # ${e.unknownReason}` : e.secret ? `"${e.display}"` : JSON.stringify(e.value);
      lines.push(`${pad}${k} = ${value}`);
    }
  }
}
