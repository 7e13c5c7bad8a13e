/**
 * Per-file parse results, cached by the identity of the file's SourceText:
 * an edit replaces one SourceText, so only that file is parsed again.
 */
import type { HclParseResult } from '../parsers/hcl/ast';
import type { PsScanResult } from '../parsers/powershell/types';
import type { ShScanResult } from '../parsers/bash/types';
import type { SourceText } from '../text/sourceText';
import type { FileKind } from './fileKinds';

export interface ParsedHclFile {
  readonly file: string;
  readonly kind: FileKind;
  readonly source: SourceText;
  readonly parse: HclParseResult;
}

export interface ScannedScript<T> {
  readonly text: string;
  readonly scan: T;
}

export type PsScan = ScannedScript<PsScanResult>;
export type ShScan = ScannedScript<ShScanResult>;
