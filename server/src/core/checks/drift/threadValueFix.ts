/**
 * "Pass the value the other side gets" when one side lacks a setting entirely
 * (the Windows Consul config has no `encrypt` while the servers get the key
 * through `templatefile()`): the value has to travel the whole chain again,
 * so the fix edits four places at once —
 *
 *   1. the Windows `templatefile()` call passes the same expression the other
 *      side's call passes (`consul_encrypt_key = var.consul_encrypt_key`);
 *   2. the Windows user-data template passes it to the script
 *      (`-ConsulEncryptKey "${consul_encrypt_key}"`);
 *   3. the script declares the parameter (`[string] $ConsulEncryptKey`);
 *   4. the expandable here-string the script writes sets the key
 *      (`encrypt = "$ConsulEncryptKey"`).
 *
 * It is offered only for that shape, where every step can be found exactly;
 * anything else (a literal here-string with `-creplace` placeholders, a script
 * without a `param()` block, calls in different modules) gets no fix rather
 * than a guess. Steps that already exist are reused, not added twice.
 */
import type { Role } from '../../agent/roles';
import type { SettingEntry } from '../../agent/settings';
import type { DeploymentModel, TemplateRender } from '../../model/deploymentModel';
import type { PsStringLiteral } from '../../parsers/powershell/types';
import type { PsScriptFacts, ScriptInvocation } from '../../scripts/scriptModel';
import type { FixSpec, TextEditSpec } from '../../types';
import { baseName } from '../../workspace/fileKinds';
import { templateArgument } from './originFix';

/** `consul_encrypt_key` → `ConsulEncryptKey`. */
function parameterName(templateVar: string): string {
  return templateVar
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}

function lineIndent(text: string, at: number): string {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** The script-level `param(` … `)` block: its inside, or undefined when the script has none before its first statement. */
function paramBlock(text: string, facts: PsScriptFacts): { open: number; close: number } | undefined {
  const m = /(^|\n)[ \t]*param\s*\(/i.exec(text);
  if (!m) return undefined;
  const open = m.index + m[0].length;
  // Not a function's block: the script's comes before every function and command.
  const firstCommand = facts.scan.commands[0]?.start ?? Infinity;
  const firstFunction = /(^|\n)[ \t]*function\s/i.exec(text)?.index ?? Infinity;
  if (open > firstCommand || open > firstFunction) return undefined;
  let depth = 1;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '`') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return undefined;
      i = nl;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return { open, close: i };
  }
  return undefined;
}

/** The expandable here-string of the script whose content becomes the config document. */
function configHereString(facts: PsScriptFacts, role: Role): { lit: PsStringLiteral; docId: string } | undefined {
  for (const cfg of role.configs) {
    const d = cfg.doc;
    if (d.hostFile !== facts.file || d.format !== 'hcl' || d.append) continue;
    const first = d.text.segments.find((s) => s.file === facts.file);
    if (!first) continue;
    const lit = facts.scan.strings.find((l) => l.hereString && l.contentStart <= first.hStart && first.hStart <= l.contentEnd);
    if (lit && lit.quote === 'expandable') return { lit, docId: d.id };
  }
  return undefined;
}

/** The user-data template that calls the script, the call, and the render that produced it. */
function callerOf(model: DeploymentModel, script: PsScriptFacts): { inv: ScriptInvocation; render: TemplateRender } | undefined {
  const name = baseName(script.file).toLowerCase();
  for (const caller of model.scripts) {
    if (caller.language !== 'powershell' || !caller.templated) continue;
    const inv = caller.invocations.find((i) => i.scriptBaseName === name);
    if (!inv) continue;
    const render = model.renders.find((r) => r.templateFile === caller.file);
    if (render) return { inv, render };
  }
  return undefined;
}

export function threadValueFix(model: DeploymentModel, role: Role, key: string, reference: SettingEntry): FixSpec[] {
  if (role.kind !== 'windows-client' || key.includes('.')) return [];
  const refArg = templateArgument(model, reference);
  if (!refArg) return [];
  const templateVar = refArg.attr.name;
  const refFileText = model.files.get(refArg.file)?.text;
  if (refFileText === undefined) return [];
  const expression = refFileText.slice(refArg.attr.value.start, refArg.attr.value.end);
  const script = model.scripts.find(
    (s): s is PsScriptFacts => s.language === 'powershell' && !s.templated && role.configs.some((c) => c.doc.hostFile === s.file),
  );
  if (!script) return [];
  const scriptText = model.files.get(script.file)?.text;
  if (scriptText === undefined) return [];
  const here = configHereString(script, role);
  const params = paramBlock(scriptText, script);
  const caller = callerOf(model, script);
  if (!here || !params || !caller) return [];
  const call = caller.render.call;
  // The other side's expression must mean the same thing where the Windows call is.
  if (dirOf(call.file) !== dirOf(refArg.file)) return [];
  const callerText = model.files.get(caller.render.templateFile)?.text;
  const callFileText = model.files.get(call.file)?.text;
  if (callerText === undefined || callFileText === undefined) return [];

  const existingParam = [...script.scan.assignments].find((a) => a.isParameterDefault && a.name.toLowerCase() === parameterName(templateVar).toLowerCase());
  const declared = new RegExp(`\\$${parameterName(templateVar)}\\b`, 'i').exec(scriptText.slice(params.open, params.close));
  const param = existingParam?.name ?? (declared ? declared[0].slice(1) : parameterName(templateVar));
  const edits: TextEditSpec[] = [];

  // 1. templatefile() of the Windows user-data passes the value.
  if (!call.vars.has(templateVar)) {
    const last = [...call.vars.values()].pop();
    if (!last) return [];
    edits.push({
      span: { file: call.file, start: last.end, end: last.end },
      newText: `\n${lineIndent(callFileText, last.nameStart)}${templateVar} = ${expression}`,
    });
  }
  // 2. The user-data passes it to the script.
  if (![...caller.inv.named.keys()].some((k) => k.toLowerCase() === param.toLowerCase())) {
    const invText = callerText.slice(caller.inv.span.start, caller.inv.span.end);
    const continued = /`\r?\n/.test(invText);
    const lastLineStart = callerText.lastIndexOf('\n', caller.inv.span.end - 1) + 1;
    const indent = continued ? lineIndent(callerText, lastLineStart) : '';
    edits.push({
      span: { file: caller.render.templateFile, start: caller.inv.span.end, end: caller.inv.span.end },
      newText: continued ? ` \`\n${indent}-${param} "\${${templateVar}}"` : ` -${param} "\${${templateVar}}"`,
    });
  }
  // 3. The script declares the parameter.
  if (!existingParam && !declared) {
    const inside = scriptText.slice(params.open, params.close);
    const lastChar = inside.trimEnd().length;
    if (lastChar === 0) {
      edits.push({ span: { file: script.file, start: params.open, end: params.open }, newText: `[string] $${param}` });
    } else {
      const at = params.open + lastChar;
      edits.push({ span: { file: script.file, start: at, end: at }, newText: `,\n${lineIndent(scriptText, at)}[string] $${param}` });
    }
  }
  // 4. The config sets the key, first line of the here-string (top level of the HCL).
  const contentAt = script.text.toHost(here.lit.contentStart, here.lit.contentStart);
  if (contentAt.file !== script.file) return [];
  edits.push({ span: contentAt, newText: `${key} = "$${param}"\n` });

  // Each file keeps its own line endings (a CRLF script gets CRLF lines).
  const withEol = edits.map((e) => (model.files.get(e.span.file)?.text.includes('\r\n') ? { span: e.span, newText: e.newText.replace(/\r?\n/g, '\r\n') } : e));
  return [
    {
      title: `Pass ${key} to the Windows client as the other side gets it: ${templateVar} = ${expression} → ${baseName(caller.render.templateFile)} → ${baseName(script.file)} -${param} → ${key} = "$${param}"`,
      edits: withEol,
    },
  ];
}
