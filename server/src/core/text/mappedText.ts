import type { ResolvedValue, Span } from '../types';

/**
 * A piece of a virtual document and the host-file characters it came from.
 * `exact` pieces were copied verbatim (offset i maps to hStart + i); the
 * others stand for their whole host span (an escape sequence that decoded to
 * one character, a `${var}` replaced by its value, a `-replace` placeholder).
 */
export interface MapSegment {
  readonly vStart: number;
  readonly vEnd: number;
  readonly file: string;
  readonly hStart: number;
  readonly hEnd: number;
  readonly exact: boolean;
  /** Set when the text is a substituted value: where that value came from. */
  readonly origin?: ResolvedValue;
}

/**
 * Text of a virtual document (an agent config written by a script, a rendered
 * template) together with the map from each of its offsets back to the exact
 * characters of the host file, through every layer of escapes.
 */
export class MappedText {
  constructor(
    readonly text: string,
    /** Sorted, contiguous, covering [0, text.length). */
    readonly segments: readonly MapSegment[],
  ) {}

  static identity(file: string, text: string): MappedText {
    return new MappedText(text, text.length === 0 ? [] : [{ vStart: 0, vEnd: text.length, file, hStart: 0, hEnd: text.length, exact: true }]);
  }

  /** The file of the first segment; for an empty text, `fallbackFile`. */
  primaryFile(fallbackFile = ''): string {
    return this.segments[0]?.file ?? fallbackFile;
  }

  private segmentIndex(v: number, preferEnd: boolean): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = segs[mid]!;
      if (preferEnd ? v <= s.vStart : v < s.vStart) hi = mid - 1;
      else if (preferEnd ? v > s.vEnd : v >= s.vEnd) lo = mid + 1;
      else return mid;
    }
    return Math.max(0, Math.min(segs.length - 1, lo));
  }

  /** Host file and offset of virtual offset `v`; `end` bias maps an end boundary. */
  hostOffset(v: number, bias: 'start' | 'end' = 'start'): { file: string; offset: number } {
    const seg = this.segments[this.segmentIndex(v, bias === 'end')];
    return seg ? { file: seg.file, offset: offsetIn(seg, v, bias === 'end') } : { file: '', offset: 0 };
  }

  /** Host span of the virtual range [start, end). Never crosses files. */
  toHost(start: number, end: number): Span {
    // hostOffset twice, without its intermediate objects: this runs for every span a finding or setting reports.
    const segs = this.segments;
    const sa = segs[this.segmentIndex(start, false)];
    if (!sa) return { file: '', start: 0, end: 0 };
    const a = offsetIn(sa, start, false);
    if (end <= start) return { file: sa.file, start: a, end: a };
    const sb = segs[this.segmentIndex(end, true)]!;
    const b = offsetIn(sb, end, true);
    if (sb.file === sa.file && b >= a) return { file: sa.file, start: a, end: b };
    return { file: sa.file, start: a, end: Math.max(a, sa.hEnd) };
  }

  /** The index of the first segment that ends after virtual offset `v` (segments.length when none does). */
  firstSegmentEndingAfter(v: number): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid]!.vEnd <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Concatenates virtual documents (their segments shift, mappings stay). */
  static concat(parts: readonly MappedText[]): MappedText {
    const segs: MapSegment[] = [];
    let offset = 0;
    for (const p of parts) {
      for (const s of p.segments) segs.push({ ...s, vStart: s.vStart + offset, vEnd: s.vEnd + offset });
      offset += p.text.length;
    }
    return new MappedText(parts.map((p) => p.text).join(''), segs);
  }

  /** Substituted values that overlap the virtual range [start, end). */
  originsIn(start: number, end: number): ResolvedValue[] {
    const out: ResolvedValue[] = [];
    if (this.segments.length === 0) return out;
    for (let i = this.segmentIndex(start, false); i < this.segments.length; i++) {
      const s = this.segments[i]!;
      if (s.vStart >= end && !(end === start && s.vStart === start)) break;
      if (s.origin && s.vEnd > start) out.push(s.origin);
    }
    return out;
  }

  /** Whether virtual offset `v` lies in text copied verbatim from the host. */
  isExactAt(v: number): boolean {
    const seg = this.segments[this.segmentIndex(v, false)];
    return seg !== undefined && seg.exact && v >= seg.vStart && v < seg.vEnd;
  }
}

/**
 * Builds a MappedText from pieces of a source MappedText. Stages compose:
 * a template rendered from a file, then a PowerShell here-string decoded from
 * that render, then the HCL inside it — each maps to the original host file.
 */
export class MappedTextBuilder {
  private readonly parts: string[] = [];
  private segs: OwnedSegment[] = [];
  private length = 0;

  constructor(private readonly source: MappedText) {}

  /** Copies source[start, end) keeping exact mappings exact. */
  copy(start: number, end: number): this {
    if (end <= start) return this;
    const src = this.source;
    this.parts.push(src.text.slice(start, end));
    // From the first segment that reaches `start` (a binary search): decoding a long rendered script copies many
    // short pieces of it, and a scan from the first segment each time was quadratic in its number of segments.
    const segs = src.segments;
    for (let i = src.firstSegmentEndingAfter(start); i < segs.length; i++) {
      const seg = segs[i]!;
      if (seg.vStart >= end) break;
      const s = Math.max(start, seg.vStart);
      const e = Math.min(end, seg.vEnd);
      const vStart = this.length + (s - start);
      const vEnd = this.length + (e - start);
      if (seg.exact) this.push(vStart, vEnd, seg.file, seg.hStart + (s - seg.vStart), seg.hStart + (e - seg.vStart), true, seg.origin);
      else this.push(vStart, vEnd, seg.file, seg.hStart, seg.hEnd, false, seg.origin);
    }
    this.length += end - start;
    return this;
  }

  /** Emits `text` standing for source[start, end) (an escape, a substitution). */
  emit(text: string, start: number, end: number, origin?: ResolvedValue): this {
    if (text.length === 0) return this;
    const host = this.source.toHost(start, end);
    const inner = origin ?? mergeOrigins(this.source.originsIn(start, end));
    this.parts.push(text);
    this.push(this.length, this.length + text.length, host.file, host.start, host.end, false, inner);
    this.length += text.length;
    return this;
  }

  /**
   * Emits a whole other virtual document standing for source[start, end) (a template rendered into a `${var}` of
   * this one): its pieces keep their own mappings and origins, so a position inside it lands in the file it came from
   * and a value in it keeps its own chain (`origin` is used only for an inner text without segments).
   */
  embed(inner: MappedText, start: number, end: number, origin?: ResolvedValue): this {
    if (inner.text.length === 0) return this;
    if (inner.segments.length === 0) return this.emit(inner.text, start, end, origin);
    this.parts.push(inner.text);
    for (const seg of inner.segments) this.push(this.length + seg.vStart, this.length + seg.vEnd, seg.file, seg.hStart, seg.hEnd, seg.exact, seg.origin);
    this.length += inner.text.length;
    return this;
  }

  get currentLength(): number {
    return this.length;
  }

  build(): MappedText {
    this.handedOver = true;
    return new MappedText(this.parts.join(''), this.segs);
  }

  /** build() gave `segs` away: a builder used again works on copies, so the built text never changes. */
  private handedOver = false;

  /**
   * Appends a segment, extending the last one when it continues it exactly. Takes the fields rather than an object, and
   * extends in place: every segment in `segs` was made here and nothing else holds it before build(), and this runs
   * for every piece of every value a script's analysis builds (most of them merge).
   */
  private push(vStart: number, vEnd: number, file: string, hStart: number, hEnd: number, exact: boolean, origin: ResolvedValue | undefined): void {
    if (vEnd <= vStart) return;
    if (this.handedOver) {
      this.segs = this.segs.map((seg) => ({ ...seg }));
      this.handedOver = false;
    }
    const last = this.segs[this.segs.length - 1];
    if (last && last.exact && exact && last.file === file && last.vEnd === vStart && last.hEnd === hStart && last.origin === origin) {
      last.vEnd = vEnd;
      last.hEnd = hEnd;
      return;
    }
    // Without an `origin` key when there is none (the shape of the segments is part of what the tests compare).
    this.segs.push(origin === undefined ? { vStart, vEnd, file, hStart, hEnd, exact } : { vStart, vEnd, file, hStart, hEnd, exact, origin });
  }
}

/** A segment while its builder owns it (extended in place until build()). */
type OwnedSegment = { -readonly [K in keyof MapSegment]: MapSegment[K] };

/** Host offset of virtual offset `v` in its segment `seg`; `end` maps an end boundary. */
function offsetIn(seg: MapSegment, v: number, end: boolean): number {
  if (seg.exact) return seg.hStart + Math.max(0, Math.min(v - seg.vStart, seg.hEnd - seg.hStart));
  if (v <= seg.vStart) return seg.hStart;
  if (v >= seg.vEnd) return seg.hEnd;
  return end ? seg.hEnd : seg.hStart;
}

function mergeOrigins(values: ResolvedValue[]): ResolvedValue | undefined {
  return values.length === 0 ? undefined : values[0];
}
