/**
 * Flattens a parsed agent config into dotted settings (`client.servers`,
 * `tls.rpc`, `encrypt`), each with its host location and the chain of the
 * values substituted into it.
 */
import type { HclBody, HclExpr } from '../parsers/hcl/ast';
import type { ChainStep, ResolvedValue, Span } from '../types';
import { isSecretSettingPath, maskSecret } from '../secrets';
import type { AgentConfigDoc } from './configDoc';
import { mergeChains } from '../scripts/scriptModel';
import { MappedText } from '../text/mappedText';
import type { LaunchSetting } from './launchFlags';

export interface SettingEntry {
  readonly path: string;
  readonly value: unknown;
  readonly display: string;
  readonly secret: boolean;
  readonly keySpan: Span;
  readonly valueSpan: Span;
  readonly chain: readonly ChainStep[];
  readonly unknownReason: string | undefined;
  readonly doc: AgentConfigDoc;
  /** The value expression, in the doc's virtual offsets. */
  readonly expr: HclExpr;
  /** Index of the top-level block or attribute of the document it comes from (tells two `service {}` blocks apart). */
  readonly top: number;
  /**
   * Set on a setting a launch-line flag gives (`-dc=east`): the config files' entry it overrides (undefined when the
   * files do not set it). See configEntry.
   */
  readonly launch?: { readonly overrides: SettingEntry | undefined };
}

/** The config files' entry of a setting: the entry itself, or the one a launch-line flag overrides (see launchEntry). */
export function configEntry(e: SettingEntry | undefined): SettingEntry | undefined {
  return e?.launch ? e.launch.overrides : e;
}

const flattened = new WeakMap<AgentConfigDoc, { readonly body: HclBody; readonly entries: SettingEntry[] }>();

/** The settings of one config document (cached per document and parse: unchanged scripts keep their documents). */
export function flattenSettings(doc: AgentConfigDoc, body: HclBody): SettingEntry[] {
  const hit = flattened.get(doc);
  if (hit && hit.body === body) return hit.entries;
  const out: SettingEntry[] = [];
  for (const k of keysOf(body)) out.push(new Entry(doc, k));
  flattened.set(doc, { body, entries: out });
  return out;
}

/**
 * What a setting is in the text alone: its path, place and literal value. Cached per parse, which documents of the
 * same text share: a document an edit above it only moved (a new document, the same text) reuses them.
 */
interface SettingKey {
  readonly path: string;
  readonly nameStart: number;
  readonly nameEnd: number;
  readonly expr: HclExpr;
  readonly top: number;
  /** The literal value (undefined for an expression). Shared between documents: never mutated. */
  readonly literal: unknown;
  readonly secretPath: boolean;
}

const keysByBody = new WeakMap<HclBody, readonly SettingKey[]>();

function keysOf(body: HclBody): readonly SettingKey[] {
  let keys = keysByBody.get(body);
  if (keys === undefined) {
    const out: SettingKey[] = [];
    walk(body, '', out, 0, -1);
    keysByBody.set(body, (keys = out));
  }
  return keys;
}

function walk(body: HclBody, prefix: string, out: SettingKey[], depth: number, top: number): void {
  if (depth > 64) return;
  const items = body.items;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const at = depth === 0 ? i : top;
    if (item.kind === 'block') {
      // The block's path: the prefix, its type and labels, empty parts left out.
      let p = dotted(prefix, item.type);
      for (const l of item.labels) p = dotted(p, l.value);
      walk(item.body, p, out, depth + 1, at);
      continue;
    }
    const path = prefix ? `${prefix}.${item.name}` : item.name;
    if (item.value.type === 'object') {
      walk({ start: item.value.start, end: item.value.end, items: item.value.items }, path, out, depth + 1, at);
      continue;
    }
    out.push({
      path,
      nameStart: item.nameStart,
      nameEnd: item.nameEnd,
      expr: item.value,
      top: at,
      literal: toJson(item.value),
      secretPath: isSecretSettingPath(path),
    });
  }
}

function dotted(prefix: string, part: string): string {
  return !part ? prefix : prefix ? `${prefix}.${part}` : part;
}

/**
 * A setting read from a document. What every check needs (path, value, whether it is secret or unknown) is computed
 * at once; the host spans, the chain and the display text are computed when first read: a role holds every setting of
 * every document it loads (thousands on a large script), and most are never reported or shown.
 */
class Entry implements SettingEntry {
  readonly value: unknown;
  readonly secret: boolean;
  readonly unknownReason: string | undefined;
  private readonly origins: readonly ResolvedValue[];
  private spans: { readonly key: Span; readonly value: Span } | undefined;
  private chainMemo: readonly ChainStep[] | undefined;
  private displayMemo: string | undefined;

  readonly path: string;
  readonly expr: HclExpr;
  readonly top: number;
  private readonly nameStart: number;
  private readonly nameEnd: number;

  constructor(
    readonly doc: AgentConfigDoc,
    key: SettingKey,
  ) {
    this.path = key.path;
    this.expr = key.expr;
    this.top = key.top;
    this.nameStart = key.nameStart;
    this.nameEnd = key.nameEnd;
    const expr = key.expr;
    const origins = doc.text.originsIn(expr.start, expr.end);
    this.origins = origins;
    const unknownOrigin = origins.find((o) => o.kind === 'unknown');
    const value = key.literal;
    this.secret = key.secretPath || origins.some((o) => o.kind === 'known' && o.secret);
    this.unknownReason = unknownOrigin?.kind === 'unknown' ? unknownOrigin.reason : value === undefined ? 'expression is not a literal' : undefined;
    this.value = this.unknownReason ? undefined : value;
  }

  get keySpan(): Span {
    return this.hostSpans().key;
  }

  get valueSpan(): Span {
    return this.hostSpans().value;
  }

  get chain(): readonly ChainStep[] {
    if (this.chainMemo === undefined) {
      const chain = mergeChains(this.origins);
      chain.push({ span: this.valueSpan, note: `${this.path} in ${describeDoc(this.doc)}` });
      this.chainMemo = chain;
    }
    return this.chainMemo;
  }

  get display(): string {
    this.displayMemo ??= displayValue(this.value, this.secret, this.unknownReason);
    return this.displayMemo;
  }

  private hostSpans(): { readonly key: Span; readonly value: Span } {
    this.spans ??= { key: this.doc.text.toHost(this.nameStart, this.nameEnd), value: this.doc.text.toHost(this.expr.start, this.expr.end) };
    return this.spans;
  }
}

/** The entry with a list value appended from an earlier definition (`retry_join` across files): a plain copy. */
export function withListValue(e: SettingEntry, value: unknown[]): SettingEntry {
  return {
    path: e.path,
    value,
    display: JSON.stringify(value),
    secret: e.secret,
    keySpan: e.keySpan,
    valueSpan: e.valueSpan,
    chain: e.chain,
    unknownReason: e.unknownReason,
    doc: e.doc,
    expr: e.expr,
    top: e.top,
    ...(e.launch ? { launch: e.launch } : {}),
  };
}

/**
 * The entry whose effective value is not known: the files that set it load in an order that is not known, or in an order
 * that differs between the machines of one role. A plain copy that keeps the entry's place; the reason names files,
 * never values.
 */
export function withUnknownValue(e: SettingEntry, reason: string): SettingEntry {
  return {
    path: e.path,
    value: undefined,
    display: displayValue(undefined, e.secret, reason),
    secret: e.secret,
    keySpan: e.keySpan,
    valueSpan: e.valueSpan,
    chain: e.chain,
    unknownReason: reason,
    doc: e.doc,
    expr: e.expr,
    top: e.top,
    ...(e.launch ? { launch: e.launch } : {}),
  };
}

/**
 * The entry of a setting a launch-line flag gives (`-servers=10.0.0.5:4647` → client.servers): a small document of its
 * own whose text is the value as HCL (the value as written when it is not known), mapped as a whole onto the flag's
 * characters and never exact (no fix edits it as if it were config text). Its chain ends at the flag.
 */
export function launchEntry(
  path: string,
  s: LaunchSetting,
  launch: string,
  os: AgentConfigDoc['os'],
  unknownReason: string | undefined,
  overrides: SettingEntry | undefined,
): SettingEntry {
  const known = unknownReason === undefined && s.unknownReason === undefined;
  const reason = unknownReason ?? s.unknownReason;
  const { text, expr } = literal(known ? s.value : s.raw);
  const doc: AgentConfigDoc = {
    id: `launch:${s.span.file}:${s.span.start}:${path}`,
    hostFile: s.span.file,
    os,
    osReason: 'launch line',
    targetPath: undefined,
    writeSpan: s.span,
    via: 'launch-line flag',
    text: new MappedText(
      text,
      text.length === 0 ? [] : [{ vStart: 0, vEnd: text.length, file: s.span.file, hStart: s.span.start, hEnd: s.span.end, exact: false }],
    ),
    format: 'hcl',
    templateFile: undefined,
    append: false,
    encoding: undefined,
  };
  const secret = isSecretSettingPath(path);
  const value = known ? s.value : undefined;
  const from = s.resolvedFrom ? `; ${s.resolvedFrom}` : '';
  return {
    path,
    value,
    display: displayValue(value, secret, reason),
    secret,
    keySpan: s.span,
    valueSpan: s.span,
    chain: [{ span: s.span, note: `${path} set by the -${s.flag} flag of ${launch}${from}` }],
    unknownReason: reason,
    doc,
    expr,
    top: -1,
    launch: { overrides: configEntry(overrides) },
  };
}

/** HCL text for a flag's value and its expression (offsets in that text). */
function literal(v: unknown): { text: string; expr: HclExpr } {
  const str = (x: string, at: number): { text: string; expr: HclExpr } => {
    const text = JSON.stringify(x);
    const part = { kind: 'literal' as const, value: x, start: at + 1, end: at + text.length - 1 };
    return {
      text,
      expr: {
        type: 'string',
        value: x,
        parts: [part],
        contentStart: at + 1,
        contentEnd: at + text.length - 1,
        heredoc: false,
        escapeIssues: [],
        start: at,
        end: at + text.length,
      },
    };
  };
  if (Array.isArray(v)) {
    let text = '[';
    const items: HclExpr[] = [];
    for (const x of v) {
      if (items.length > 0) text += ', ';
      const item = str(String(x), text.length);
      items.push(item.expr);
      text += item.text;
    }
    text += ']';
    return { text, expr: { type: 'list', items, start: 0, end: text.length } };
  }
  if (typeof v === 'boolean') return { text: String(v), expr: { type: 'bool', value: v, start: 0, end: String(v).length } };
  if (typeof v === 'number') return { text: String(v), expr: { type: 'number', value: v, raw: String(v), start: 0, end: String(v).length } };
  return str(String(v ?? ''), 0);
}

export function describeDoc(doc: AgentConfigDoc): string {
  const target = doc.targetPath ? ` (${doc.targetPath})` : '';
  return doc.via === 'config file' ? doc.hostFile : `${doc.hostFile}${target}`;
}

export function toJson(e: HclExpr): unknown {
  switch (e.type) {
    case 'string':
      return e.value;
    case 'number':
      return e.value;
    case 'bool':
      return e.value;
    case 'null':
      return null;
    case 'list':
      return e.items.map(toJson);
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const i of e.items) o[i.name] = toJson(i.value);
      return o;
    }
    default:
      return undefined;
  }
}

export function displayValue(value: unknown, secret: boolean, unknownReason?: string): string {
  if (unknownReason) return `unknown (${unknownReason})`;
  if (value === undefined) return 'unknown';
  if (secret) return typeof value === 'string' ? maskSecret(value) : Array.isArray(value) ? `[${value.map((v) => maskSecret(String(v))).join(', ')}]` : '••••';
  return JSON.stringify(value);
}
