/**
 * encoding: agent configs written by Windows PowerShell 5.1 in an encoding the
 * agents cannot read (UTF-16 from Out-File, a UTF-8 BOM), and non-ASCII text
 * in BOM-less .ps1 files that 5.1 reads as ANSI.
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { PsScriptFacts } from '../../scripts/scriptModel';
import type { PsAssignment, PsFileWrite, PsValue } from '../../parsers/powershell/types';
import type { Finding, FixSpec, Span } from '../../types';
import { hostText, overlaps, psScripts } from './util';
import { loadedByAgent } from '../image/services';

const NO_BOM = '[Text.UTF8Encoding]::new($false)';

export const encodingCheck: Check = {
  id: 'encoding',
  category: 'encoding',
  severity: 'error',
  title: 'Agent configs written by Windows PowerShell 5.1 as UTF-16 / UTF-8 with BOM; non-ASCII in BOM-less .ps1',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    const productOf = new Map(model.configs.map((c) => [c.doc, c.product] as const));
    for (const s of psScripts(model)) {
      // Host spans of the script's writes, computed once (a script may write a hundred configs).
      const writes = s.configDocs.length === 0 ? [] : s.scan.fileWrites.map((fw) => ({ fw, span: s.text.toHost(fw.start, fw.end) }));
      for (const doc of s.configDocs) {
        const w = writes.find((x) => overlaps(x.span, doc.writeSpan))?.fw;
        if (!w) continue;
        // A staging file the agent never reads (its service names another single file, which the script writes from
        // this one with Get-Content | Out-File -Encoding ascii): its encoding does not reach the agent.
        const product = productOf.get(doc);
        if (product !== undefined && !loadedByAgent(model, doc, product)) continue;
        const f = checkWrite(model, s, w, doc.targetPath ?? 'the agent config', /[^\x00-\x7f]/.test(doc.text.text));
        if (f) out.push(f);
      }
      // The script file's own encoding (not a Terraform file holding an inline user-data script).
      const enc = /\.tf$/i.test(s.file) ? undefined : model.encodings.get(s.file);
      const text = model.files.get(s.file)?.text ?? '';
      const idx = text.search(/[^\x00-\x7f]/);
      if (enc && enc.encoding === 'utf8' && idx >= 0) {
        const inString = s.scan.strings.some((lit) => {
          const h = s.text.toHost(lit.start, lit.end);
          return h.file === s.file && h.start <= idx && idx < h.end;
        });
        const count = (text.match(/[^\x00-\x7f]/g) ?? []).length;
        out.push(
          finding({
            check: encodingCheck,
            span: { file: s.file, start: idx, end: idx + 1 },
            severity: inString ? 'warning' : 'info',
            message: `${s.file} is UTF-8 without a BOM and contains ${count} non-ASCII character(s) (first: "${text[idx]}"). Windows PowerShell 5.1 reads BOM-less scripts in the ANSI code page, so ${inString ? 'this string reaches the written file mangled (e.g. "é" becomes "Ã©"), and in an agent config that can end in "illegal UTF-8 encoding" or a wrong value' : 'the characters are misread (harmless in comments)'}. Use ASCII only, or save the script as UTF-8 with BOM.`,
          }),
        );
      }
    }
    return out;
  },
};

function checkWrite(model: DeploymentModel, s: PsScriptFacts, w: PsFileWrite, target: string, nonAscii: boolean): Finding | undefined {
  const span = s.text.toHost(w.start, w.end);
  const encText = w.encoding?.text.trim();
  const encKey = encText?.replace(/^['"]|['"]$/g, '').toLowerCase();
  const encSpan = w.encoding ? s.text.toHost(w.encoding.start, w.encoding.end) : undefined;
  // Only the writes that get a finding need the rewrite fix (most writes are fine).
  const rewrite = (): FixSpec[] => rewriteFix(model, s, w, span);
  if (w.via === 'WriteAllText' || w.via === 'WriteAllLines' || w.via === 'AppendAllText') {
    if (!encText) return undefined; // .NET default: UTF-8 without BOM
    const resolved = resolveEncodingExpr(s, encText);
    if (
      /Encoding\]::(UTF8|Unicode|BigEndianUnicode|UTF32)\b/i.test(resolved) ||
      /UTF8Encoding\]::new\(\s*\$true\s*\)|UTF8Encoding\(\s*\$true\s*\)/i.test(resolved)
    ) {
      const utf16 = /Unicode|UTF32/i.test(resolved);
      const fixes: FixSpec[] =
        encSpan && hostText(model, encSpan) === encText ? [{ title: `Use ${NO_BOM}`, edits: [{ span: encSpan, newText: NO_BOM }], safeForFixAll: true }] : [];
      return finding({
        check: encodingCheck,
        span,
        message: utf16
          ? `[IO.File]::${w.via} writes ${target} with ${encText} (UTF-16/32): the agent reads UTF-8 and fails with "illegal UTF-8 encoding". Pass ${NO_BOM}.`
          : `[IO.File]::${w.via} writes ${target} with ${encText}, which emits a UTF-8 byte-order mark: HCL v1 stops at the BOM with "At 1:1: illegal char". Pass ${NO_BOM} (UTF-8 without BOM).`,
        fixes,
      });
    }
    return undefined;
  }
  // `> file` / `>> file` is Out-File (-Append) with its default encoding (about_Redirection).
  if (w.via === 'redirect') {
    return finding({
      check: encodingCheck,
      span,
      message: `The redirection operator writes ${target} like Out-File without -Encoding: Windows PowerShell 5.1 (powershell.exe, which runs user-data and Packer provisioners) writes it as UTF-16 LE with a BOM ("Unicode"), and the agent fails with "illegal UTF-8 encoding". Write it with [IO.File]::WriteAllText(<path>, <content>, ${NO_BOM}) or Set-Content -Encoding ascii.`,
    });
  }
  if (w.via !== 'Out-File' && w.via !== 'Set-Content' && w.via !== 'Add-Content') return undefined;
  if (!encKey) {
    if (w.via === 'Out-File') {
      return finding({
        check: encodingCheck,
        span,
        message: `Out-File without -Encoding: Windows PowerShell 5.1 (powershell.exe, which runs user-data and Packer provisioners) writes ${target} as UTF-16 LE with a BOM ("Unicode"), and the agent fails with "illegal UTF-8 encoding". Write it with [IO.File]::WriteAllText(<path>, <content>, ${NO_BOM}) or add -Encoding ascii.`,
        fixes: rewrite(),
      });
    }
    return finding({
      check: encodingCheck,
      span,
      severity: nonAscii ? 'warning' : 'info',
      message: `${w.via} without -Encoding: Windows PowerShell 5.1 writes ${target} in the ANSI code page ("Default"). That is fine for ASCII, but any non-ASCII character becomes invalid UTF-8 and the agent fails with "illegal UTF-8 encoding"${nonAscii ? ' — this config contains non-ASCII text' : ''}. Add -Encoding ascii or use [IO.File]::WriteAllText(<path>, <content>, ${NO_BOM}).`,
      fixes: rewrite(),
    });
  }
  if (encKey === 'utf8' || encKey === 'utf8bom') {
    const fixes: FixSpec[] = [...rewrite()];
    if (encSpan && !nonAscii && hostText(model, encSpan) === encText)
      fixes.push({ title: 'Use -Encoding ascii', edits: [{ span: encSpan, newText: 'ascii' }] });
    return finding({
      check: encodingCheck,
      span,
      severity: encKey === 'utf8bom' ? 'error' : 'error',
      message: `${w.via} -Encoding ${encText} writes ${target} with a UTF-8 byte-order mark${encKey === 'utf8' ? ' on Windows PowerShell 5.1 (PowerShell 7 writes no BOM for UTF8, but user-data runs powershell.exe 5.1)' : ''}: HCL v1 stops at the BOM with "At 1:1: illegal char". Use [IO.File]::WriteAllText(<path>, <content>, ${NO_BOM}) or -Encoding ascii.`,
      fixes,
    });
  }
  if (['unicode', 'bigendianunicode', 'utf32', 'utf16', 'utf-16'].includes(encKey)) {
    return finding({
      check: encodingCheck,
      span,
      message: `${w.via} -Encoding ${encText} writes ${target} as UTF-16/32: the agent reads UTF-8 and fails with "illegal UTF-8 encoding". Use [IO.File]::WriteAllText(<path>, <content>, ${NO_BOM}) or -Encoding ascii.`,
      fixes: rewrite(),
    });
  }
  return undefined;
}

const byNameCache = new WeakMap<object, Map<string, PsAssignment[]>>();

/** The script's assignments by lower-case name, once per scan (a script may write a hundred configs). */
function assignmentsByName(s: PsScriptFacts): Map<string, PsAssignment[]> {
  let map = byNameCache.get(s.scan);
  if (map === undefined) {
    map = new Map();
    for (const x of s.scan.assignments) {
      const k = x.name.toLowerCase();
      const list = map.get(k);
      if (list) list.push(x);
      else map.set(k, [x]);
    }
    byNameCache.set(s.scan, map);
  }
  return map;
}

/** `$Utf8NoBom` → the text of its assignment, when the script assigns it once. */
function resolveEncodingExpr(s: PsScriptFacts, text: string): string {
  const m = /^\$([\w:]+)$/.exec(text);
  if (!m) return text;
  const a = assignmentsByName(s).get(m[1]!.toLowerCase()) ?? [];
  if (a.length !== 1 || !a[0]!.value) return text;
  return s.text.text.slice(a[0]!.value.start, a[0]!.value.end);
}

function simpleValue(s: PsScriptFacts, v: PsValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'variable') return `$${v.name}`;
  if (v.kind === 'string' && !v.literal.hereString) {
    const t = s.text.text.slice(v.start, v.end);
    return t.includes('\n') ? undefined : t;
  }
  if (v.kind === 'bareword' && !/\s/.test(v.text)) return `'${v.text.replace(/'/g, "''")}'`;
  return undefined;
}

/** Rewrites `$x | Out-File -FilePath $p` as `[IO.File]::WriteAllText($p, $x, no-BOM UTF-8)` when both are simple and the host text is exact. */
function rewriteFix(model: DeploymentModel, s: PsScriptFacts, w: PsFileWrite, span: Span): FixSpec[] {
  if (w.append) return [];
  const p = simpleValue(s, w.path);
  const c = simpleValue(s, w.content);
  if (!p || !c) return [];
  if (!s.text.isExactAt(w.start) || hostText(model, span) !== s.text.text.slice(w.start, w.end)) return [];
  return [
    {
      title: `Write with [IO.File]::WriteAllText(..., ${NO_BOM})`,
      edits: [{ span, newText: `[IO.File]::WriteAllText(${p}, ${c}, ${NO_BOM})` }],
      safeForFixAll: true,
    },
  ];
}
