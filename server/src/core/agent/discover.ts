/**
 * go-discover strings (`provider=aws tag_key=K tag_value=V`), as Consul's `retry_join` / Nomad's
 * `server_join { retry_join }` take them: space-separated `key=value` pairs whose values may be URL-encoded
 * (hashicorp/go-discover config.go Parse: `url.QueryUnescape` of each value, `+` for a space).
 */

/** The pairs of a go-discover string; undefined when it cannot be read. */
export function parseDiscover(s: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const part of s.trim().split(/\s+/)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    try {
      out.set(part.slice(0, eq), decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' ')));
    } catch {
      return undefined;
    }
  }
  return out;
}

/**
 * Keys of go-discover providers that carry a credential: `secret_access_key` (aws, azure), `access_key_secret`
 * (aliyun), `api_token` (digitalocean, linode), `auth_token` (packet), `token` (scaleway), `password` (vsphere,
 * triton), `secret_key` (tencentcloud), `client_secret`, `key_secret`.
 */
const CREDENTIAL_KEY = /(secret|token|password)/i;

/**
 * The credential values written in a go-discover string, as written and unquoted. go-discover's own parser
 * (hashicorp/go-discover config.go `parse`/`lex`) reads `key=value` pairs separated by spaces, a value in double
 * quotes with backslash escapes; its Azure help text shows single quotes around a secret holding `=`. Every reading
 * is returned, so that whichever the user wrote is masked.
 */
export function discoverCredentials(s: string): string[] {
  if (!s.includes('provider=')) return [];
  const out: string[] = [];
  const keyAt = /(?:^|\s)([A-Za-z_][\w-]*)=/g;
  for (let m = keyAt.exec(s); m; m = keyAt.exec(s)) {
    if (!CREDENTIAL_KEY.test(m[1]!)) continue;
    const from = m.index + m[0].length;
    const q = s[from];
    let raw: string;
    if (q === '"' || q === "'") {
      let i = from + 1;
      while (i < s.length && s[i] !== q) i += s[i] === '\\' && q === '"' ? 2 : 1;
      raw = s.slice(from, Math.min(s.length, i + 1));
      const inner = raw.slice(1, raw.endsWith(q) && raw.length > 1 ? -1 : undefined);
      if (inner !== '') out.push(inner, q === '"' ? inner.replace(/\\(.)/g, '$1') : inner);
    } else {
      const end = s.slice(from).search(/\s/);
      raw = end < 0 ? s.slice(from) : s.slice(from, from + end);
    }
    if (raw !== '') out.push(raw);
    keyAt.lastIndex = from + raw.length;
  }
  return [...new Set(out)];
}
