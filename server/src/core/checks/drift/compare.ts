/**
 * Shared pieces of the drift checks: where to point at a role that lacks a
 * setting, how to describe a value with its chain, and the "sync Windows to
 * Linux" quick-fix.
 */
import type { Role } from '../../agent/roles';
import { isSharedFragment } from '../../agent/roles';
import type { SettingEntry } from '../../agent/settings';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { FixSpec, RelatedInfo, Span } from '../../types';
import { chainRelated, chainText, label } from '../check';

/** Where a role's config is written: the write statement of its first config (for "missing" findings). */
export function roleAnchor(role: Role): Span {
  // A shared fragment of the directory (global.hcl) is not where this agent's own config is: point at its own file.
  const own = role.configs.filter((x) => !isSharedFragment(x));
  const pool = own.length > 0 ? own : role.configs;
  const c = pool.find((x) => x.doc.via !== 'config file') ?? pool[0]!;
  if (c.doc.via === 'config file') return c.doc.text.toHost(0, Math.min(1, c.doc.text.text.length));
  return c.doc.writeSpan;
}

export function describeEntry(model: DeploymentModel, role: Role, e: SettingEntry | undefined, path: string): string {
  if (!e) return `${label(role)} has no \`${path}\``;
  return `${label(role)} has ${path} = ${e.display} (${chainText(model, e.chain)})`;
}

export function sideRelated(role: Role, e: SettingEntry | undefined, path: string): RelatedInfo[] {
  if (!e) return [{ span: roleAnchor(role), message: `${label(role)}: no ${path} in its config` }];
  return [{ span: e.keySpan, message: `${label(role)}: ${path} = ${e.display}` }, ...chainRelated(e.chain, e.keySpan, `${label(role)}: `)];
}

/** Reference role for a client: the Linux client syncs the Windows one (and the server, when alone). */
export function referenceFor(model: DeploymentModel, role: Role): Role | undefined {
  const same = model.roles.filter((r) => r.product === role.product && r !== role);
  if (role.kind === 'windows-client') return same.find((r) => r.kind === 'linux-client') ?? same.find((r) => r.kind === 'server');
  if (role.kind === 'linux-client') return same.find((r) => r.kind === 'server');
  return undefined;
}

/** Replaces the value in the host file when it was written there literally (no substitution in between). */
export function syncValueFix(target: SettingEntry, reference: SettingEntry, title: string): FixSpec[] {
  if (target.secret || reference.secret || reference.value === undefined) return [];
  const t = target.doc.text;
  const { start, end } = target.expr;
  if (t.originsIn(start, end).length > 0) return [];
  for (let i = start; i < end; i++) if (!t.isExactAt(i)) return [];
  const span = t.toHost(start, end);
  const newText = hclLiteral(reference.value, target.doc.hostFile);
  if (newText === undefined) return [];
  return [{ title, edits: [{ span, newText }] }];
}

/** An HCL literal for a JSON value, escaped for the host layer (a PowerShell expandable string keeps `$` and backticks). */
export function hclLiteral(value: unknown, hostFile: string): string | undefined {
  const ps = /\.ps1$|\.psm1$/i.test(hostFile);
  const str = (s: string) => {
    let out = JSON.stringify(s);
    if (ps) out = out.replace(/`/g, '``').replace(/\$/g, '`$');
    return out;
  };
  if (typeof value === 'string') return str(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
    return `[${value.map((v) => (typeof v === 'string' ? str(v) : String(v))).join(', ')}]`;
  }
  return undefined;
}

export function truthy(v: unknown): boolean {
  return v === true || v === 'true' || v === 1;
}
