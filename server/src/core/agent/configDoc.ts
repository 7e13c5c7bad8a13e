import type { HclParseResult } from '../parsers/hcl/ast';
import type { MappedText } from '../text/mappedText';
import type { Product, RoleKind, Span } from '../types';

export type AgentOs = 'windows' | 'linux';

/**
 * One agent configuration file as the agent will read it: the text a script
 * writes (here-string, heredoc, a template copied and substituted) or a config
 * file in the tree, mapped back to the host file characters.
 */
export interface AgentConfigDoc {
  readonly id: string;
  /** The file whose text produced this document (script, template or config file). */
  readonly hostFile: string;
  readonly os: AgentOs;
  /** How the OS was decided (for messages). */
  readonly osReason: string;
  /** Where the agent reads it, as written in the script (`C:\HashiCorp\Nomad\config\client.hcl`). */
  readonly targetPath: string | undefined;
  /** The statement that writes it (or the whole file for a config file). */
  readonly writeSpan: Span;
  /** e.g. `here-string written with Out-File`, `heredoc to tee`, `template copied and substituted with sed`. */
  readonly via: string;
  readonly text: MappedText;
  readonly format: 'hcl' | 'json';
  /** Config template this was rendered from (root-relative), if any. */
  readonly templateFile: string | undefined;
  /** Whether the write appends (Add-Content, >>, tee -a). */
  readonly append: boolean;
  /** The encoding the write uses, as written (`-Encoding UTF8`), or undefined for the command's default. */
  readonly encoding: { readonly text: string; readonly span: Span } | undefined;
  /** The id of a document written by a called script that this one continues (and replaces): the agent reads only the last state. */
  readonly supersedes?: string;
  /**
   * The top-level `case` arms of the writing script that reach this write (through shell function calls); undefined
   * when it happens on every machine the script runs on.
   */
  readonly branches?: ReadonlySet<string>;
  /** Written into the machine image (a Packer build), before the instance's own writes. */
  readonly imageTime?: boolean;
  /**
   * An input of a merge the writing script runs (`./json_merge base.json tls.json "role_${type}.json" > out.json`,
   * `jq -s … a.json b.json > c.json`): the agent loads the merged output, not this file beside the other inputs.
   * `group` names the merge command; `output` is its redirect target as written. A file only an argument with an
   * unresolved variable names is a variant: each machine merges the fixed inputs with one of them.
   */
  readonly mergeInput?: {
    readonly group: string;
    readonly output: string;
    /** Set on a variant: the argument, with its unresolved variable, that names it (`"nomad_${nomad_type}.json"`). */
    readonly variant?: string;
    /**
     * Its argument index in each command that writes the output (one per branch: `if tls; then merge a tls c > x; else
     * merge a c > x; fi`), undefined in a command that does not merge it. The tool merges its inputs in argument order.
     */
    readonly positions: readonly (number | undefined)[];
  };
}

export interface ParsedAgentConfig {
  readonly doc: AgentConfigDoc;
  readonly parse: HclParseResult;
  readonly product: Product;
  readonly productReason: string;
  readonly kind: RoleKind;
  readonly kindReason: string;
  /** Further roles the same written file belongs to (a helper every branch of a role-dispatching script calls). */
  readonly alsoKinds?: readonly RoleKind[];
}

/**
 * A config of another HashiCorp tool that only shares the product name in its path
 * (`/etc/consul-template.d/consul-template.hcl`, `/etc/nomad-autoscaler.d/…`, `envconsul`, Vault):
 * never a Nomad or Consul agent config, whatever keys it shares with one (`vault {}`, `acl {}`).
 */
export function isOtherToolConfigPath(p: string | undefined): boolean {
  if (!p) return false;
  const parts = p.toLowerCase().replace(/\\/g, '/').split('/');
  const base = parts[parts.length - 1] ?? '';
  return (
    parts.some((d) => /^(consul-template|nomad-autoscaler|envconsul)([._-]|$)/.test(d)) ||
    /^vault([._-].*)?\.(hcl|json)$/.test(base) ||
    parts.slice(0, -1).some((d) => /^vault(\.d)?$/.test(d))
  );
}

/** Agent config path heuristics: where Nomad and Consul read their config. */
export function productFromPath(p: string | undefined, where: 'target' | 'repository' = 'target'): Product | undefined {
  if (!p) return undefined;
  // Asked for every written document on each analysis: kept per path (bounded).
  const key = `${where}\0${p}`;
  if (productsByPath.has(key)) return productsByPath.get(key);
  const product = productFromPathOf(p, where);
  if (productsByPath.size >= 4096) productsByPath.clear();
  productsByPath.set(key, product);
  return product;
}

const productsByPath = new Map<string, Product | undefined>();

function productFromPathOf(p: string, where: 'target' | 'repository'): Product | undefined {
  const parts = p.toLowerCase().replace(/\\/g, '/').split('/');
  const base = parts.pop() ?? '';
  // The directory the agent reads wins: /etc/nomad.d/consul.hcl is Nomad's `consul` block. In the repository only a
  // `.d` directory does so: a Terraform module folder `nomad/` holding `templates/consul-client.json.tpl` is not
  // Nomad's, the file name says which agent it is for.
  for (const dir of [...parts].reverse()) {
    if (where === 'repository' && !dir.endsWith('.d')) continue;
    if (/^nomad(\.d)?$/.test(dir)) return 'nomad';
    if (/^consul(\.d)?$/.test(dir)) return 'consul';
  }
  if (where === 'repository' && !base.includes('consul') && !base.includes('nomad')) {
    for (const dir of [...parts].reverse()) {
      if (/^nomad$/.test(dir)) return 'nomad';
      if (/^consul$/.test(dir)) return 'consul';
    }
  }
  if (base.includes('consul')) return 'consul';
  if (base.includes('nomad')) return 'nomad';
  return undefined;
}

/**
 * A written file no agent reads as its config, whatever its text looks like: a script (`/tmp/bootstrap_tokens.sh`
 * holding `consul acl policy create` lines and ACL rules), a unit, a certificate. Its name ends in one of these
 * extensions, or (when the name says nothing) its text starts with a shebang.
 */
export function isNotAgentConfigWrite(target: string | undefined, text: string): boolean {
  const t = (target ?? '').trim().replace(/^["']|["']$/g, '');
  if (/\.(sh|bash|zsh|ksh|ps1|psm1|cmd|bat|py|rb|pl|service|socket|timer|pem|crt|key|csr)$/i.test(t)) return true;
  return !looksLikeAgentConfigPath(t) && /^\s*#!/.test(text);
}

export function looksLikeAgentConfigPath(p: string): boolean {
  const s = p.toLowerCase().replace(/\\/g, '/');
  return /\.(hcl|json)$/.test(s) && /(nomad|consul)/.test(s);
}

/**
 * The format the agent parses a document in. Nomad and Consul decode `.hcl` files with HCL v1, whose `lexMode`
 * (hashicorp/hcl v1 `lex.go`) switches to its JSON parser when the first non-whitespace character is `{`: a JSON body
 * in a file named `.hcl` (`-config-file=/root/connect.hcl` holding `{ "connect": { … } }`) loads as JSON.
 */
export function agentParseFormat(doc: AgentConfigDoc): AgentConfigDoc {
  if (doc.format !== 'hcl') return doc;
  const first = /\S/.exec(doc.text.text);
  return first && first[0] === '{' ? { ...doc, format: 'json' } : doc;
}

/**
 * Whether Nomad reads a `.json` config as HCL: Nomad decodes every config file with `hcl.Decode` (command/agent
 * config_parse.go `ParseConfigFile`), whose `lexMode` picks the parser from the text, not the name, so HCL text in
 * `config.json` loads as HCL. Consul chooses by extension (agent/config `ParseFile`: `.json` goes to encoding/json),
 * so the same text in a Consul `.json` file is an error and stays JSON here.
 */
export function nomadReadsAsHcl(cfg: ParsedAgentConfig): boolean {
  if (cfg.product !== 'nomad' || cfg.doc.format !== 'json') return false;
  const first = /\S/.exec(cfg.doc.text.text);
  return first !== null && first[0] !== '{';
}
