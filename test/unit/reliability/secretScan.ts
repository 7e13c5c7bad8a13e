/**
 * Collects the secret values of deployment trees, independently of the
 * engine (plain text scans), and finds them in output.
 *
 * Secrets: tfvars values of keys containing key/token/encrypt/password
 * (except `key_name`, the EC2 key-pair name, a public identifier), plus any
 * literal `encrypt` / token value written in an agent config (placeholders
 * such as `CONSUL_ENCRYPT_KEY` and `${...}` / `$Var` interpolations are not
 * values).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listFiles } from './trees';

export interface SecretValue {
  readonly value: string;
  /** `terraform/control/terraform.tfvars: consul_encrypt_key` */
  readonly source: string;
}

/** Keys of tfvars entries that hold no secret although their name contains `key`. */
const NOT_SECRET_KEYS = new Set(['key_name']);
const AGENT_SECRET_KEY =
  /^\s*(encrypt|token|agent|default|initial_management|master|agent_master|replication|acl_token|acl_agent_token|acl_master_token|acl_agent_master_token|acl_replication_token|master_token|replication_token|password)\s*=\s*"([^"\n]*)"/gm;
const AGENT_CONFIG_FILE = /\.(hcl|ps1|psm1|sh|tpl|tftpl|json)$/i;

export function collectSecrets(dirs: readonly string[]): SecretValue[] {
  const out = new Map<string, SecretValue>();
  for (const dir of dirs) {
    for (const rel of listFiles(dir)) {
      const abs = path.join(dir, ...rel.split('/'));
      if (rel.endsWith('.tfvars')) {
        const text = fs.readFileSync(abs, 'utf8').replace(/^\uFEFF/, '');
        for (const m of text.matchAll(/^\s*([A-Za-z_][\w-]*)\s*=\s*"([^"\n]*)"/gm)) {
          const key = m[1]!;
          if (!/key|token|encrypt|password/i.test(key) || NOT_SECRET_KEYS.has(key)) continue;
          if (m[2]!.length > 0 && !out.has(m[2]!)) out.set(m[2]!, { value: m[2]!, source: `${path.basename(dir)}/${rel}: ${key}` });
        }
      } else if (AGENT_CONFIG_FILE.test(rel) && !rel.endsWith('.pkr.hcl')) {
        const text = fs.readFileSync(abs, 'utf8').replace(/^\uFEFF/, '');
        for (const m of text.matchAll(AGENT_SECRET_KEY)) {
          const v = m[2]!;
          if (v.length < 6 || v.includes('$') || /^[A-Z][A-Z0-9_]*$/.test(v)) continue; // placeholder or interpolation
          if (!out.has(v)) out.set(v, { value: v, source: `${path.basename(dir)}/${rel}: ${m[1]} literal` });
        }
      }
    }
  }
  return [...out.values()];
}

/** Length of the fragments that also count as a leak (a secret cut short is still a leak). */
export const FRAGMENT = 12;

/** What of `secrets` appears in `text`: the whole value, or any 12-character piece of it. */
export function findLeaks(text: string, secrets: readonly SecretValue[]): string[] {
  const hits: string[] = [];
  for (const s of secrets) {
    if (text.includes(s.value)) {
      hits.push(`full value of ${s.source}`);
      continue;
    }
    for (let i = 0; i + FRAGMENT <= s.value.length; i++) {
      if (text.includes(s.value.slice(i, i + FRAGMENT))) {
        hits.push(`fragment ${i}..${i + FRAGMENT} of ${s.source}`);
        break;
      }
    }
  }
  return hits;
}

/** One named output and where it came from, so a leak report says which output path leaked. */
export interface Output {
  readonly path: string;
  readonly text: string;
}

export function leaksIn(outputs: readonly Output[], secrets: readonly SecretValue[]): string[] {
  const out: string[] = [];
  for (const o of outputs) {
    for (const hit of findLeaks(o.text, secrets)) out.push(`${o.path}: ${hit} — …${excerpt(o.text, secrets)}…`);
  }
  return out;
}

/** A short excerpt around the leak with the secret itself masked, so the failure message does not print it either. */
function excerpt(text: string, secrets: readonly SecretValue[]): string {
  for (const s of secrets) {
    for (let i = 0; i + FRAGMENT <= s.value.length; i++) {
      const at = text.indexOf(s.value.slice(i, i + FRAGMENT));
      if (at >= 0) return text.slice(Math.max(0, at - 60), at).replace(/\s+/g, ' ') + '<SECRET>';
    }
  }
  return '';
}

/** Fresh fake secrets for a tree that writes literal values into agent configs (never in the examples). */
export const LITERAL_GOSSIP_KEY = 'SAShL9ccn+UQlDrbLqZ5h9INJmt4iVTzr+igUu7bhMg=';
export const LITERAL_AGENT_TOKEN = '1bb53f18-189c-429c-8d6f-e1d507eaca1a';

/** client.ps1 of windows-only with a literal Consul gossip key and a literal agent token in its Consul config. */
export function withLiteralSecrets(clientPs1: string): string {
  const a = clientPs1.replace('log_level      = "INFO"\n', `log_level      = "INFO"\nencrypt        = "${LITERAL_GOSSIP_KEY}"\n`);
  const b = a.replace('agent = "$ConsulAgentToken"', `agent = "${LITERAL_AGENT_TOKEN}"`);
  if (a === clientPs1 || b === a) throw new Error('client.ps1 of windows-only changed: cannot plant the literal secrets');
  return b;
}
