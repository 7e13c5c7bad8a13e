/**
 * What a check is: an id, a category, a default severity, and a pure function
 * from the deployment model to findings. One check per file, beside its tests
 * and its page in docs/rules/<id>.md.
 */
import type { Category, ChainStep, Finding, FixSpec, RelatedInfo, Severity, Span } from '../types';
import type { DeploymentModel } from '../model/deploymentModel';
import type { Role } from '../agent/roles';
import type { SettingEntry } from '../agent/settings';
import type { Product, RoleKind } from '../types';
import { roleName } from '../agent/roles';

export interface Check {
  readonly id: string;
  readonly category: Category;
  readonly severity: Severity;
  /** One line: what the check catches. */
  readonly title: string;
  run(model: DeploymentModel): Finding[];
}

export function findRole(model: DeploymentModel, kind: RoleKind, product: Product): Role | undefined {
  return model.roles.find((r) => r.kind === kind && r.product === product);
}

export function rolesOf(model: DeploymentModel, product: Product): Role[] {
  return model.roles.filter((r) => r.product === product);
}

export function clientRoles(model: DeploymentModel, product: Product): Role[] {
  return model.roles.filter((r) => r.product === product && r.kind !== 'server');
}

export function label(role: Role): string {
  return roleName(role.kind, role.product);
}

/** Chain steps as related information (outermost first), skipping the primary span itself. */
export function chainRelated(chain: readonly ChainStep[], primary?: Span, prefix = ''): RelatedInfo[] {
  const out: RelatedInfo[] = [];
  for (const s of chain) {
    if (primary && s.span.file === primary.file && s.span.start === primary.start && s.span.end === primary.end) continue;
    out.push({ span: s.span, message: `${prefix}${s.note}` });
  }
  return out;
}

/** `terraform.tfvars:12 → main.tf:40 → client.ps1:30` for messages. */
export function chainText(model: DeploymentModel, chain: readonly ChainStep[]): string {
  return chain
    .map((s) => {
      const src = model.files.get(s.span.file);
      const line = src ? src.positionAt(s.span.start).line + 1 : 0;
      return `${s.span.file}:${line}`;
    })
    .filter((v, i, a) => a.indexOf(v) === i)
    .join(' → ');
}

export function settingLocation(model: DeploymentModel, e: SettingEntry): string {
  const src = model.files.get(e.keySpan.file);
  const line = src ? src.positionAt(e.keySpan.start).line + 1 : 0;
  return `${e.keySpan.file}:${line}`;
}

export interface FindingInit {
  readonly check: Check;
  readonly span: Span;
  readonly message: string;
  readonly related?: readonly RelatedInfo[];
  readonly fixes?: readonly FixSpec[];
  readonly severity?: Severity;
}

export function finding(init: FindingInit): Finding {
  return {
    ruleId: init.check.id,
    category: init.check.category,
    severity: init.severity ?? init.check.severity,
    message: init.message,
    span: init.span,
    related: init.related ?? [],
    ...(init.fixes && init.fixes.length > 0 ? { fixes: init.fixes } : {}),
  };
}
