/**
 * What the tolerant PowerShell scanner extracts. Offsets are UTF-16 offsets
 * into the scanned text. The scanner never throws and never needs the whole
 * script to be valid: real provisioning scripts are messy.
 */

export interface PsNode {
  readonly start: number;
  readonly end: number;
}

/** `$name`, `${name}`, `$env:NAME`, `$script:x`, or a `$( … )` subexpression inside an expandable string. */
export interface PsExpansion extends PsNode {
  /** Variable name without `$` and braces, scope kept (`env:NOMAD_VERSION`); for `$(…)`, the inner text. */
  readonly name: string;
  readonly subexpression: boolean;
  /** Scanned with `templated: true`: a Terraform `${…}` interpolation (also reported inside verbatim strings). */
  readonly template?: boolean;
}

export interface PsStringLiteral extends PsNode {
  /** expandable: `"…"` / `@"…"@`; verbatim: `'…'` / `@'…'@`. */
  readonly quote: 'expandable' | 'verbatim';
  readonly hereString: boolean;
  /** The content between the delimiters (for here-strings: after the opening line break, before the closing line break). */
  readonly contentStart: number;
  readonly contentEnd: number;
  /** Expansions inside expandable strings (none for verbatim ones). */
  readonly expansions: readonly PsExpansion[];
  /** e.g. here-string terminator not at the start of a line, unterminated string. */
  readonly problems: ReadonlyArray<PsNode & { readonly message: string }>;
  /** Templated scans: `$${` / `%%{` escapes and the text they render to (`${` / `%{`). */
  readonly templateEscapes?: ReadonlyArray<PsNode & { readonly text: string }>;
}

export interface PsReplaceOp extends PsNode {
  /** `.Replace` is the String.Replace method: a literal, case-sensitive pattern. */
  readonly operator: '-replace' | '-creplace' | '-ireplace' | '.Replace';
  readonly pattern: PsValue | undefined;
  readonly replacement: PsValue | undefined;
}

/** A value position: what a path, a content or an argument is made of. */
export type PsValue =
  | (PsNode & { readonly kind: 'string'; readonly literal: PsStringLiteral })
  | (PsNode & { readonly kind: 'variable'; readonly name: string })
  | (PsNode & { readonly kind: 'replace'; readonly base: PsValue; readonly ops: readonly PsReplaceOp[] })
  /** `Get-Content X` / `(Get-Content X -Raw)` / `[IO.File]::ReadAllText(X)`. */
  | (PsNode & { readonly kind: 'read'; readonly path: PsValue | undefined })
  /** A bare word argument (`C:\HashiCorp\Nomad\nomad.hcl`, `auto`). */
  | (PsNode & { readonly kind: 'bareword'; readonly text: string })
  | (PsNode & { readonly kind: 'other'; readonly text: string });

export interface PsParameter extends PsNode {
  /** Name without the dash, as written (`Encoding`, `ErrorAction`). */
  readonly name: string;
  readonly value: PsValue | undefined;
}

/** One command invocation (cmdlet, function, native exe like `sc.exe`). */
export interface PsCommand extends PsNode {
  readonly name: string;
  readonly nameStart: number;
  readonly nameEnd: number;
  readonly parameters: readonly PsParameter[];
  /** Positional arguments in order. */
  readonly arguments: readonly PsValue[];
  /** The value piped into this command, if it is the second+ element of a pipeline. */
  readonly pipelineInput: PsValue | undefined;
  /** `& "C:\path\nomad.exe" …` / `. .\lib.ps1`: the call operator used. */
  readonly invocationOperator?: '&' | '.';
}

/** `[IO.File]::WriteAllText(path, text, enc)` and other static method calls. */
export interface PsMethodCall extends PsNode {
  /** e.g. `System.IO.File` / `IO.File`. */
  readonly typeName: string;
  readonly method: string;
  readonly args: readonly PsValue[];
}

export interface PsAssignment extends PsNode {
  /** Variable name without `$` (`env:NOMAD_VERSION` for `$env:`). */
  readonly name: string;
  readonly nameStart: number;
  readonly nameEnd: number;
  readonly value: PsValue | undefined;
  /** True for `param(...)` defaults. */
  readonly isParameterDefault: boolean;
}

/** A file written by the script, normalised from the many ways PowerShell writes files. */
export interface PsFileWrite extends PsNode {
  readonly via: 'Out-File' | 'Set-Content' | 'Add-Content' | 'New-Item' | 'WriteAllText' | 'WriteAllLines' | 'AppendAllText' | 'redirect' | 'Copy-Item';
  readonly path: PsValue | undefined;
  readonly content: PsValue | undefined;
  /** `-Encoding X` value or the encoding argument of WriteAllText, as written. */
  readonly encoding: (PsNode & { readonly text: string }) | undefined;
  readonly append: boolean;
}

/** One parameter of a function: `[string]$Path` / `$Value = "x"` (in `param(...)` or `function F($a, $b)`), in order. */
export interface PsFunctionParam extends PsNode {
  /** Name without `$`. */
  readonly name: string;
  readonly defaultValue: PsValue | undefined;
}

/** `function Name { param(...) … }` / `function Name($a, $b) { … }` / `filter Name { … }`. */
export interface PsFunction extends PsNode {
  readonly name: string;
  readonly nameStart: number;
  readonly nameEnd: number;
  /** The inside of the body braces. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly params: readonly PsFunctionParam[];
}

export interface PsComment extends PsNode {
  readonly text: string;
}

export interface PsScanResult {
  readonly strings: readonly PsStringLiteral[];
  readonly commands: readonly PsCommand[];
  readonly methodCalls: readonly PsMethodCall[];
  readonly assignments: readonly PsAssignment[];
  readonly fileWrites: readonly PsFileWrite[];
  readonly comments: readonly PsComment[];
  /** Function definitions with their parameters (absent on scans made before functions were recorded). */
  readonly functions?: readonly PsFunction[];
  /** `<powershell>`…`</powershell>` wrapper content range, when present. */
  readonly userDataWrapper: PsNode | undefined;
  /** Templated scans: Terraform `%{ … }` directives (skipped by the scanner). */
  readonly templateDirectives?: readonly PsNode[];
}
