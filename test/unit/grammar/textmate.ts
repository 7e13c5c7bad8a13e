// Tokenizes real files with the real TextMate engine (vscode-textmate + the
// Oniguruma WASM), the way VS Code does: a host grammar (source.powershell /
// source.shell), the injection grammars that package.json's
// contributes.grammars injects into it, and the embedded HCL grammar.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';
import { repoRoot } from '../../support/paths';

export interface Token {
  text: string;
  start: number;
  scopes: string[];
}

export interface Hosts {
  powershell: string; // path of the grammar whose scopeName is source.powershell
  shell: string; // path of the grammar whose scopeName is source.shell
}

interface GrammarContribution {
  scopeName: string;
  path: string;
  injectTo?: string[];
  embeddedLanguages?: Record<string, string>;
}

export const root = repoRoot();

export const fixtureHosts: Hosts = {
  powershell: path.join(root, 'test/fixtures/grammars/powershell.tmLanguage.json'),
  shell: path.join(root, 'test/fixtures/grammars/shell.tmLanguage.json'),
};

/** The grammars of VS Code itself, as installed for the e2e layer (.ci/install-e2e.sh), if present. */
export function vscodeHosts(): Hosts | undefined {
  const cache = process.env.HSR_E2E_CACHE ?? path.join(root, '.e2e-cache');
  const ext = path.join(cache, 'code-server/node_modules/code-server/lib/vscode/extensions');
  const hosts = {
    powershell: path.join(ext, 'powershell/syntaxes/powershell.tmLanguage.json'),
    shell: path.join(ext, 'shellscript/syntaxes/shell-unix-bash.tmLanguage.json'),
  };
  return fs.existsSync(hosts.powershell) && fs.existsSync(hosts.shell) ? hosts : undefined;
}

export function contributions(): GrammarContribution[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    contributes?: { grammars?: GrammarContribution[] };
  };
  return pkg.contributes?.grammars ?? [];
}

let onigLib: Promise<vsctm.IOnigLib> | undefined;
export function onig(): Promise<vsctm.IOnigLib> {
  onigLib ??= (async () => {
    const wasm = fs.readFileSync(path.join(root, 'node_modules/vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return {
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    };
  })();
  return onigLib;
}

const registries = new Map<string, vsctm.Registry>();

function registry(hosts: Hosts): vsctm.Registry {
  const key = `${hosts.powershell}|${hosts.shell}`;
  let reg = registries.get(key);
  if (reg) return reg;
  const grammars = contributions();
  const files = new Map<string, string>([
    ['source.powershell', hosts.powershell],
    ['source.shell', hosts.shell],
    ...grammars.map((g): [string, string] => [g.scopeName, path.join(root, g.path)]),
  ]);
  reg = new vsctm.Registry({
    onigLib: onig(),
    loadGrammar: async (scopeName) => {
      const file = files.get(scopeName);
      if (!file) return null; // e.g. source.hcl: not shipped, not needed
      return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
    getInjections: (scopeName) => grammars.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName),
  });
  registries.set(key, reg);
  return reg;
}

/** Tokens of every line of `text` (lines split on \n, a trailing \r kept out). */
export async function tokenize(scopeName: 'source.powershell' | 'source.shell', text: string, hosts: Hosts = fixtureHosts): Promise<Token[][]> {
  const grammar = await registry(hosts).loadGrammar(scopeName);
  if (!grammar) throw new Error(`grammar ${scopeName} not found`);
  let state = vsctm.INITIAL;
  const out: Token[][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const r = grammar.tokenizeLine(line, state, 5000);
    if (r.stoppedEarly) throw new Error(`tokenization stopped early on: ${line}`);
    out.push(
      r.tokens
        .map((t) => ({ text: line.slice(t.startIndex, Math.min(t.endIndex, line.length)), start: t.startIndex, scopes: t.scopes }))
        .filter((t) => t.text.length > 0),
    );
    state = r.ruleStack;
  }
  return out;
}

export async function tokenizeFile(
  scopeName: 'source.powershell' | 'source.shell',
  rel: string,
  hosts?: Hosts,
): Promise<{ lines: string[]; tokens: Token[][] }> {
  const text = fs.readFileSync(path.join(root, rel), 'utf8');
  return { lines: text.split('\n').map((l) => l.replace(/\r$/, '')), tokens: await tokenize(scopeName, text, hosts) };
}

export const EMBEDDED = 'meta.embedded.block.hcl';

export function isEmbedded(t: Token): boolean {
  return t.scopes.some((s) => s === EMBEDDED || s.startsWith(EMBEDDED + '.'));
}

/** The token of line `line` (0-based) that contains the `nth` occurrence of `needle`'s first character. */
export function tokenAt(tokens: Token[][], line: number, needle: string, nth = 0): Token {
  const lineTokens = tokens[line] ?? [];
  const text = lineTokens.map((t) => t.text).join('');
  let idx = -1;
  for (let i = 0; i <= nth; i++) {
    idx = text.indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`"${needle}" not found on line ${line + 1}: ${text}`);
  }
  const tok = lineTokens.find((t) => t.start <= idx && idx < t.start + t.text.length);
  if (!tok) throw new Error(`no token at ${idx} on line ${line + 1}`);
  return tok;
}

/** Whether a scope list has `scope` or a more specific one (TextMate selector semantics). */
export function has(t: Token, scope: string): boolean {
  return t.scopes.some((s) => s === scope || s.startsWith(scope + '.'));
}

/** 0-based line index of the first line equal to `text` after trimming its end, from line `from`. */
export function lineOf(lines: string[], text: string, from = 0): number {
  const i = lines.findIndex((l, n) => n >= from && l.trimEnd() === text);
  if (i < 0) throw new Error(`line not found: ${text}`);
  return i;
}

/** Lines (0-based) with at least one embedded-HCL token. */
export function embeddedLines(tokens: Token[][]): number[] {
  return tokens.flatMap((line, i) => (line.some(isEmbedded) ? [i] : []));
}

/** Lines (0-based, non-blank) between `from` and `to` inclusive. */
export function nonBlank(lines: string[], from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) if ((lines[i] ?? '').trim() !== '') out.push(i);
  return out;
}

export function describeLine(tokens: Token[][], line: number): string {
  return (tokens[line] ?? []).map((t) => `${JSON.stringify(t.text)} ${t.scopes.slice(1).join(' ')}`).join('\n');
}
