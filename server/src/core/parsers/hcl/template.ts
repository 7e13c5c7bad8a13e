/**
 * Terraform template files (`templatefile` contents: whole .ps1/.sh/.tpl
 * files): literal text, `${ expr }` interpolations, `%{ ... }` directives and
 * the `$${` / `%%{` escapes. Linear and tolerant.
 */
import type { HclSyntaxDiagnostic, HclTemplatePart } from './ast';
import { ExprParser } from './expressions';
import { finishDiagnostics } from './parser';
import { scanTemplate } from './strings';

export interface TemplateParseResult {
  readonly parts: HclTemplatePart[];
  readonly diagnostics: HclSyntaxDiagnostic[];
}

/** Parses a template file, returning its parts and syntax diagnostics. Never throws. */
export function parseTemplateWithDiagnostics(text: string): TemplateParseResult {
  const parser = new ExprParser(text, 'hcl2');
  try {
    const res = scanTemplate(parser, 0, { kind: 'file', limit: text.length });
    return { parts: res.parts, diagnostics: finishDiagnostics(parser.diags) };
  } catch (err) {
    const diagnostics = finishDiagnostics(parser.diags);
    diagnostics.push({ start: 0, end: 0, message: `Internal template parser error: ${err instanceof Error ? err.message : String(err)}` });
    return { parts: [{ kind: 'literal', start: 0, end: text.length, value: text }], diagnostics };
  }
}

/** Parses a template file into literal / interpolation / directive parts. */
export function parseTemplate(text: string): HclTemplatePart[] {
  return parseTemplateWithDiagnostics(text).parts;
}
