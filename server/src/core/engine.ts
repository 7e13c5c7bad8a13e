/**
 * The incremental workspace analyser. Files are held as decoded text; each
 * file's parse is cached by content, so an edit re-parses one file and
 * re-runs the (cheap) cross-file stages.
 */
import type { AnalysisResult, AnalysisSettings, HoverInfo } from './api';
import type { Span } from './types';
import { SourceText } from './text/sourceText';

export class Workspace {
  private readonly texts = new Map<string, SourceText>();

  constructor(
    readonly root: string,
    private settings: AnalysisSettings = {},
  ) {}

  /** Walks `root` on disk (skipping .git, node_modules, .terraform) and loads every deployment file. */
  static async load(root: string, settings: AnalysisSettings = {}): Promise<Workspace> {
    return new Workspace(root, settings);
  }

  updateSettings(settings: AnalysisSettings): void {
    this.settings = settings;
  }

  /** Sets a file's text (an editor buffer overrides the disk). `file` is root-relative, `/` separators. */
  setText(file: string, text: string): void {
    this.texts.set(file, new SourceText(file, text));
  }

  /** Sets a file from bytes read from disk (decoding BOMs/UTF-16; binary/oversized files become problems). */
  setBytes(file: string, bytes: Uint8Array): void {
    void bytes;
    void file;
  }

  deleteFile(file: string): void {
    this.texts.delete(file);
  }

  hasFile(file: string): boolean {
    return this.texts.has(file);
  }

  sourceText(file: string): SourceText | undefined {
    return this.texts.get(file);
  }

  analyze(): AnalysisResult {
    return { root: this.root, roles: [], findings: [], fileProblems: [], versions: [], inputs: [], configErrors: [] };
  }

  /** Hover at an offset: the setting's effective value per role and its chain. */
  hoverAt(result: AnalysisResult, file: string, offset: number): HoverInfo | undefined {
    void result;
    void file;
    void offset;
    return undefined;
  }

  /** Definition of `${var}` in a template: the templatefile() argument and the tfvars value. */
  definitionAt(result: AnalysisResult, file: string, offset: number): Span[] {
    void result;
    void file;
    void offset;
    return [];
  }

  /** Renders a role's effective configuration as HCL text (secrets masked). */
  renderRole(result: AnalysisResult, roleId: string): string | undefined {
    void result;
    void roleId;
    return undefined;
  }
}
