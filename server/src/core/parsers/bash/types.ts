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
  /** Templated scans: a Terraform interpolation `${expr}`; `name` is the trimmed expression. */
  readonly template?: boolean;
  /** Templated scans: `$${X}`, which Terraform renders to the bash expansion `${X}`. */
  readonly templateEscaped?: boolean;
  /** `$((…))`; `name` is the arithmetic expression. */
  readonly arithmetic?: boolean;
}

export interface ShWord extends ShNode {
  /** The word as written. */
  readonly raw: string;
  /** The value after quote removal when it contains no expansion; undefined otherwise. */
  readonly literal: string | undefined;
  readonly expansions: readonly ShExpansion[];
  /** Whether any part of the word was quoted or backslash-escaped. */
  readonly quoted?: boolean;
  /** Set when scanned with `templated: true` (`$${` / `%%{` are Terraform escapes). */
  readonly templated?: boolean;
}

export interface ShRedirect extends ShNode {
  readonly op: '>' | '>>' | '<' | '2>' | '&>' | '>|';
  readonly target: ShWord;
  /** The operator as written (`1>`, `>>`, `&>>`, `2>>`, `>&` …); `op` is its normalized form. */
  readonly rawOp?: string;
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
  /**
   * Prefix assignments `FOO=1 cmd` and `env FOO=1 cmd`. They apply to this
   * command only, so they are NOT listed in `ShScanResult.assignments`.
   */
  readonly envAssignments?: readonly ShAssignment[];
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
  /** Expansions inside an unquoted body (templated scans: also Terraform interpolations in quoted bodies). */
  readonly expansions: readonly ShExpansion[];
  /** False when the delimiter line was never found (body runs to the end of the text). */
  readonly terminated?: boolean;
  /** Set when scanned with `templated: true`. */
  readonly templated?: boolean;
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
  /** The delimiter character (`/`, `|`, `@`, …). */
  readonly delimiter?: string;
  /** `pattern` / `replacement` with `\<delimiter>` unescaped. */
  readonly patternUnescaped?: string;
  readonly replacementUnescaped?: string;
}

/** One command of a sed script, in order (`index`: of an `s` command in `substitutions`); `address` as written. */
export type ShSedCommand =
  | { readonly kind: 's'; readonly index: number; readonly address?: string }
  | { readonly kind: 'd' | '{'; readonly address?: string }
  | { readonly kind: '}' }
  | { readonly kind: 'other'; readonly name: string; readonly address?: string };

export interface ShSed extends ShNode {
  readonly inPlace: boolean;
  readonly substitutions: readonly ShSedSubstitution[];
  /** `-E` / `-r` / `--regexp-extended`: extended regular expressions. */
  readonly extended?: boolean;
  /** The script's commands in order (all `-e` scripts joined). */
  readonly program?: readonly ShSedCommand[];
  /** An option whose effect on the output is not modelled (`-n`, `-z`, `--posix`, `-f FILE`). */
  readonly unmodelled?: string;
  readonly files: readonly ShWord[];
  /** The `sed` command itself. */
  readonly command?: ShCommand;
  /** Backup suffix of `-i.bak` / `--in-place=.bak`. */
  readonly backupSuffix?: string;
}

export interface ShAssignment extends ShNode {
  readonly name: string;
  readonly nameStart: number;
  readonly nameEnd: number;
  readonly value: ShWord | undefined;
  readonly exported: boolean;
  /** The builtin that declared it: `export`, `readonly`, `local`, `declare`, `typeset`; absent for `X=1`. */
  readonly declaredBy?: string;
  /** `X+=value`: `value` is appended to the value X had. */
  readonly append?: boolean;
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
    readonly entries: ReadonlyArray<{
      readonly key: string;
      readonly value: string;
      readonly start: number;
      readonly end: number;
      readonly valueStart: number;
    }>;
  }>;
}
