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

/** A small cache keyed by text: a template re-rendered to the same text is not scanned again. */
export class TextKeyedCache<T> {
  private readonly map = new Map<string, T>();
  constructor(private readonly limit = 512) {}

  get(key: string, compute: () => T): T {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const v = compute();
    this.map.set(key, v);
    if (this.map.size > this.limit) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    return v;
  }
}
