/**
 * tls-ca-per-instance: a script that runs at boot (user data: a `templatefile()` / `data "template_file"` template, an
 * inline `user_data` heredoc, cloud-init `runcmd`, and the tree scripts they call) creates the Consul/Nomad TLS CA
 * (`consul tls ca create`, `nomad tls ca create`, `consul.exe tls ca create`) and signs the agent's certificate with it,
 * on two or more machines. Each machine then has its own CA and no other agent trusts its certificate:
 * `x509: certificate signed by unknown authority` / `remote error: tls: bad certificate`.
 *
 * Reported only when all of this is certain:
 * - some agent config of the product names a CA file and turns TLS verification on;
 * - the command is not inside a condition (`if`, `case`, `&&` / `||` after a test, a PowerShell `if` / `switch`, a
 *   Terraform `%{ if }`): a bootstrap guard makes one machine create it. A test that the CA file exists is no guard
 *   (every fresh machine lacks it);
 * - a `tls cert create` of the product on the same machines signs with the created CA (no `-ca` naming another file);
 * - nothing in those boot scripts delivers a CA (a download or secret read naming a CA, a write of a CA file, a
 *   template value about a CA), and the tree makes or ships no CA otherwise (a Terraform CA resource, a Terraform or
 *   Packer `file` provisioner uploading a CA file);
 * - the Terraform resources that run the scripts make two or more instances in total, counted as
 *   servers-bootstrap-expect counts them (`count`, `for_each`, one VM, the one group using a launch template, times
 *   the module instances). A count the tree does not decide counts as none.
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import { packerProvisioners, provisionersRunning } from '../../packer';
import type { ScriptFacts } from '../../scripts/scriptModel';
import { shellFunctions } from '../../scripts/bashModel';
import { templateCallLabel } from '../../terraform/model';
import type { TemplateCall } from '../../terraform/model';
import type { Finding, Product, RelatedInfo, Span } from '../../types';
import { baseName } from '../../workspace/fileKinds';
import { chainRelated, finding, rolesOf } from '../check';
import type { Check } from '../check';
import type { InstanceCount } from '../drift/bootstrapExpect';
import { SINGLE_VM, TEMPLATE_ONLY, resourceInstances, resourcesOf } from '../drift/bootstrapExpect';
import { psValueText, lineOf, programFileName } from './shared';
import { caSetting, tlsCommand, verification } from './tlsCaPerImage';

/** One `tls ca create` / `tls cert create` of a script, in the script's text. */
interface TlsCmd {
  readonly product: Product;
  readonly what: 'ca' | 'cert';
  readonly start: number;
  readonly end: number;
  /** `tls cert create -ca X`: X as written. */
  readonly caArg?: string;
  /** Inside a condition that may make only one machine run it. */
  readonly guarded: boolean;
}

/** What one script does about the CA (cached per ScriptFacts: unchanged scripts keep theirs). */
interface CaFacts {
  readonly cmds: readonly TlsCmd[];
  /** It fetches or writes a CA from elsewhere (a download, a secret, a template value). */
  readonly delivers: boolean;
  /** Base names a `mv` / `cp` gives the created CA (`mv consul-agent-ca.pem /etc/consul.d/tls/ca.pem`). */
  readonly renamed: readonly string[];
}

const NONE: CaFacts = { cmds: [], delivers: false, renamed: [] };
const factsMemo = new WeakMap<ScriptFacts, CaFacts>();

/** A word naming a CA: `ca.pem`, `consul-agent-ca.pem`, `pki/cert/ca`, `ca_cert`, `cacert`. */
const CA_WORD = /(^|[^a-z0-9])ca([^a-z0-9]|$)|cacert|ca[-_]?(cert|crt|pem|bundle)|agent-ca/i;
/** A file holding a CA certificate. */
const CA_FILE = /(^|[-_.])ca([-_.][^/\\]*)?\.(pem|crt|cer)$|cacert|^ca$/i;
/** The names `tls ca create` saves: `consul-agent-ca.pem`, `consul-ca.pem`, `example.com-agent-ca.pem`. */
const CREATED_CA = /-ca\.pem$/i;
/** A Terraform value about a CA: `${ca_cert}`, `${tls_self_signed_cert.ca.cert_pem}`, `${vault_pki_…}`. */
const CA_EXPR = /(^|[^a-z0-9])ca([^a-z0-9]|$)|tls_self_signed_cert|tls_locally_signed_cert|vault_pki|cacert/i;
/** Commands that bring a file or secret from elsewhere. */
const FETCH = new Set([
  'aws',
  'gsutil',
  'gcloud',
  'az',
  'vault',
  'scp',
  'rsync',
  'curl',
  'wget',
  'read-s3object',
  'copy-s3object',
  'get-secsecretvalue',
  'get-ssmparameter',
  'get-ssmparametervalue',
  'invoke-webrequest',
  'invoke-restmethod',
  'iwr',
  'irm',
  'start-bitstransfer',
  'get-azkeyvaultsecret',
  'read-gcsobject',
  'get-gcsobject',
]);

/** A test only of a file's existence (`[ ! -f ca.pem ]`, `Test-Path $ca`): every fresh machine takes the same way. */
function fileTest(cond: string): boolean {
  const c = cond.trim().replace(/;$/, '').trim();
  if (/^!?\s*(\[\[?|test\b)\s*!?\s*-[efsrd]\s+\S+\s*(\]\]?)?$/.test(c)) return true;
  return /^\(?\s*(!|-not\s+)?\s*\(?\s*Test-Path\b[^()]*\)?\s*\)?$/i.test(c);
}

/** Same-length text with the given ranges blanked (line breaks kept). */
function blank(text: string, ranges: ReadonlyArray<{ start: number; end: number }>): string {
  const chars = text.split('');
  for (const r of ranges) for (let i = Math.max(0, r.start); i < Math.min(text.length, r.end); i++) if (chars[i] !== '\n') chars[i] = ' ';
  return chars.join('');
}

/** Bash: whether a command at `offset` may run on only some machines (inside `if` / `case`, after `test &&`). */
function bashGuard(text: string, heredocs: ReadonlyArray<{ bodyStart: number; bodyEnd: number }>): (offset: number) => boolean {
  const quoted: Array<{ start: number; end: number }> = heredocs.map((h) => ({ start: h.bodyStart, end: h.bodyEnd }));
  // Quoted text (its inside) and comments are not code.
  for (const m of text.matchAll(/'[^'\n]*'|"(?:[^"\\\n]|\\.)*"|(?<=^|[ \t])#[^\n]*/gm))
    quoted.push(m[0].startsWith('#') ? { start: m.index, end: m.index + m[0].length } : { start: m.index + 1, end: m.index + m[0].length - 1 });
  const masked = blank(text, quoted);
  const functions = shellFunctions(text, heredocs);
  const direct = (o: number): boolean => {
    const stack: Array<{ kind: 'if' | 'case'; cond: string; condStart: number; open: boolean }> = [];
    for (const m of masked.slice(0, o).matchAll(/(?<=(?:^|[;&|({]|\bthen|\bdo|\belse)[ \t]*)(if|elif|then|fi|case|esac)\b/gm)) {
      const kw = m[1]!;
      const at = m.index + kw.length;
      if (kw === 'if') stack.push({ kind: 'if', cond: '', condStart: at, open: true });
      else if (kw === 'elif') {
        const top = stack[stack.length - 1];
        if (top?.kind === 'if') {
          top.condStart = at;
          top.open = true;
        }
      } else if (kw === 'then') {
        const top = stack[stack.length - 1];
        if (top?.kind === 'if' && top.open) {
          top.cond += `${top.cond ? ' ; ' : ''}${text.slice(top.condStart, m.index)}`;
          top.open = false;
        }
      } else if (kw === 'case') stack.push({ kind: 'case', cond: '', condStart: at, open: false });
      else if (stack.length) stack.pop();
    }
    for (const f of stack) {
      if (f.kind === 'case') return true;
      if (!f.cond.split(' ; ').every((c) => fileTest(c.replace(/;\s*$/, '')))) return true;
    }
    // `A && cmd` / `A || cmd` on the command's line: guarded unless A is a file test or a plain step (`cd`, `mkdir`).
    const lineStart = masked.lastIndexOf('\n', o - 1) + 1;
    const parts = masked.slice(lineStart, o).split(/&&|\|\|/);
    for (const p of parts.slice(0, -1)) {
      const t = p.trim().replace(/^.*;/, '').trim();
      if (fileTest(t)) continue;
      if (/^(sudo\s+)?(cd|pushd|mkdir|chmod|chown|echo|set|export|true)\b/.test(t)) continue;
      return true;
    }
    return false;
  };
  const guarded = (o: number, depth: number): boolean => {
    if (direct(o)) return true;
    const f = functions.filter((x) => x.bodyStart <= o && o < x.bodyEnd).pop();
    if (!f) return false;
    if (depth > 4) return true;
    const calls = [
      ...masked.matchAll(new RegExp(`(^|[;&|]|\\bthen\\b|\\bdo\\b|\\belse\\b)[ \\t]*${f.name.replace(/[-]/g, '\\-')}(?=[ \\t;]|$)(?![ \\t]*\\()`, 'gm')),
    ]
      .map((m) => m.index + m[0].length - f.name.length)
      .filter((c) => !(f.bodyStart <= c && c < f.bodyEnd));
    // A function nothing calls never runs; one called from an unguarded place runs on every machine.
    return !calls.some((c) => !guarded(c, depth + 1));
  };
  return (o) => guarded(o, 0);
}

/** PowerShell: whether a command at `offset` is inside an `if` / `else` / `switch` block (or a function called only there). */
function psGuard(s: Extract<ScriptFacts, { language: 'powershell' }>): (offset: number) => boolean {
  const text = s.text.text;
  const masked = blank(text, [...s.scan.strings.map((x) => ({ start: x.start, end: x.end })), ...s.scan.comments.map((x) => ({ start: x.start, end: x.end }))]);
  const direct = (o: number): boolean => {
    const stack: Array<{ guard: boolean; cond: string }> = [];
    let lastIf = '';
    let from = 0;
    for (let i = 0; i < o; i++) {
      const ch = masked[i];
      if (ch === '{') {
        const head = masked.slice(from, i);
        const m = /\b(if|elseif)\s*\(([\s\S]*)\)\s*$/i.exec(head);
        if (m) {
          lastIf = m[1]!.toLowerCase() === 'if' ? m[2]! : `${lastIf} ; ${m[2]!}`;
          stack.push({ guard: true, cond: lastIf });
        } else if (/\belse\s*$/i.test(head)) stack.push({ guard: true, cond: lastIf });
        else if (/\bswitch\b/i.test(head)) stack.push({ guard: true, cond: 'switch' });
        else stack.push({ guard: false, cond: '' });
        from = i + 1;
      } else if (ch === '}') {
        stack.pop();
        from = i + 1;
      } else if (ch === ';' || (ch === '\n' && !/\b(if|elseif|else|switch|foreach|while|function)\b[^\n]*$/i.test(masked.slice(from, i)))) from = i + 1;
    }
    return stack.some((f) => f.guard && !f.cond.split(' ; ').every((c) => fileTest(c)));
  };
  const guarded = (o: number, depth: number): boolean => {
    if (direct(o)) return true;
    const f = (s.scan.functions ?? []).filter((x) => x.bodyStart <= o && o < x.bodyEnd).pop();
    if (!f) return false;
    if (depth > 4) return true;
    const calls = s.scan.commands.filter((c) => c.name.toLowerCase() === f.name.toLowerCase() && !(f.bodyStart <= c.start && c.start < f.bodyEnd));
    return !calls.some((c) => !guarded(c.start, depth + 1));
  };
  return (o) => guarded(o, 0);
}

/** Whether a host offset is inside a Terraform `%{ if }` of its template (or of the .tf heredoc). */
function templateGuarded(model: DeploymentModel, span: Span): boolean {
  const src = model.files.get(span.file)?.text;
  if (!src) return false;
  const before = src.slice(0, span.start);
  const opens = before.match(/(?<!%)%\{~?\s*if\b/g)?.length ?? 0;
  const closes = before.match(/(?<!%)%\{~?\s*endif\b/g)?.length ?? 0;
  return opens > closes;
}

const mayCreateMemo = new WeakMap<object, boolean>();

/**
 * Whether the script's text can hold a `… tls ca create` command: after a word `tls`, the words `ca` and `create` in
 * that order on the same logical line (a line continued with `` ` `` or `\` before its newline goes on). Every command
 * tlsCommand reads as a CA creation passes (its words are written in the text, in that order); a script that names
 * no `tls` costs one scan for that word.
 */
function mayCreateCa(s: ScriptFacts): boolean {
  let hit = mayCreateMemo.get(s.scan);
  if (hit === undefined) {
    hit = false;
    const text = s.text.text;
    for (const m of text.matchAll(/\btls\b/gi)) {
      let end = text.indexOf('\n', m.index);
      while (end > 0 && /[`\\]\r?$/.test(text.slice(Math.max(0, end - 2), end))) end = text.indexOf('\n', end + 1);
      const line = text.slice(m.index, end < 0 ? text.length : end).replace(/[`\\]\r?\n/g, ' ');
      if (/\bca\b.*\bcreate\b/i.test(line)) {
        hit = true;
        break;
      }
    }
    mayCreateMemo.set(s.scan, hit);
  }
  return hit;
}

function caFacts(model: DeploymentModel, s: ScriptFacts): CaFacts {
  const hit = factsMemo.get(s);
  if (hit) return hit;
  const facts = computeFacts(model, s);
  factsMemo.set(s, facts);
  return facts;
}

function computeFacts(model: DeploymentModel, s: ScriptFacts): CaFacts {
  const text = s.text.text;
  if (!/tls/i.test(text)) return NONE;
  const cmds: TlsCmd[] = [];
  let delivers = false;
  const renamed: string[] = [];
  let guard: ((o: number) => boolean) | undefined;
  const isGuarded = (start: number, end: number): boolean => {
    guard ??= s.language === 'powershell' ? psGuard(s) : bashGuard(text, s.scan.heredocs);
    return guard(start) || templateGuarded(model, s.text.toHost(start, end));
  };
  if (s.language === 'powershell') {
    for (const c of s.scan.commands) {
      const words = c.arguments.map((a) => psValueText(text, a));
      const raw = text.slice(c.start, c.end);
      const t = tlsCommand({ name: c.name, words });
      if (t) {
        const ca = c.parameters.find((p) => p.name.toLowerCase() === 'ca');
        cmds.push({
          ...t,
          start: c.start,
          end: c.end,
          caArg: ca ? psValueText(text, ca.value) : undefined,
          guarded: t.what === 'ca' && isGuarded(c.start, c.end),
        });
        continue;
      }
      const name = programFileName(c.name);
      if (FETCH.has(name) && CA_WORD.test(raw)) delivers = true;
      if ((name === 'move-item' || name === 'copy-item' || name === 'mv' || name === 'cp') && CREATED_CA.test(raw)) {
        const dest = c.parameters.find((p) => p.name.toLowerCase() === 'destination');
        const last = dest ? psValueText(text, dest.value) : words[words.length - 1];
        if (last) renamed.push(baseName(last.replace(/\\/g, '/')).toLowerCase());
      }
    }
    for (const w of s.scan.fileWrites) {
      if (w.via === 'Copy-Item' || !w.path) continue;
      const p = psValueText(text, w.path).replace(/\\/g, '/');
      if (CA_FILE.test(baseName(p))) delivers = true;
    }
  } else {
    for (const c of s.scan.commands) {
      const words = c.args.map((a) => a.literal ?? a.raw);
      const t = tlsCommand({ name: c.name, words });
      if (t) {
        const i = words.findIndex((w) => /^--?ca(=|$)/.test(w));
        const caArg = i < 0 ? undefined : words[i]!.includes('=') ? words[i]!.slice(words[i]!.indexOf('=') + 1) : words[i + 1];
        cmds.push({ ...t, start: c.start, end: c.end, caArg, guarded: t.what === 'ca' && isGuarded(c.start, c.end) });
        continue;
      }
      const name = programFileName(c.name);
      const raw = text.slice(c.start, c.end);
      if (FETCH.has(name) && CA_WORD.test(raw)) delivers = true;
      if (name === 'consul' && words[0] === 'kv' && words[1] === 'get' && CA_WORD.test(raw)) delivers = true;
      // `echo "$CA_PEM" > /etc/consul.d/ca.pem`: a CA from a variable (not `cat consul-agent-ca.pem > …`, the created one).
      if (!words.some((w) => CREATED_CA.test(w)) && c.redirects.some((r) => r.op !== '<' && CA_FILE.test(baseName(r.target.literal ?? r.target.raw))))
        delivers = true;
      if ((name === 'mv' || name === 'cp' || name === 'install') && words.some((w) => CREATED_CA.test(w) || /-ca\*/.test(w))) {
        const last = words[words.length - 1];
        if (last) renamed.push(baseName(last).toLowerCase());
      }
    }
    for (const h of s.scan.heredocs) if (h.targets.some((t) => CA_FILE.test(baseName(t.literal ?? t.raw)))) delivers = true;
  }
  // A Terraform value about a CA in the template (`${ca_cert}`), or a cloud-config `write_files` entry of a CA file.
  if (!delivers && s.templated) {
    const host = s.text.toHost(0, text.length);
    const src = model.files.get(host.file)?.text.slice(host.start, host.end) ?? '';
    for (const m of src.matchAll(/(?<![$%])\$\{([^}]*)\}/g)) if (CA_EXPR.test(m[1]!)) delivers = true;
    if (/^\s*-?\s*path:\s*["']?[^\s"']*\.(pem|crt)/im.test(src) && /path:\s*["']?[^\s"']*(^|[-_./])ca[-_.]?[^\s"'/]*\.(pem|crt)/im.test(src)) delivers = true;
  }
  return cmds.length === 0 && !delivers ? NONE : { cmds, delivers, renamed };
}

/** A machine resource of Terraform: a VM, a launch/instance template, a scale set, a GCE per-instance config (one VM of a group). */
function isMachine(address: string): boolean {
  const type = address.slice(0, address.indexOf('.'));
  return SINGLE_VM.test(type) || TEMPLATE_ONLY.test(type) || /(scale_set|per_instance_config)$/.test(type);
}

interface Runner {
  readonly dir: string;
  readonly address: string;
  /** How the resource runs the script: the template call, the heredoc, the invocation. */
  readonly via: RelatedInfo[];
}

interface BootIndex {
  /** The scripts that run at boot, with the resources running each. */
  readonly runners: Map<ScriptFacts, Map<string, Runner>>;
}

const bootMemo = new WeakMap<DeploymentModel, BootIndex>();

/** The resources whose user data carries a template call's render (also through `data "template_file"` and locals). */
function callResources(model: DeploymentModel, call: TemplateCall): Array<{ dir: string; address: string }> {
  if (call.templateFileData === undefined) return resourcesOf(model, call, 0);
  const ref = new RegExp(`\\bdata\\.template_file\\.${call.templateFileData.replace(/[-]/g, '\\-')}\\b`);
  const out: Array<{ dir: string; address: string }> = [];
  for (const r of model.terraform.resources.values())
    if (r.dir === call.dir && ref.test(model.terraform.sourceOf(r.file).slice(r.block.start, r.block.end))) out.push({ dir: r.dir, address: r.address });
  for (const [key, l] of model.terraform.locals) {
    if (!key.startsWith(`${call.dir}\0`) || !ref.test(model.terraform.sourceOf(l.file).slice(l.attr.start, l.attr.end))) continue;
    const local = new RegExp(`\\blocal\\.${key.slice(key.indexOf('\0') + 1)}\\b`);
    for (const r of model.terraform.resources.values())
      if (r.dir === call.dir && local.test(model.terraform.sourceOf(r.file).slice(r.block.start, r.block.end))) out.push({ dir: r.dir, address: r.address });
  }
  return out;
}

function bootIndex(model: DeploymentModel): BootIndex {
  const hit = bootMemo.get(model);
  if (hit) return hit;
  const runners = new Map<ScriptFacts, Map<string, Runner>>();
  const add = (s: ScriptFacts, r: Runner): boolean => {
    let m = runners.get(s);
    if (!m) runners.set(s, (m = new Map()));
    const k = `${r.dir}\0${r.address}`;
    if (m.has(k)) return false;
    m.set(k, r);
    return true;
  };
  const queue: ScriptFacts[] = [];
  for (const s of model.scripts) {
    if (provisionersRunning(model, s.file).length > 0) continue;
    const start = s.text.toHost(0, 0);
    if (/\.tf$/.test(s.file) && start.file.endsWith('.tf')) {
      // Inline user data (`user_data = <<-EOF`), or a cloud-config heredoc's runcmd: the resource around it.
      for (const r of model.terraform.resources.values())
        if (r.file === start.file && r.block.start <= start.start && start.start < r.block.end && isMachine(r.address))
          if (
            add(s, {
              dir: r.dir,
              address: r.address,
              via: [{ span: { file: start.file, start: start.start, end: start.start }, message: `user data of ${r.address}, written here` }],
            })
          )
            queue.push(s);
      continue;
    }
    for (const call of model.terraform.templateCalls) {
      if (call.templatePath !== s.file) continue;
      for (const r of callResources(model, call)) {
        if (!isMachine(r.address)) continue;
        if (add(s, { ...r, via: [{ span: call.span, message: `${templateCallLabel(call)} renders ${s.file} into ${r.address}` }] })) queue.push(s);
      }
    }
  }
  // The tree scripts boot scripts call run on the same machines.
  let steps = 0;
  while (queue.length && steps++ < 1000) {
    const s = queue.shift()!;
    for (const inv of s.invocations)
      for (const t of model.scripts) {
        if (baseName(t.file).toLowerCase() !== inv.scriptBaseName || t === s || provisionersRunning(model, t.file).length > 0) continue;
        for (const r of runners.get(s)!.values())
          if (add(t, { ...r, via: [...r.via, { span: inv.span, message: `${s.file} runs ${inv.scriptPathText}` }] })) queue.push(t);
      }
  }
  const out = { runners };
  bootMemo.set(model, out);
  return out;
}

/** Terraform resources that make or hold a CA: the tree has a CA of its own, whatever the boot scripts also do. */
const CA_RESOURCE = /^(tls_self_signed_cert|tls_locally_signed_cert|vault_pki_secret_backend_root_cert|vault_pki_secret_backend_intermediate_set_signed)$/;

const treeCaMemo = new WeakMap<DeploymentModel, boolean>();

/**
 * Whether the tree makes or ships a CA some other way, which the boot scripts may use in ways not followed here: a
 * Terraform CA resource, or a Terraform / Packer `file` provisioner uploading a CA file.
 */
function treeShipsCa(model: DeploymentModel): boolean {
  const hit = treeCaMemo.get(model);
  if (hit !== undefined) return hit;
  const caPath = (text: string) => [...text.matchAll(/"([^"\n]*)"/g)].some((m) => CA_FILE.test(baseName(m[1]!.replace(/\\/g, '/').replace(/\/+$/, ''))));
  let ships = [...model.terraform.resources.values()].some((r) => CA_RESOURCE.test(r.address.slice(0, r.address.indexOf('.'))));
  if (!ships)
    ships = model.terraform.fileProvisioners.some((p) => {
      const src = model.terraform.sourceOf(p.file);
      return (
        [p.source, p.content].some((e) => e && caPath(src.slice(e.start, e.end))) ||
        (p.destination.kind === 'known' && CA_FILE.test(baseName(p.destination.text)))
      );
    });
  if (!ships)
    ships = packerProvisioners(model).some((p) => {
      if (p.type !== 'file') return false;
      const text = model.files.get(p.file)?.text ?? '';
      return caPath(text.slice(p.block.start, p.block.end));
    });
  treeCaMemo.set(model, ships);
  return ships;
}

interface Creation {
  readonly product: Product;
  readonly span: Span;
  readonly certSpan: Span;
  readonly counts: ReadonlyArray<{ readonly key: string; readonly r: Runner; readonly n: InstanceCount }>;
}

export const tlsCaPerInstance: Check = {
  id: 'tls-ca-per-instance',
  category: 'tls',
  severity: 'error',
  title: 'A Consul/Nomad TLS CA is created at boot on each of several instances: no agent trusts another agent’s certificate',
  run(model) {
    // The common case: no script of the tree creates a CA. A text test per script (cached per scan) says so without
    // reading the script's commands: on a keystroke in a long script that would be its whole command list again.
    if (!model.scripts.some(mayCreateCa)) return [];
    const creators = model.scripts.filter((s) => caFacts(model, s).cmds.some((c) => c.what === 'ca' && !c.guarded));
    if (creators.length === 0 || treeShipsCa(model)) return [];
    const { runners } = bootIndex(model);
    // Every boot-time creation that signs the agent's certificate on its machines and that nothing replaces.
    const creations: Creation[] = [];
    const seen = new Set<string>();
    for (const s of creators) {
      const mine = runners.get(s);
      if (!mine) continue;
      for (const cmd of caFacts(model, s).cmds) {
        if (cmd.what !== 'ca' || cmd.guarded) continue;
        const span = s.text.toHost(cmd.start, cmd.end);
        const key = `${span.file}:${span.start}`;
        if (seen.has(key)) continue;
        seen.add(key);
        // The boot scripts of the machines that run it: what they deliver and which certificate they sign.
        const machineScripts = [...runners].filter(([, m]) => [...m.keys()].some((k) => mine.has(k))).map(([t]) => t);
        if (machineScripts.some((t) => caFacts(model, t).delivers)) continue;
        const renamed = new Set(machineScripts.flatMap((t) => caFacts(model, t).renamed));
        const signs = (c: TlsCmd) =>
          c.what === 'cert' &&
          c.product === cmd.product &&
          (c.caArg === undefined || CREATED_CA.test(c.caArg) || renamed.has(baseName(c.caArg.replace(/\\/g, '/')).toLowerCase()));
        const cert = machineScripts.flatMap((t) =>
          caFacts(model, t)
            .cmds.filter(signs)
            .map((c) => ({ t, c })),
        )[0];
        if (!cert) continue;
        const counts: Array<{ key: string; r: Runner; n: InstanceCount }> = [];
        for (const [k, r] of mine) {
          const n = resourceInstances(model, r.dir, r.address);
          if (n && n.n > 0) counts.push({ key: k, r, n });
        }
        if (counts.length) creations.push({ product: cmd.product, span, certSpan: cert.t.text.toHost(cert.c.start, cert.c.end), counts });
      }
    }
    const out: Finding[] = [];
    for (const product of ['consul', 'nomad'] as const) {
      const mine = creations.filter((c) => c.product === product);
      // The machines that each make a CA of the product: each resource once, however many commands it runs.
      const machines = new Map<string, { r: Runner; n: InstanceCount }>();
      for (const c of mine) for (const x of c.counts) machines.set(x.key, x);
      const total = [...machines.values()].reduce((a, x) => a + x.n.n, 0);
      if (total < 2) continue;
      const roles = rolesOf(model, product);
      if (!caSetting(roles, product)) continue;
      const verify = verification(roles, product);
      if (!verify) continue;
      const tool = product === 'consul' ? 'Consul' : 'Nomad';
      for (const c of mine) {
        const here = c.counts.reduce((a, x) => a + x.n.n, 0);
        const others = mine.filter((o) => o !== c);
        const what = c.counts.map((x) => x.n.what).join('; ');
        const who = here >= 2 ? `on each of ${here} machines (${what})` : `on ${c.counts[0]!.r.address} (${what})`;
        const more = total - here;
        const also = others.length
          ? `, and ${others.map((o) => lineOf(model, o.span)).join(', ')} create${others.length === 1 ? 's' : ''} another on ${more > 0 ? `${more} more machine${more === 1 ? '' : 's'}` : 'the same machines'}`
          : '';
        const related: RelatedInfo[] = [
          ...c.counts.flatMap((x) => [
            ...x.r.via,
            { span: x.n.span, message: `${x.n.n} instance${x.n.n === 1 ? '' : 's'} of ${x.r.address}` },
            ...chainRelated(x.n.chain),
          ]),
          { span: c.certSpan, message: `the agent's certificate is signed with this machine's own CA here` },
          ...others.map((o) => ({ span: o.span, message: `another ${tool} CA is created at boot here` })),
          { span: verify.entry.keySpan, message: `${verify.entry.path} = ${verify.entry.display}: peers' certificates are verified against the CA file` },
        ];
        out.push(
          finding({
            check: tlsCaPerInstance,
            span: c.span,
            message:
              `\`${product} tls ca create\` runs at boot ${who}${also}. Every instance makes its own ${tool} CA key pair and signs its agent's certificate with it (${lineOf(model, c.certSpan)}), so no other agent trusts that certificate: ` +
              `with ${verify.entry.path} = ${verify.entry.display}, their TLS connections fail with "x509: certificate signed by unknown authority" (the peer logs "remote error: tls: bad certificate"); ` +
              `servers with their own CA never form a cluster, and clients with their own CA never join. Create the CA once (an operator step, Terraform's tls_self_signed_cert, Vault PKI) and deliver the CA certificate and each node's certificate at boot, or create it only on one bootstrap server and copy it to the others.`,
            related,
          }),
        );
      }
    }
    return out;
  },
};
