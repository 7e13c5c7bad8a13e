/**
 * What the tolerant bash scanner extracts. Offsets are UTF-16 offsets into the
 * scanned text. The scanner never throws.
 */

export interface ShNode {
  readonly start: number;
  readonly end: number;
}

/** `$VAR`, `${VAR}`, `${VAR:-default}`, `$(cmd)` inside a word or an unquoted heredoc. */
export interface ShExpansion extends ShNode {
  readonly name: string;
  readonly command: boolean;
  /** The default in `${VAR:-default}` / `${VAR:=default}`. */
  readonly defaultValue?: string;
}

export interface ShWord extends ShNode {
  /** The word as written. */
  readonly raw: string;
  /** The value after quote removal when it contains no expansion; undefined otherwise. */
  readonly literal: string | undefined;
  readonly expansions: readonly ShExpansion[];
}

export interface ShRedirect extends ShNode {
  readonly op: '>' | '>>' | '<' | '2>' | '&>' | '>|';
  readonly target: ShWord;
}

export interface ShCommand extends ShNode {
  /** First word after `sudo`/env assignments, e.g. `cat`, `tee`, `sed`, `cp`. */
  readonly name: string;
  readonly nameStart: number;
  readonly nameEnd: number;
  readonly args: readonly ShWord[];
  readonly redirects: readonly ShRedirect[];
  /** Whether `sudo` prefixed it. */
  readonly sudo: boolean;
}

export interface ShHeredoc extends ShNode {
  readonly delimiter: string;
  /** `<<'EOF'` / `<<"EOF"` / `<<\EOF`: no expansion in the body. */
  readonly quoted: boolean;
  /** `<<-`: leading tabs stripped. */
  readonly stripTabs: boolean;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  /** The command the heredoc feeds (`cat`, `tee`, …). */
  readonly command: ShCommand | undefined;
  /** Files the body is written to: `> f`, `>> f`, `tee [-a] f`. */
  readonly targets: readonly ShWord[];
  readonly append: boolean;
  /** Expansions inside an unquoted body. */
  readonly expansions: readonly ShExpansion[];
}

export interface ShSedSubstitution extends ShNode {
  readonly pattern: string;
  readonly replacement: string;
  readonly flags: string;
  readonly patternStart: number;
  readonly patternEnd: number;
  readonly replacementStart: number;
  readonly replacementEnd: number;
  /** Expansions inside the replacement (`s/IP/$IP/`). */
  readonly expansions: readonly ShExpansion[];
}

export interface ShSed extends ShNode {
  readonly inPlace: boolean;
  readonly substitutions: readonly ShSedSubstitution[];
  readonly files: readonly ShWord[];
}

export interface ShAssignment extends ShNode {
  readonly name: string;
  readonly nameStart: number;
  readonly nameEnd: number;
  readonly value: ShWord | undefined;
  readonly exported: boolean;
}

export interface ShComment extends ShNode {
  readonly text: string;
}

export interface ShScanResult {
  readonly commands: readonly ShCommand[];
  readonly heredocs: readonly ShHeredoc[];
  readonly seds: readonly ShSed[];
  readonly assignments: readonly ShAssignment[];
  readonly comments: readonly ShComment[];
}

/** A parsed systemd unit (`[Unit]`, `[Service]`, …). */
export interface SystemdUnit {
  readonly sections: ReadonlyArray<{
    readonly name: string;
    readonly start: number;
    readonly entries: ReadonlyArray<{ readonly key: string; readonly value: string; readonly start: number; readonly end: number; readonly valueStart: number }>;
  }>;
}
