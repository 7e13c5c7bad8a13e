/**
 * The keystroke workload on the big client.ps1: three kinds of edit, chosen
 * by a seeded PRNG, each a single-character insert or delete (or a new line)
 * expressed as an incremental LSP change.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { mulberry32 } from './generate';

export type EditKind = 'here-string' | 'value' | 'new-line';
export const EDIT_KINDS: readonly EditKind[] = ['here-string', 'value', 'new-line'];

const PATTERNS: Record<EditKind, RegExp> = {
  // `  name    = "svcN"` inside an HCL here-string: type / backspace before the closing quote.
  'here-string': /^ {2}name {4}= "svc\d+(z*)"$/gm,
  // `Write-Host "Registered svcN"`: a plain PowerShell string value.
  value: /^ {4}Write-Host "Registered svc\d+(z*)"$/gm,
  // A new statement line before a top-level `Install-ServiceN` call.
  'new-line': /^Install-Service\d+ /gm,
};

export class EditScript {
  private readonly rnd: () => number;
  private n = 0;

  constructor(
    public doc: TextDocument,
    seed: number,
  ) {
    this.rnd = mulberry32(seed);
  }

  /** The next edit (already applied to `doc`, version bumped). */
  next(): { kind: EditKind; version: number; changes: TextDocumentContentChangeEvent[] } {
    const kind = EDIT_KINDS[this.n % EDIT_KINDS.length]!;
    this.n++;
    const text = this.doc.getText();
    const matches = [...text.matchAll(PATTERNS[kind])];
    if (matches.length === 0) throw new Error(`no ${kind} edit site in the document`);
    const m = matches[Math.floor(this.rnd() * matches.length)]!;
    const lineStart = m.index ?? 0;
    let changes: TextDocumentContentChangeEvent[];
    if (kind === 'new-line') {
      const pos = this.doc.positionAt(lineStart);
      changes = [{ range: { start: pos, end: pos }, text: `Write-Host "edit ${this.n}"\n` }];
    } else {
      const closingQuote = lineStart + m[0].length - 1;
      const zs = m[1] ?? '';
      if (zs.length > 0) {
        changes = [{ range: { start: this.doc.positionAt(closingQuote - 1), end: this.doc.positionAt(closingQuote) }, text: '' }];
      } else {
        const pos = this.doc.positionAt(closingQuote);
        changes = [{ range: { start: pos, end: pos }, text: 'z' }];
      }
    }
    const version = this.doc.version + 1;
    this.doc = TextDocument.update(this.doc, changes, version);
    return { kind, version, changes };
  }
}
