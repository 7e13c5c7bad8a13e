/**
 * Every quick-fix of every finding, applied the way an editor applies it:
 * edits on the file's text (reverse order), the file re-encoded as it was
 * (BOM, line endings), then a fresh `Workspace` loaded from disk with the
 * edited file. The finding must be gone, no new error may appear, and every
 * byte outside the edited ranges must be unchanged.
 *
 * Trees: examples/windows-only as is, converted to CRLF, with client.ps1 in
 * UTF-8 with BOM; and inline fixtures for the rules that offer fixes but do
 * not fire on the example, in the same three variants.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';
import type { AnalysisResult } from '../../../server/src/core/api';
import type { Finding, FixSpec, TextEditSpec } from '../../../server/src/core/types';
import { examplePath } from '../../support/paths';
import { copyTree, decodeUtf8File, encodeUtf8File, readRel, removeTree, toCrlf, withBom, writeTree } from './trees';

// ------------------------------------------------------------------ fixtures

const WIN = 'shared/packer/scripts/client.ps1';
const LIN = 'shared/packer/scripts/client.sh';
const SRV = 'shared/packer/config/nomad.hcl';

const winClient = (top: string, write = '[IO.File]::WriteAllText($NomadConfigFile, $nomadConfig, [Text.UTF8Encoding]::new($false))') =>
  `$NomadConfigFile = "C:\\HashiCorp\\Nomad\\config\\client.hcl"
$nomadConfig = @"
data_dir  = "C:/HashiCorp/Nomad/data"
bind_addr = "0.0.0.0"
${top}
client {
  enabled = true
  server_join {
    retry_join = ["provider=aws tag_key=NomadJoin tag_value=auto-join"]
  }
}
"@
${write}
`;

const linClient = (top: string) => `#!/usr/bin/env bash
set -euo pipefail
cat <<EOF | sudo tee /etc/nomad.d/nomad.hcl
data_dir  = "/opt/nomad/data"
bind_addr = "0.0.0.0"
${top}
client {
  enabled = true
  server_join {
    retry_join = ["provider=aws tag_key=NomadJoin tag_value=auto-join"]
  }
}
EOF
`;

const serverHcl = (extra: string) => `data_dir  = "/opt/nomad/data"
bind_addr = "0.0.0.0"
${extra}
server {
  enabled          = true
  bootstrap_expect = 1
}
`;

const tls = (on: boolean, dir: string) =>
  `tls {\n  http = ${on}\n  rpc  = ${on}\n  ca_file   = "${dir}/ca.pem"\n  cert_file = "${dir}/cert.pem"\n  key_file  = "${dir}/key.pem"\n}`;

/** Rules with fixes that examples/windows-only does not trigger (grep `fixes` in server/src/core/checks). */
const FIXTURES: Record<string, Record<string, string>> = {
  'tls-drift (tls-rpc-mismatch, tls-http-mismatch; PowerShell host)': {
    [SRV]: serverHcl(tls(true, '/etc/nomad.d/tls')),
    [WIN]: winClient(tls(false, 'C:/HashiCorp/Nomad/tls')),
  },
  'acl-enabled-mismatch (PowerShell host)': { [SRV]: serverHcl('acl {\n  enabled = true\n}'), [WIN]: winClient('acl {\n  enabled = false\n}') },
  'acl-enabled-mismatch (bash heredoc host)': { [SRV]: serverHcl('acl {\n  enabled = true\n}'), [LIN]: linClient('acl {\n  enabled = false\n}') },
  'unknown-config-key rename': { [WIN]: winClient('tls {\n  rcp = false\n}') },
  'ps-config-append Add-Content': { [WIN]: winClient('', '$nomadConfig | Add-Content -Path $NomadConfigFile -Encoding ascii') },
  'os-setting log_file directory': { [WIN]: winClient('log_file = "C:/HashiCorp/Nomad/logs"') },
  'encoding [Text.Encoding]::UTF8': { [WIN]: winClient('', '[IO.File]::WriteAllText($NomadConfigFile, $nomadConfig, [Text.Encoding]::UTF8)') },
  'encoding -Encoding UTF8': { [WIN]: winClient('', '$nomadConfig | Set-Content -Path $NomadConfigFile -Encoding UTF8') },
  'encoding -Encoding Unicode': { [WIN]: winClient('', '$nomadConfig | Set-Content -Path $NomadConfigFile -Encoding Unicode') },
  'hcl-escape control escapes (\\t, \\n)': { [WIN]: winClient('log_file = "C:\\tmp\\nomad.log"') },
  'hcl-escape in a bash heredoc': { [LIN]: linClient('plugin_dir = "C:\\HashiCorp\\plugins"') },
  'sed-replace I flag on a heredoc the script wrote': {
    [LIN]: `${linClient('node_class = "NODE_CLASS"')}sudo sed -i 's/NODE_CLASS/gpu/I' /etc/nomad.d/nomad.hcl\n`,
  },
};

/** Every rule that offers a fix somewhere in server/src/core/checks: each must be exercised at least once. */
const RULES_WITH_FIXES = [
  'hcl-escape',
  'os-setting',
  'servers-auto-join-in-client-servers',
  'ps-replace',
  'sed-replace',
  'encoding',
  'template',
  'unknown-config-key',
  'tls-rpc-mismatch',
  'tls-http-mismatch',
  'acl-enabled-mismatch',
  'ps-config-append',
  'acl-management-token-on-client',
];

/**
 * Cases known to fail, by case id prefix (`<variant> :: <rule> @ <file>:<line>:<col> :: <fix title>`),
 * kept visible as todo with what breaks. Empty when every fix holds.
 */
const KNOWN_FAILURES: Record<string, string> = {};

// ------------------------------------------------------------------ machinery

interface Variant {
  readonly name: string;
  readonly dir: string;
}

const created: string[] = [];
after(() => created.forEach(removeTree));

function variantsOf(name: string, make: (transform: (rel: string, b: Buffer) => Buffer) => string, bomFiles: (rel: string) => boolean): Variant[] {
  const v = (suffix: string, t: (rel: string, b: Buffer) => Buffer): Variant => {
    const dir = make(t);
    created.push(dir);
    return { name: `${name} [${suffix}]`, dir };
  };
  return [v('LF', (_r, b) => b), v('CRLF', (_r, b) => toCrlf(b)), v('BOM', (r, b) => (bomFiles(r) ? withBom(b) : b))];
}

function exampleVariants(): Variant[] {
  const src = examplePath('windows-only');
  return variantsOf(
    'windows-only',
    (t) => copyTree(src, t),
    (rel) => rel === WIN,
  );
}

function fixtureVariants(name: string, files: Record<string, string>): Variant[] {
  return variantsOf(
    name,
    (t) => writeTree(Object.fromEntries(Object.entries(files).map(([rel, text]) => [rel, t(rel, Buffer.from(text, 'utf8'))]))),
    (rel) => rel.endsWith('.ps1'),
  );
}

/** 1-based `line:column` of the finding's start. */
function lineOf(ws: Workspace, f: Finding): string {
  const p = ws.sourceText(f.span.file)?.positionAt(f.span.start);
  return p ? `${p.line + 1}:${p.character + 1}` : '?';
}

function caseId(variant: Variant, ws: Workspace, f: Finding, fix: FixSpec): string {
  return `${variant.name} :: ${f.ruleId} @ ${f.span.file}:${lineOf(ws, f)} :: ${fix.title}`;
}

/** Maps an offset of the old text to the new text; offsets inside an edit go to its start (or end of its new text). */
function mapOffset(edits: readonly TextEditSpec[], p: number, side: 'start' | 'end'): number {
  let delta = 0;
  for (const e of edits) {
    if (p >= e.span.end && !(side === 'start' && p === e.span.start)) {
      delta += e.newText.length - (e.span.end - e.span.start);
      continue;
    }
    if (p > e.span.start) return e.span.start + delta + (side === 'end' ? e.newText.length : 0);
    break;
  }
  return p + delta;
}

function eolStyle(text: string): 'crlf' | 'lf' | 'mixed' | 'none' {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  if (crlf === 0 && lf === 0) return 'none';
  if (crlf > 0 && lf > 0) return 'mixed';
  return crlf > 0 ? 'crlf' : 'lf';
}

const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

function errorKeys(r: AnalysisResult): Set<string> {
  return new Set(r.findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId}|${f.span.file}`));
}

/** Applies one fix as an editor would and re-analyses; returns what went wrong (empty = the fix holds). */
async function exercise(variant: Variant, ws: Workspace, before: AnalysisResult, f: Finding, fix: FixSpec): Promise<string[]> {
  const problems: string[] = [];
  if (fix.edits.length === 0) return ['the fix has no edits'];
  const byFile = new Map<string, TextEditSpec[]>();
  for (const e of fix.edits) byFile.set(e.span.file, [...(byFile.get(e.span.file) ?? []), e]);
  const newBytes = new Map<string, Buffer>();
  for (const [file, list] of byFile) {
    const edits = [...list].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
    let orig: Buffer;
    try {
      orig = readRel(variant.dir, file);
    } catch {
      problems.push(`edit on ${file}, which is not a file of the tree`);
      continue;
    }
    const { bom, text } = decodeUtf8File(orig);
    // The offsets are the engine's: they only fit the editor's buffer if the engine holds the same text.
    const engineText = ws.sourceText(file)?.text;
    if (engineText !== text)
      problems.push(
        `the engine's text of ${file} differs from the file's decoded text (length ${engineText?.length} vs ${text.length}): fix offsets would land elsewhere in an editor`,
      );
    const style = eolStyle(text);
    let changed = false;
    for (let i = 0; i < edits.length; i++) {
      const { start, end } = edits[i]!.span;
      if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= text.length))
        problems.push(`edit ${start}..${end} outside ${file} (length ${text.length})`);
      if (i > 0 && start < edits[i - 1]!.span.end) problems.push(`edits overlap at ${start} in ${file}`);
      for (const o of [start, end])
        if (o > 0 && o < text.length && isLowSurrogate(text.charCodeAt(o))) problems.push(`edit boundary ${o} splits a surrogate pair in ${file}`);
      const nt = edits[i]!.newText;
      if (style === 'crlf' && /(^|[^\r])\n/.test(nt)) problems.push(`fix inserts a bare LF into CRLF file ${file}: ${JSON.stringify(nt)}`);
      if (style === 'lf' && nt.includes('\r\n')) problems.push(`fix inserts CRLF into LF file ${file}: ${JSON.stringify(nt)}`);
      if (text.slice(start, end) !== nt) changed = true;
    }
    if (!changed) problems.push(`the fix does not change ${file}`);
    if (problems.length > 0) continue;
    let edited = text;
    for (const e of [...edits].reverse()) edited = edited.slice(0, e.span.start) + e.newText + edited.slice(e.span.end);
    const out = encodeUtf8File(edited, bom);
    // Bytes outside the edited ranges: every gap between edits is byte-for-byte the original.
    const bomLen = bom ? 3 : 0;
    const byteAt = (s: string, o: number) => bomLen + Buffer.byteLength(s.slice(0, o), 'utf8');
    if (bom !== out.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))) problems.push(`BOM of ${file} not preserved`);
    let oldPos = 0;
    let newPos = 0;
    let oldChar = 0;
    for (const e of [...edits, undefined]) {
      const gapEndChar = e === undefined ? text.length : e.span.start;
      const oStart = oldPos === 0 ? bomLen : oldPos;
      const oEnd = byteAt(text, gapEndChar);
      const nStart = newPos === 0 ? bomLen : newPos;
      const gapOld = orig.subarray(oStart, oEnd);
      const gapNew = out.subarray(nStart, nStart + gapOld.length);
      if (!gapOld.equals(gapNew)) {
        problems.push(`${file}: bytes ${oStart}..${oEnd} outside the edits changed (chars ${oldChar}..${gapEndChar})`);
        break;
      }
      if (e === undefined) {
        if (nStart + gapOld.length !== out.length) problems.push(`${file}: ${out.length - nStart - gapOld.length} unexpected trailing bytes`);
        break;
      }
      const inserted = Buffer.from(e.newText, 'utf8');
      if (!out.subarray(nStart + gapOld.length, nStart + gapOld.length + inserted.length).equals(inserted))
        problems.push(`${file}: the new text is not where the edit put it`);
      oldPos = byteAt(text, e.span.end);
      newPos = nStart + gapOld.length + inserted.length;
      oldChar = e.span.end;
    }
    newBytes.set(file, out);
  }
  if (problems.length > 0) return problems;

  const fresh = await Workspace.load(variant.dir);
  for (const [file, bytes] of newBytes) fresh.setBytes(file, bytes);
  const afterResult = fresh.analyze();
  if (fresh.checkFailures.length > 0) problems.push(`checks failed after the fix: ${fresh.checkFailures.join('; ')}`);

  const sameFile = [...(byFile.get(f.span.file) ?? [])].sort((a, b) => a.span.start - b.span.start);
  const mStart = mapOffset(sameFile, f.span.start, 'start');
  const mEnd = mapOffset(sameFile, f.span.end, 'end');
  const still = afterResult.findings.filter(
    (x) =>
      x.ruleId === f.ruleId &&
      x.span.file === f.span.file &&
      ((x.span.start < mEnd && mStart < x.span.end) || (x.span.start === mStart && x.span.end === mEnd)),
  );
  for (const x of still)
    problems.push(`finding still there after the fix (${x.span.start}..${x.span.end}, expected gone around ${mStart}..${mEnd}): ${x.message.slice(0, 160)}`);

  const beforeErrors = errorKeys(before);
  for (const k of errorKeys(afterResult)) {
    if (beforeErrors.has(k)) continue;
    const x = afterResult.findings.find((y) => `${y.ruleId}|${y.span.file}` === k && y.severity === 'error')!;
    problems.push(`new error after the fix: ${x.ruleId} in ${x.span.file}: ${x.message.slice(0, 200)}`);
  }
  return problems;
}

interface Tally {
  fixes: number;
  byVariant: Map<string, number>;
  byRule: Map<string, number>;
  failed: string[];
}
const tally: Tally = { fixes: 0, byVariant: new Map(), byRule: new Map(), failed: [] };

async function exerciseVariant(
  t: { test: (name: string, opts: { todo?: string }, fn: () => Promise<void>) => Promise<void> },
  variant: Variant,
): Promise<number> {
  const ws = await Workspace.load(variant.dir);
  const before = ws.analyze();
  assert.deepEqual(ws.checkFailures, [], `${variant.name}: no check fails`);
  let n = 0;
  for (const f of before.findings) {
    for (const fix of f.fixes ?? []) {
      const id = caseId(variant, ws, f, fix);
      const known = Object.entries(KNOWN_FAILURES).find(([prefix]) => id.startsWith(prefix));
      n++;
      tally.fixes++;
      tally.byVariant.set(variant.name, (tally.byVariant.get(variant.name) ?? 0) + 1);
      tally.byRule.set(f.ruleId, (tally.byRule.get(f.ruleId) ?? 0) + 1);
      const problems = await exercise(variant, ws, before, f, fix);
      if (problems.length > 0) tally.failed.push(`${id}: ${problems.join(' | ')}`);
      await t.test(id, known ? { todo: known[1] } : {}, async () => {
        assert.deepEqual(problems, [], id);
      });
    }
  }
  return n;
}

describe('every quick-fix is safe: finding gone, no new error, bytes outside the edits unchanged', () => {
  it('examples/windows-only (LF, CRLF, client.ps1 with BOM)', async (t) => {
    const counts: number[] = [];
    for (const v of exampleVariants()) counts.push(await exerciseVariant(t, v));
    const [lf, crlf, bom] = counts;
    t.diagnostic(`fixes exercised on windows-only: LF ${lf}, CRLF ${crlf}, BOM ${bom}`);
    assert.ok(lf! >= 11, `the example offers at least 11 fixes (got ${lf})`);
    assert.equal(crlf, lf, 'CRLF line endings do not change which fixes are offered');
    assert.equal(bom, lf, 'a BOM on client.ps1 does not change which fixes are offered');
  });

  for (const [name, files] of Object.entries(FIXTURES)) {
    it(`inline fixture: ${name}`, async (t) => {
      const counts: number[] = [];
      for (const v of fixtureVariants(name, files)) counts.push(await exerciseVariant(t, v));
      t.diagnostic(`fixes exercised: LF ${counts[0]}, CRLF ${counts[1]}, BOM ${counts[2]}`);
      assert.ok(counts[0]! > 0, `the fixture triggers at least one fix (${name})`);
      assert.equal(counts[1], counts[0], 'CRLF does not change the fixes offered');
      assert.equal(counts[2], counts[0], 'a BOM does not change the fixes offered');
    });
  }

  it('covers every rule that offers fixes, and reports the tally', (t) => {
    const missing = RULES_WITH_FIXES.filter((r) => !tally.byRule.has(r));
    t.diagnostic(`total fixes exercised: ${tally.fixes}`);
    t.diagnostic(`by rule: ${[...tally.byRule].map(([r, n]) => `${r} ${n}`).join(', ')}`);
    for (const f of tally.failed) t.diagnostic(`FAILED ${f}`);
    assert.deepEqual(missing, [], 'every rule with fixes is exercised');
  });
});
