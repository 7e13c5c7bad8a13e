/**
 * Secret hygiene: gossip keys and ACL/Consul tokens never appear in full in
 * any output. A masked secret keeps a short, non-reversible fingerprint so a
 * user can tell two keys apart without seeing either.
 */
import { createHash } from 'node:crypto';

const SECRET_PATH = /(^|\.)(encrypt|token|tokens\.[a-z_]+|replication_token|initial_management|master|agent_master|default|agent|agent_recovery|gossip_key|password|secret_id)$/i;

/** Whether an agent-config setting path holds a secret (`server.encrypt`, `acl.tokens.agent`, `consul.token`). */
export function isSecretSettingPath(path: string): boolean {
  if (/(^|\.)encrypt$/.test(path)) return true;
  if (/(^|\.)token$/.test(path)) return true;
  if (/(^|\.)acl(_|\.)tokens?\./.test(path) || /^acl\.tokens\./.test(path)) return true;
  if (/(^|\.)(replication_token|initial_management|master_token|agent_master_token|acl_master_token|acl_token|acl_agent_token|acl_agent_master_token|acl_replication_token)$/.test(path)) return true;
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
  }

  get size(): number {
    return this.secrets.length;
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(maskSecret(s));
    return out;
  }

  /** Deeply redacts every string of a JSON-like value. */
  redactDeep<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    return JSON.parse(this.redact(JSON.stringify(value))) as T;
  }
}
