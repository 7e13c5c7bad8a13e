import type { ChainStep, ResolvedValue } from '../types';

/** Names that carry secrets: gossip keys, ACL/Consul tokens, passwords. */
const SECRET_NAME = /(encrypt|gossip|token|secret|password|passwd|private_key|keyring|bootstrap|management|master)/i;

export function looksSecretName(name: string): boolean {
  return (
    SECRET_NAME.test(name) &&
    !/(_file|_path|_dir|ttl|_version)$/i.test(name) &&
    // Counts and switches whose names merely contain a secret-sounding word.
    !/^\W*(bootstrap[_-]?expect|encrypt[_-]?verify[_-]?(incoming|outgoing))\W*$/i.test(name)
  );
}

export function known(text: string, chain: readonly ChainStep[], secret = false): ResolvedValue {
  return secret ? { kind: 'known', text, chain, secret: true } : { kind: 'known', text, chain };
}

export function unknown(reason: string, chain: readonly ChainStep[] = []): ResolvedValue {
  return { kind: 'unknown', reason, chain };
}

/** A value known to be `null` (Terraform's full evaluation only; see `isNull` on ResolvedValue). */
export function nullValue(chain: readonly ChainStep[] = []): ResolvedValue {
  return { kind: 'unknown', reason: 'null', chain, isNull: true };
}

export function isNull(v: ResolvedValue): boolean {
  return v.kind === 'unknown' && v.isNull === true;
}

/**
 * `v` where a null cannot go: interpolated, indexed, counted, negated, an operand of arithmetic or logic, a
 * function's argument. Terraform fails such an expression, so the result is unknown, not null.
 */
export function notNull(v: ResolvedValue): ResolvedValue {
  return v.kind === 'unknown' && v.isNull ? { kind: 'unknown', reason: 'a null value where Terraform needs one (the expression fails)', chain: v.chain } : v;
}

export function markSecret(value: ResolvedValue, secret: boolean): ResolvedValue {
  if (!secret || value.kind !== 'known' || value.secret) return value;
  return { ...value, secret: true };
}
