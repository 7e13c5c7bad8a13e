/**
 * What version of Nomad, Consul and Vault each image installs, and where that
 * version comes from: a download URL or package pin in a script, the script's
 * default, a Packer `environment_vars` entry and the Packer variable behind
 * it — or nothing at all (an unpinned "latest" install).
 */
import type { InstalledVersion } from './api';
import type { DeploymentModel } from './model/deploymentModel';
import { packerProvisioners, provisionersRunning } from './packer';
import type { ScriptFacts } from './scripts/scriptModel';
import type { ChainStep, ResolvedValue } from './types';
import { baseName } from './workspace/fileKinds';
import { commonPrefixLength, commonSuffixLength } from './parsers/textPrefix';
import { resumedFrom } from './parsers/powershell';
import type { PsScanResult } from './parsers/powershell';

type ProductName = InstalledVersion['product'];
const PRODUCTS: readonly ProductName[] = ['nomad', 'consul', 'vault'];

const cache = new WeakMap<DeploymentModel, InstalledVersion[]>();

const perScript = new WeakMap<ScriptFacts, { readonly provisioners: readonly unknown[]; readonly versions: InstalledVersion[] }>();

export function collectVersions(model: DeploymentModel): InstalledVersion[] {
  const hit = cache.get(model);
  if (hit) return hit;
  const out: InstalledVersion[] = [];
  // A script's versions depend on its facts and the Packer provisioners, both reused while unchanged.
  const provisioners = packerProvisioners(model);
  for (const s of model.scripts) {
    const known = perScript.get(s);
    if (known && known.provisioners === provisioners) {
      out.push(...known.versions);
      continue;
    }
    const versions = versionsInScript(model, s);
    perScript.set(s, { provisioners, versions });
    out.push(...versions);
  }
  out.push(...versionsInInline(model));
  cache.set(model, out);
  return out;
}

/**
 * Where a script's text names a product version, found from the text alone: a
 * pure function of the text, so it is computed once per distinct script text
 * (keyed by the scan result, which the engine shares between identical texts)
 * and only resolved against each deployment's values.
 */
type VersionMention =
  | { readonly kind: 'token'; readonly product: ProductName; readonly token: string; readonly at: number; readonly where: string }
  | { readonly kind: 'unpinned'; readonly product: ProductName; readonly at: number; readonly length: number; readonly reason: string }
  | { readonly kind: 'guarded'; readonly product: ProductName; readonly guard: string; readonly at: number; readonly length: number };

/** Stands for the script's name in a cached reason: texts are shared between files of different names. */
const SCRIPT_NAME = '\u0000script\u0000';

const mentionsByScan = new WeakMap<object, readonly VersionMention[]>();

function versionMentions(s: ScriptFacts): readonly VersionMention[] {
  // A templated script's scan is of its render; the key is the scan, the text is the one it scanned.
  const hit = mentionsByScan.get(s.scan);
  if (hit) return hit;
  // After a keystroke in a PowerShell script, its scan was resumed from the scan before the edit: the mentions of that
  // text, moved by the edit, when it cannot change them. Only along that chain of one file's scans (a new workspace
  // scans every text afresh, as the benchmark's cold runs measure).
  const last = lastByFile.get(s.file);
  const lastScan = last?.scan.deref();
  // (A bash or templated scan is never a resumed PowerShell one: the lookup answers undefined.)
  const previous = last && lastScan && resumedFrom(s.scan as unknown as PsScanResult)?.resumes(lastScan as PsScanResult) ? last : undefined;
  const found = mentionsOfText(s.text.text, previous);
  mentionsByScan.set(s.scan, found);
  if (lastByFile.size >= 10_000) lastByFile.clear();
  lastByFile.set(s.file, { text: s.text.text, mentions: found, scan: new WeakRef(s.scan) });
  return found;
}

/** How many texts were scanned whole and how many took the mentions of the text before (for the tests). */
export const mentionStats = { scanned: 0, moved: 0 };

/** Per file, the last text scanned, its mentions and its scan (not kept alive by this map). */
const lastByFile = new Map<string, { readonly text: string; readonly mentions: readonly VersionMention[]; readonly scan: WeakRef<object> }>();

/**
 * The mentions of `text`: those of `previous` (the same file's text before one edit) moved by the edit when the edit
 * cannot change them (see movedMentions), else a scan of the whole text. Exported for the differential test.
 */
export function mentionsOfText(text: string, previous?: { readonly text: string; readonly mentions: readonly VersionMention[] }): readonly VersionMention[] {
  const moved = previous && movedMentions(previous.text, previous.mentions, text);
  if (moved) mentionStats.moved++;
  else mentionStats.scanned++;
  return moved ?? scanVersionMentions(text);
}

/**
 * What can change a mention, line by line: a product name or another word the patterns need (`install`, a package
 * manager, `releases`, `hashicorp`, `checkpoint`, `version`), or a character that changes comments (`#`, `<#`, `#>`)
 * or continues an install line (`\`).
 */
const MENTION_TRIGGER = /nomad|consul|vault|install|apt|yum|dnf|choco|releases|hashicorp|checkpoint|version|[#<>\\]/i;

/** How far before a "latest" lookup the guard it may sit in is looked for (guardVariable). */
const GUARD_WINDOW = 400;

/**
 * The mentions of `text` from those of `before`, the same file before one edit, when the edit cannot change them:
 * every pattern of scanVersionMentions matches within one line (or a `\`-continued install line), the comment blanking
 * works line by line (or between `<#` and `#>`), and a guard is looked for in the GUARD_WINDOW characters before a
 * lookup. So when the lines holding the changed text (before and after the edit) hold nothing MENTION_TRIGGER finds, the
 * line before them does not end in `\`, and no mention lies in those lines or within GUARD_WINDOW after them, the
 * mentions are the same, those after the edit moved by its length. Undefined otherwise (the caller scans).
 */
function movedMentions(before: string, mentions: readonly VersionMention[], text: string): VersionMention[] | undefined {
  if (before === text) return [...mentions];
  const p = commonPrefixLength(before, text);
  const q = commonSuffixLength(before, text, Math.min(before.length, text.length) - p);
  const oldEnd = before.length - q;
  const newEnd = text.length - q;
  const lineStart = p === 0 ? 0 : before.lastIndexOf('\n', p - 1) + 1;
  if (lineStart > 0 && /\\\r?\n$/.test(before.slice(Math.max(0, lineStart - 3), lineStart))) return undefined;
  const lineEndOf = (t: string, at: number): number => {
    const i = t.indexOf('\n', at);
    return i < 0 ? t.length : i;
  };
  const oldLines = before.slice(lineStart, lineEndOf(before, oldEnd));
  const newLines = text.slice(lineStart, lineEndOf(text, newEnd));
  if (MENTION_TRIGGER.test(oldLines) || MENTION_TRIGGER.test(newLines)) return undefined;
  const delta = text.length - before.length;
  const reach = lineStart + oldLines.length + GUARD_WINDOW;
  const out: VersionMention[] = [];
  for (const m of mentions) {
    if (m.at >= lineStart && m.at < reach) return undefined;
    out.push(m.at < lineStart ? m : { ...m, at: m.at + delta });
  }
  return out;
}

/** Per product, in order: a guarded latest lookup (alone), download URLs, release paths, install lines, a version variable, latest lookups. */
/**
 * The text with comments blanked (same length, so offsets hold): a commented-out download line
 * (`#Invoke-WebRequest …/nomad/1.5.0/…`, `# wget …`) installs nothing. Whole-line `#` comments (PowerShell and
 * bash) and PowerShell `<# … #>` blocks.
 */
export function withoutComments(text: string): string {
  const blank = (m: string) => m.replace(/[^\n]/g, ' ');
  // Blocks first: a `#>` line would otherwise be blanked as a line comment and the block would never close.
  const t = text.includes('<#') ? text.replace(/<#[\s\S]*?#>/g, blank) : text;
  // `^[ \t]*#.*$` (multiline) by jumping from `#` to `#`: a regex replace with a callback per line was the larger part of
  // this scan on a long script, and most lines hold no `#`.
  const parts: string[] = [];
  let copied = 0;
  for (let hash = t.indexOf('#'); hash >= 0;) {
    let lineStart = hash;
    while (lineStart > 0 && !isLineTerminator(t.charCodeAt(lineStart - 1))) lineStart--;
    let indent = lineStart;
    while (indent < hash && (t[indent] === ' ' || t[indent] === '\t')) indent++;
    let lineEnd = hash;
    while (lineEnd < t.length && !isLineTerminator(t.charCodeAt(lineEnd))) lineEnd++;
    if (indent === hash) {
      parts.push(t.slice(copied, lineStart), ' '.repeat(lineEnd - lineStart));
      copied = lineEnd;
    }
    hash = t.indexOf('#', lineEnd);
  }
  if (parts.length === 0) return t;
  parts.push(t.slice(copied));
  return parts.join('');
}

/** What ends a line for `^`, `$` and `.` in a JavaScript regular expression. */
function isLineTerminator(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

function scanVersionMentions(source: string): VersionMention[] {
  const text = withoutComments(source);
  const out: VersionMention[] = [];
  const lower = text.toLowerCase();
  let lines: ReturnType<typeof installLines> | undefined;
  // Each pattern below needs a literal of its own; a text without it (checked on the lower-cased text, which holds the
  // literal whenever a case-insensitive match exists) skips a scan of the whole script.
  const latestLiteral = lower.includes('hashicorp.com/v1/');
  for (const product of PRODUCTS) {
    // Every pattern below names the product: a script that never does installs none of it.
    if (!lower.includes(product)) continue;
    const seen = new Set<number>();
    const add = (m: VersionMention) => {
      if (!seen.has(m.at)) {
        seen.add(m.at);
        out.push(m);
      }
    };
    // A "latest" lookup guarded by `if (-not $NomadVersion)` / `if [ -z "$NOMAD_VERSION" ]` / `${NOMAD_VERSION:-$(curl …)}`
    // is only a fallback: when the guarded input is given (a parameter default, a Packer environment_vars
    // entry), that input is the version the image installs.
    const latestAt = latestLiteral ? PATTERNS[product].latestOne.exec(text) : null;
    const guard = latestAt ? guardVariable(text, latestAt.index) : undefined;
    if (latestAt && guard) {
      out.push({ kind: 'guarded', product, guard, at: latestAt.index, length: latestAt[0].length });
      continue;
    }
    // Release downloads: https://releases.hashicorp.com/nomad/<version>/nomad_<version>_linux_amd64.zip
    const url = PATTERNS[product].url;
    if (lower.includes(`releases.hashicorp.com/${product}/`))
      for (const m of text.matchAll(url)) {
        add({ kind: 'token', product, token: m[1]!, at: (m.index ?? 0) + m[0].indexOf('/', 24) + 1, where: 'download URL' });
      }
    // The same release path behind a host in a variable: "${releases}/consul/${version}/consul_${version}_windows_amd64.zip".
    const releasePath = PATTERNS[product].releasePath;
    if (lower.includes(`/${product}/`))
      for (const m of text.matchAll(releasePath)) {
        add({ kind: 'token', product, token: m[1]!, at: (m.index ?? 0) + product.length + 2, where: 'download URL' });
      }
    // Package managers: apt-get install nomad=1.10.5-1, yum install nomad-1.10.5, choco install nomad --version 1.10.5
    lines ??= lower.includes('install') ? installLines(text) : [];
    for (const line of lines) {
      // `nomad=1.10.5-1`, `nomad-1.10.5`, and the quoted `consul="${CONSULVERSION}*"`.
      const m = PATTERNS[product].pkg.exec(line.text);
      if (!m) continue;
      const pinText = m[1] ? m[1].slice(1).replace(/^["']|["']$/g, '') : /--version[ =]+([^\s"']+)/.exec(line.text.slice(m.index))?.[1];
      // `nomad=1.10.5-1`: the Debian/RPM package revision is not part of the product version.
      const pin = pinText && line.manager !== 'choco' && line.manager !== 'chocolatey' ? pinText.replace(/-\d+$/, '') : pinText;
      // At the pin itself when it is found on the line (its origin: a `${x}` of the Terraform render), else the line.
      const pinAt = pinText ? text.indexOf(pinText, line.start) : -1;
      const at = pinAt >= 0 && pinAt < line.start + line.text.length ? pinAt : line.start;
      if (pin) add({ kind: 'token', product, token: pin, at, where: `${line.manager} install` });
      else
        add({
          kind: 'unpinned',
          product,
          at: line.start,
          length: line.text.length,
          reason: `${line.manager} installs the latest ${product} (no version pinned)`,
        });
    }
    // A version variable the script uses (`${NOMAD_VERSION}`, `$NomadVersion`, `$env:NOMAD_VERSION`), e.g. passed to a helper
    // function; only when no download URL or install line already named the version (they are the same use).
    const viaVar = lower.includes(`${product}version`) || lower.includes(`${product}_version`) ? PATTERNS[product].viaVar.exec(text) : null;
    if (viaVar && seen.size === 0) add({ kind: 'token', product, token: viaVar[0], at: viaVar.index, where: `$${viaVar[1]}` });
    // "Latest" lookups: checkpoint API or the releases index.
    const latest = PATTERNS[product].latestAll;
    if (latestLiteral)
      for (const m of text.matchAll(latest))
        add({
          kind: 'unpinned',
          product,
          at: m.index ?? 0,
          length: m[0].length,
          reason: SCRIPT_NAME + ` installs whatever ${product} release is current at build time`,
        });
  }
  return out;
}

function versionsInScript(model: DeploymentModel, s: ScriptFacts): InstalledVersion[] {
  const out: InstalledVersion[] = [];
  // Two mentions that map to the same host characters (a template render) are one installation.
  const seen = new Set<string>();
  for (const m of versionMentions(s)) {
    const v =
      m.kind === 'guarded'
        ? guardedLatest(model, s, m.product, m.guard, m.at, m.length)
        : m.kind === 'token'
          ? fromToken(model, s, m.product, m.token, m.at, `${m.where} in ${baseName(s.file)}`)
          : unpinned(s, m.product, m.at, m.length, m.reason.replace(SCRIPT_NAME, baseName(s.file)));
    const key = `${v.product}:${v.span.start}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}

/**
 * Versions installed by the `inline` commands of Packer provisioners (`curl -O https://releases.hashicorp.com/nomad/0.11.1/…`,
 * `DownloadFile('https://releases.hashicorp.com/consul/1.7.3/…')`, `apt-get install -y nomad=1.10.5-1`). The OS is the
 * provisioner's: `powershell` / `windows-shell` run on Windows, `shell` on Linux.
 */
function versionsInInline(model: DeploymentModel): InstalledVersion[] {
  const out: InstalledVersion[] = [];
  for (const p of packerProvisioners(model)) {
    const os = p.type === 'powershell' || p.type === 'windows-shell' ? 'windows' : p.type === 'shell' ? 'linux' : undefined;
    if (!os) continue;
    p.inline.forEach((item, i) => {
      const raw = model.files.get(p.file)?.text.slice(item.start, item.end) ?? '';
      const rendered = p.inlineValues[i];
      const text = rendered?.kind === 'known' ? rendered.text : raw;
      const itemSpan = { file: p.file, start: item.start, end: item.end };
      for (const product of PRODUCTS) {
        const found = (version: string | undefined, where: string, reason?: string): void => {
          // The literal as written in the template gets its own span; a version that came from a Packer variable gets the command's.
          const at = version ? raw.indexOf(version) : -1;
          const span = at >= 0 ? { file: p.file, start: item.start + at, end: item.start + at + version!.length } : itemSpan;
          const chain: ChainStep[] = [
            ...(at < 0 && rendered ? rendered.chain : []),
            { span, note: `${where} in the ${p.type} provisioner of ${baseName(p.file)}` },
          ];
          out.push(
            version
              ? { product, os, version, pinned: true, span, chain }
              : { product, os, version: undefined, pinned: false, reason: reason ?? `${where} pins no ${product} version`, span, chain },
          );
        };
        const url = PATTERNS[product].urlOne.exec(text);
        if (url) {
          found(versionOf(url[1]!), 'download URL', `version \`${url[1]}\` is not known before the build`);
          continue;
        }
        // The install-nomad / install-consul modules (terraform-aws-nomad, terraform-aws-consul): `install-nomad --version 0.5.5`.
        const helper = PATTERNS[product].helper.exec(text);
        if (helper) {
          found(versionOf(helper[1]!), `install-${product} --version`, `version \`${helper[1]}\` is not known before the build`);
          continue;
        }
        for (const line of installLines(text)) {
          const m = PATTERNS[product].pkg.exec(line.text);
          if (!m) continue;
          const pinText = m[1] ? m[1].slice(1).replace(/^["']|["']$/g, '') : /--version[ =]+([^\s"']+)/.exec(line.text.slice(m.index))?.[1];
          const pin = pinText && line.manager !== 'choco' && line.manager !== 'chocolatey' ? pinText.replace(/-\d+$/, '') : pinText;
          found(
            pin ? versionOf(pin) : undefined,
            `${line.manager} install`,
            pin ? `version \`${pin}\` is not a release version` : `${line.manager} installs the latest ${product} (no version pinned)`,
          );
        }
        if (PATTERNS[product].latestOne.test(text))
          found(
            undefined,
            'latest-release lookup',
            `the ${p.type} provisioner of ${baseName(p.file)} installs whatever ${product} release is current at build time`,
          );
      }
    });
  }
  return out;
}

/** Lines that install packages (`apt-get install`, `yum install`, `choco install`), found in one linear pass. */
function installLines(text: string): Array<{ text: string; start: number; manager: string }> {
  const out: Array<{ text: string; start: number; manager: string }> = [];
  // A command continued with `\` on the next lines (`apt-get -y install \⏎ consul=$V* \⏎ nomad=$W*`) is one line.
  const re = /\b(apt-get|apt|yum|dnf|chocolatey|choco)\b(?:[^\n\\]|\\(?!\n))*(?:\\\n(?:[^\n\\]|\\(?!\n))*)*/g;
  for (const m of text.matchAll(re)) {
    const rest = m[0];
    const inst = /\binstall\b/.exec(rest);
    if (!inst) continue;
    out.push({ text: rest.slice(inst.index), start: (m.index ?? 0) + inst.index, manager: m[1]! });
  }
  return out;
}

/**
 * The patterns per product, compiled once (they were built per script, per product and per Packer inline command).
 * The global ones are only used with matchAll, which copies the regex, so sharing them is safe; the others have no
 * `g` flag and keep no state between calls.
 */
type PatternName = 'url' | 'urlOne' | 'releasePath' | 'pkg' | 'viaVar' | 'latestAll' | 'latestOne' | 'helper';

const PATTERNS: Readonly<Record<ProductName, Readonly<Record<PatternName, RegExp>>>> = Object.fromEntries(
  PRODUCTS.map((product) => {
    const latest = `checkpoint-api\\.hashicorp\\.com/v1/check/${product}|api\\.releases\\.hashicorp\\.com/v1/releases/${product}/latest`;
    return [
      product,
      {
        // Release downloads: https://releases.hashicorp.com/nomad/<version>/nomad_<version>_linux_amd64.zip
        url: new RegExp(`releases\\.hashicorp\\.com/${product}/([^/\\s"'\`]+)/`, 'gi'),
        urlOne: new RegExp(`releases\\.hashicorp\\.com/${product}/([^/\\s"'\`]+)/`, 'i'),
        releasePath: new RegExp(`(?<!releases\\.hashicorp\\.com)/${product}/([^/\\s"'\`]+)/${product}_`, 'gi'),
        // `nomad=1.10.5-1`, `nomad-1.10.5`, and the quoted `consul="${CONSULVERSION}*"` on an install line.
        pkg: new RegExp(`\\b${product}(=(["']?)[^\\s"']+\\2|-\\d[^\\s"']*)?(?![\\w.-])`),
        viaVar: new RegExp(`\\$\\{?((?:env:)?${product}_?version)\\b`, 'i'),
        latestAll: new RegExp(latest, 'gi'),
        latestOne: new RegExp(latest, 'i'),
        // Not `install-consul-terraform-sync` / `install-consul-template`: the name ends where a word or a hyphen would go on.
        helper: new RegExp(`\\binstall-${product}(?![\\w-])[^\\n]*?--version[ =]+["']?([^\\s"']+)`),
      },
    ];
  }),
) as Record<ProductName, Record<PatternName, RegExp>>;

/** The version an image installs when its latest-release lookup is only the fallback for an input that is given. */
function guardedLatest(model: DeploymentModel, s: ScriptFacts, product: ProductName, guard: string, at: number, length: number): InstalledVersion {
  let v = s.resolveInput(guard, at);
  if (v.kind === 'unknown') {
    const envName = /\$env:([A-Za-z_][A-Za-z0-9_]*)/i.exec(v.reason)?.[1] ?? guard;
    const fromPacker = packerEnv(model, s, envName);
    if (fromPacker) v = fromPacker.kind === 'known' ? { ...fromPacker, chain: [...fromPacker.chain, ...v.chain] } : fromPacker;
  }
  const span = s.text.toHost(at, at + length);
  const ver = v.kind === 'known' ? /^v?(\d+\.\d+\.\d+(?:[-+][\w.]+)?)/.exec(v.text.trim()) : null;
  if (v.kind === 'known' && ver) {
    return {
      product,
      os: s.os,
      version: ver[1]!,
      pinned: true,
      span,
      chain: [...v.chain, { span, note: `${baseName(s.file)} looks up the latest ${product} only when $${guard} is empty` }],
    };
  }
  const why = v.kind === 'unknown' ? v.reason : `$${guard} is "${v.text}"`;
  return {
    product,
    os: s.os,
    version: undefined,
    pinned: false,
    reason: `${baseName(s.file)} installs whatever ${product} release is current at build time: $${guard} is not given (${why})`,
    span,
    chain: [...v.chain, { span, note: `latest-release lookup when $${guard} is empty` }],
  };
}

/** The variable whose emptiness guards the code at `at`, if any. */
function guardVariable(text: string, at: number): string | undefined {
  const before = text.slice(Math.max(0, at - 400), at);
  const ps =
    /\bif\s*\(\s*(?:-not\s+|!\s*)\$([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*\{([^{}]*)$/i.exec(before) ??
    /\bif\s*\(\s*\[string\]::IsNullOrEmpty\(\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*\)\s*\{([^{}]*)$/i.exec(before);
  if (ps) return ps[1];
  const shIf = /\bif\s+\[\[?\s*-z\s+"?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"?\s*\]\]?\s*;?\s*then\b((?:(?!\bfi\b)[\s\S])*)$/.exec(before);
  if (shIf) return shIf[1];
  const shDefault = /\$\{([A-Za-z_][A-Za-z0-9_]*):?-[^}\n]*$/.exec(before);
  return shDefault?.[1];
}

function unpinned(s: ScriptFacts, product: ProductName, at: number, len: number, reason: string): InstalledVersion {
  return { product, os: s.os, version: undefined, pinned: false, reason, span: s.text.toHost(at, at + len), chain: [] };
}

/** A version token as written: a literal (`1.10.5`) or a variable (`${NOMAD_VERSION}`, `$NomadVersion`, `$($v)`). */
/**
 * The product version in a pin: `1.10.5`, `v1.10.5`, `1.9.0-beta.1`; a Debian pre-release `1.8.0~beta.1-1`
 * (`~` sorts before the release, `-1` is the package revision) is `1.8.0-beta.1`, not `1.8.0`.
 */
export function versionOf(t: string): string | undefined {
  const deb = /^v?(\d+\.\d+\.\d+)~([0-9A-Za-z.]+?)(?:-\d+)?(?![\w.~-])/.exec(t);
  if (deb) return `${deb[1]}-${deb[2]}`;
  return /^v?(\d+\.\d+\.\d+(?:[-+][\w.]+)?)/.exec(t)?.[1];
}

function fromToken(model: DeploymentModel, s: ScriptFacts, product: ProductName, token: string, at: number, where: string): InstalledVersion {
  const span = s.text.toHost(at, at + token.length);
  const literal = versionOf(token);
  if (literal) {
    const origin = s.text.originsIn(at, at + token.length)[0];
    return { product, os: s.os, version: literal, pinned: true, span, chain: [...(origin?.chain ?? []), { span, note: where }] };
  }
  // `$1` too: a positional parameter (of the script, or of the shell function the URL is in).
  const varName = /^\$\{?(?:env:)?([A-Za-z_][A-Za-z0-9_]*|[1-9](?![0-9]))/.exec(token)?.[1] ?? /^\$\(\$?([A-Za-z_][A-Za-z0-9_.]*)/.exec(token)?.[1];
  // A `${x}` the Terraform render left unknown (a required variable, a value known only after apply): its reason and
  // chain, not the shell's "$x is not set".
  const rendered = s.text.originsIn(at, at + token.length).find((o) => o.kind === 'unknown');
  if (rendered?.kind === 'unknown')
    return { product, os: s.os, version: undefined, pinned: false, reason: rendered.reason, span, chain: [...rendered.chain, { span, note: where }] };
  if (!varName) return { product, os: s.os, version: undefined, pinned: false, reason: `version \`${token}\` is computed at run time`, span, chain: [] };
  let v: ResolvedValue = s.resolveVariable(/env:/i.test(token) ? `env:${varName}` : varName, at);
  if (v.kind === 'unknown') {
    // The script may read it from the environment under another name: `param($NomadVersion = $env:NOMAD_VERSION)`.
    const envName = /\$env:([A-Za-z_][A-Za-z0-9_]*)/i.exec(v.reason)?.[1];
    const viaEnv = envName ? packerEnv(model, s, envName) : undefined;
    const fromPacker = viaEnv && viaEnv.kind === 'known' ? { ...viaEnv, chain: [...viaEnv.chain, ...v.chain] } : packerEnv(model, s, varName);
    if (fromPacker) v = fromPacker;
  }
  const step: ChainStep = { span, note: where };
  if (v.kind === 'known') {
    const ver = versionOf(v.text.trim());
    if (ver) return { product, os: s.os, version: ver, pinned: true, span, chain: [...v.chain, step] };
    return { product, os: s.os, version: undefined, pinned: false, reason: `$${varName} is "${v.text}", not a version`, span, chain: [...v.chain, step] };
  }
  return { product, os: s.os, version: undefined, pinned: false, reason: v.reason, span, chain: [...v.chain, step] };
}

/** `NOMAD_VERSION` handed to the script by the Packer provisioner that runs it. */
function packerEnv(model: DeploymentModel, s: ScriptFacts, name: string): ResolvedValue | undefined {
  const provs = provisionersRunning(model, s.file);
  for (const p of provs) {
    const v = p.env?.get(name);
    if (v) return v;
  }
  if (provs.length > 0) {
    const p = provs[0]!;
    return {
      kind: 'unknown',
      reason: `the Packer provisioner that runs ${baseName(s.file)} passes no ${name}`,
      chain: [{ span: p.span, note: `${p.type} provisioner runs ${baseName(s.file)}${p.env ? '' : ' without environment_vars'}` }],
    };
  }
  return undefined;
}
