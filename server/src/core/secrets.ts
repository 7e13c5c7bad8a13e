/**
 * Secret hygiene: gossip keys and ACL/Consul tokens never appear in full in
 * any output. A masked secret keeps a short, non-reversible fingerprint so a
 * user can tell two keys apart without seeing either.
 */
import { createHash } from 'node:crypto';

const SECRET_PATH =
  /(^|\.)(encrypt|token|tokens\.[a-z_]+|replication_token|initial_management|master|agent_master|default|agent|agent_recovery|gossip_key|password|secret_id)$/i;

/** Whether an agent-config setting path holds a secret (`server.encrypt`, `acl.tokens.agent`, `consul.token`). */
export function isSecretSettingPath(path: string): boolean {
  // Asked once per setting of every document an analysis builds: the answers for the paths seen are kept (configs
  // use a few hundred distinct paths; the bound keeps a generated tree from growing the map without end).
  let answer = secretPaths.get(path);
  if (answer === undefined) {
    answer = secretSettingPath(path);
    if (secretPaths.size >= 4096) secretPaths.clear();
    secretPaths.set(path, answer);
  }
  return answer;
}

const secretPaths = new Map<string, boolean>();

function secretSettingPath(path: string): boolean {
  if (/(^|\.)encrypt$/.test(path)) return true;
  if (/(^|\.)token$/.test(path)) return true;
  // Nomad `consul { auth = "user:pass" }` (also `-consul-auth`): HTTP basic auth credentials.
  if (/(^|\.)consul\.auth$/.test(path)) return true;
  if (/(^|\.)acl(_|\.)tokens?\./.test(path) || /^acl\.tokens\./.test(path)) return true;
  if (
    /(^|\.)(replication_token|initial_management|master_token|agent_master_token|acl_master_token|acl_token|acl_agent_token|acl_agent_master_token|acl_replication_token)$/.test(
      path,
    )
  )
    return true;
  return SECRET_PATH.test(path) && /tokens?\.|encrypt/.test(path);
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 8);
}

/** `•••• (44 chars, sha256:1a2b3c4d)` — never the value itself. */
export function maskSecret(secret: string): string {
  if (secret.length === 0) return '(empty)';
  return `•••• (${secret.length} chars, sha256:${fingerprint(secret)})`;
}

/**
 * Last line of defence on every output path: replaces any occurrence of a
 * known secret value (and of its quoted form) in a string.
 */
export class SecretRedactor {
  private readonly secrets: string[] = [];

  add(value: string | undefined): void {
    if (!value) return;
    const v = value.trim();
    // Very short values (`true`, `1`) are never treated as secrets: they would mangle output.
    if (v.length < 6 || this.secrets.includes(v)) return;
    this.secrets.push(v);
    this.secrets.sort((a, b) => b.length - a.length);
    this.pattern = undefined;
  }

  addAll(other: SecretRedactor): void {
    for (const s of other.secrets) this.add(s);
  }

  get size(): number {
    return this.secrets.length;
  }

  private pattern: RegExp | undefined;

  redact(text: string): string {
    if (this.secrets.length === 0) return text;
    this.pattern ??= new RegExp(this.secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    this.pattern.lastIndex = 0;
    if (!this.pattern.test(text)) return text;
    this.pattern.lastIndex = 0;
    return text.replace(this.pattern, (s) => maskSecret(s));
  }

  /** Redacts every string of a JSON-like value, copying only what changes. */
  redactDeep<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    return this.walk(value, 0) as T;
  }

  private walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value === null || typeof value !== 'object' || depth > 64) return value;
    // Copy-on-write: an unchanged array or object is returned as is, without allocating (a result holds
    // thousands of them and only a few strings ever carry a secret).
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        const r = this.walk(v, depth + 1);
        if (r !== v) {
          out ??= value.slice();
          out[i] = r;
        }
      }
      return out ?? value;
    }
    const obj = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const k in obj) {
      // Spans hold a file path and offsets: nothing to redact, and there are many.
      if (k === 'span' || !Object.prototype.hasOwnProperty.call(obj, k)) continue;
      const v = obj[k];
      const r = this.walk(v, depth + 1);
      if (r !== v) {
        copy ??= { ...obj };
        copy[k] = r;
      }
    }
    return copy ?? value;
  }
}
