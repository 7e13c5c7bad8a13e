/**
 * Placeholders some script of the deployment substitutes at run time: the
 * patterns of `sed -i "s/{NUMBER-OF-SERVERS}/…/"` and of PowerShell
 * `-replace '{{ count }}', …`. A config file of the tree that still holds one
 * is a template another step fills in (often after moving it: a Packer upload to
 * /tmp, `mv` into /etc/nomad.d, a boot script's `sed -i`), so its syntax and
 * value types are judged after substitution (the document that step produces),
 * not as written. Per model.
 */
import type { ParsedAgentConfig } from '../../agent/configDoc';
import type { DeploymentModel } from '../../model/deploymentModel';
import { scanBash } from '../../parsers/bash';
import { allSeds } from '../../scripts/scriptModel';

const cache = new WeakMap<DeploymentModel, readonly string[]>();

/** Literal placeholder texts (at least 4 characters, not plain words) the unit's scripts replace. */
export function runTimePlaceholders(model: DeploymentModel): readonly string[] {
  const hit = cache.get(model);
  if (hit) return hit;
  const out = new Set<string>();
  const add = (raw: string | undefined) => {
    if (!raw) return;
    // A regex pattern used as a literal: drop the escapes of punctuation (`\{`, `\.`).
    const lit = raw.replace(/\\([^A-Za-z0-9])/g, '$1');
    // Only tokens that look like placeholders: braces, or upper-case with _/-; never a plain word that also appears in
    // real configs.
    if (lit.length >= 4 && (/[{}@%]/.test(lit) || /^[A-Z0-9_-]+$/.test(lit)) && /[A-Za-z]/.test(lit)) out.add(lit);
  };
  const psPatterns = (text: string) => {
    for (const m of text.matchAll(/-[ci]?replace\s+(["'])(.+?)\1/gi)) add(m[2]);
    for (const m of text.matchAll(/\.Replace\(\s*(["'])(.+?)\1/g)) add(m[2]);
  };
  for (const p of inlineSedPatterns(model)) add(p);
  const modelled = new Set<string>();
  for (const s of model.scripts) {
    modelled.add(s.file);
    if (s.language === 'bash') {
      for (const sed of allSeds(s)) for (const sub of sed.substitutions) add(sub.patternUnescaped ?? sub.pattern);
    } else psPatterns(s.text.text);
  }
  // A user-data template nothing in the deployment renders (a `template_file` pointing at a misspelt path) still
  // shows which placeholders the files it edits carry: only placeholder-shaped patterns count (see `add`).
  for (const [file, src] of model.files) {
    if (modelled.has(file) || !/\.(tpl|tftpl|ps1|psm1|sh|bash)$/i.test(file)) continue;
    if (/-[ci]?replace\b|\.Replace\(/i.test(src.text)) psPatterns(src.text);
    if (/\bsed\b/.test(src.text))
      for (const sed of scanBash(src.text, { templated: true }).seds) for (const sub of sed.substitutions) add(sub.patternUnescaped ?? sub.pattern);
  }
  const list = [...out];
  cache.set(model, list);
  return list;
}

/** Whether [start, end) of a config's text touches a placeholder some script substitutes. */
export function onRunTimePlaceholder(model: DeploymentModel, cfg: ParsedAgentConfig, start: number, end: number): boolean {
  const text = cfg.doc.text.text;
  for (const p of runTimePlaceholders(model)) {
    for (let i = text.indexOf(p, Math.max(0, start - p.length - 2)); i >= 0 && i <= end + 1; i = text.indexOf(p, i + 1)) {
      // The placeholder as written in a file of the tree (an upload, a config file, a copied template): not a value a
      // step of this document's own chain substituted.
      if (i + p.length + 1 >= start && cfg.doc.text.isExactAt(i)) return true;
    }
  }
  return false;
}

const inlineCache = new WeakMap<DeploymentModel, readonly string[]>();

/**
 * `sed` patterns of Terraform `remote-exec` inline commands (`"sed -i 's/server_count/${var.n}/g' /root/server.hcl"`):
 * the step that fills in a config the same resource uploaded with a `file` provisioner.
 */
function inlineSedPatterns(model: DeploymentModel): readonly string[] {
  const hit = inlineCache.get(model);
  if (hit) return hit;
  const out: string[] = [];
  for (const c of model.terraform.remoteExecInline) {
    const raw = model.terraform.sourceOf(c.file).slice(c.expr.start, c.expr.end);
    if (!/\bsed\b/.test(raw)) continue;
    // The HCL string as the shell sees it (quotes and HCL escapes removed; `${…}` stays a template value).
    const cmd = raw.replace(/^"|"$/g, '').replace(/\\(["\\])/g, '$1');
    for (const sed of scanBash(cmd, { templated: true }).seds) for (const sub of sed.substitutions) out.push(sub.patternUnescaped ?? sub.pattern);
  }
  inlineCache.set(model, out);
  return out;
}

const wordsCache = new WeakMap<DeploymentModel, ReadonlySet<string>>();

/**
 * Every identifier-like word a `sed` of the deployment (script or `remote-exec` inline) replaces, whatever its shape
 * (`server_count`): a bare word in value position equal to one of them is a placeholder that step fills in, not a
 * value the agent reads. Narrower than {@link runTimePlaceholders}, which needs placeholder-shaped tokens because it
 * also excuses errors merely near the token.
 */
export function substitutedWords(model: DeploymentModel): ReadonlySet<string> {
  const hit = wordsCache.get(model);
  if (hit) return hit;
  const out = new Set<string>();
  const add = (raw: string) => {
    const lit = raw.replace(/\\([^A-Za-z0-9])/g, '$1');
    if (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(lit)) out.add(lit);
  };
  for (const p of inlineSedPatterns(model)) add(p);
  for (const s of model.scripts)
    if (s.language === 'bash') for (const sed of allSeds(s)) for (const sub of sed.substitutions) add(sub.patternUnescaped ?? sub.pattern);
  wordsCache.set(model, out);
  return out;
}
