import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MappedText, MappedTextBuilder } from '../../../server/src/core/text/mappedText';
import type { MapSegment } from '../../../server/src/core/text/mappedText';
import type { ResolvedValue } from '../../../server/src/core/types';

const F = 'host.ps1';

test('identity: every offset maps to itself, end maps to text.length', () => {
  const m = MappedText.identity(F, 'abc\ndef');
  for (let i = 0; i <= m.text.length; i++) assert.deepEqual(m.hostOffset(i), { file: F, offset: i });
  assert.deepEqual(m.toHost(1, 5), { file: F, start: 1, end: 5 });
  assert.deepEqual(m.toHost(0, 7), { file: F, start: 0, end: 7 });
  assert.ok(m.isExactAt(0) && m.isExactAt(6));
  assert.equal(m.isExactAt(7), false, 'past the end is not exact');
  assert.equal(m.primaryFile(), F);
  assert.deepEqual(m.originsIn(0, 7), []);
});

test('identity of an empty text: no segments, mapping does not throw', () => {
  const m = MappedText.identity(F, '');
  assert.deepEqual(m.segments, []);
  assert.equal(m.primaryFile('fallback'), 'fallback');
  assert.deepEqual(m.hostOffset(0), { file: '', offset: 0 });
  assert.deepEqual(m.toHost(0, 0), { file: '', start: 0, end: 0 });
  assert.deepEqual(m.originsIn(0, 0), []);
  assert.equal(m.isExactAt(0), false);
});

test('builder: copy keeps exact mappings, emit maps a decoded escape to its whole host span', () => {
  // Host: a`tb  (PowerShell backtick-t decodes to TAB)
  const host = MappedText.identity(F, 'a`tb');
  const v = new MappedTextBuilder(host).copy(0, 1).emit('\t', 1, 3).copy(3, 4).build();
  assert.equal(v.text, 'a\tb');
  assert.deepEqual(v.toHost(0, 1), { file: F, start: 0, end: 1 });
  assert.deepEqual(v.toHost(1, 2), { file: F, start: 1, end: 3 }, 'the TAB stands for `t');
  assert.deepEqual(v.toHost(2, 3), { file: F, start: 3, end: 4 });
  assert.deepEqual(v.toHost(0, 3), { file: F, start: 0, end: 4 });
  assert.equal(v.isExactAt(1), false);
  assert.equal(v.isExactAt(2), true);
});

test('builder: start/end bias at segment boundaries', () => {
  const host = MappedText.identity(F, 'xx${v}yy');
  const origin: ResolvedValue = { kind: 'known', text: 'VALUE', chain: [{ span: { file: 'terraform.tfvars', start: 0, end: 5 }, note: 'tfvars sets v' }] };
  const v = new MappedTextBuilder(host).copy(0, 2).emit('VALUE', 2, 6, origin).copy(6, 8).build();
  assert.equal(v.text, 'xxVALUEyy');
  // Boundary 2 (between "xx" and "VALUE"): as a start it is the substitution's start, as an end it is the end of "xx".
  assert.deepEqual(v.hostOffset(2, 'start'), { file: F, offset: 2 });
  assert.deepEqual(v.hostOffset(2, 'end'), { file: F, offset: 2 });
  // Inside the substitution: start bias -> start of ${v}, end bias -> its end.
  assert.deepEqual(v.hostOffset(4, 'start'), { file: F, offset: 2 });
  assert.deepEqual(v.hostOffset(4, 'end'), { file: F, offset: 6 });
  // Boundary 7 (after VALUE): end bias -> end of ${v}; start bias -> first y.
  assert.deepEqual(v.hostOffset(7, 'end'), { file: F, offset: 6 });
  assert.deepEqual(v.hostOffset(7, 'start'), { file: F, offset: 6 });
  assert.deepEqual(v.toHost(3, 4), { file: F, start: 2, end: 6 }, 'any part of a substitution is the whole ${v}');
  assert.deepEqual(v.toHost(9, 9), { file: F, start: 8, end: 8 }, 'empty range at the end');
  assert.deepEqual(v.toHost(5, 3), { file: F, start: 2, end: 2 }, 'reversed range collapses at start');
});

test('builder: two stages compose (template render, then a here-string body) and keep origins', () => {
  const tpl = 'key = "${k}" # x';
  const origin: ResolvedValue = {
    kind: 'known',
    text: 'sekret',
    chain: [{ span: { file: 'a.tfvars', start: 3, end: 9 }, note: 'a.tfvars sets k' }],
    secret: true,
  };
  const stage1 = new MappedTextBuilder(MappedText.identity('tpl.hcl', tpl)).copy(0, 7).emit('sekret', 7, 11, origin).copy(11, tpl.length).build();
  assert.equal(stage1.text, 'key = "sekret" # x');
  // Stage 2 takes the quoted value only: characters 6..14 of stage 1.
  const stage2 = new MappedTextBuilder(stage1).copy(6, 14).build();
  assert.equal(stage2.text, '"sekret"');
  assert.deepEqual(stage2.toHost(0, 1), { file: 'tpl.hcl', start: 6, end: 7 });
  assert.deepEqual(stage2.toHost(1, 7), { file: 'tpl.hcl', start: 7, end: 11 });
  assert.deepEqual(stage2.toHost(0, 8), { file: 'tpl.hcl', start: 6, end: 12 });
  assert.deepEqual(stage2.originsIn(0, 8), [origin]);
  assert.deepEqual(stage2.originsIn(0, 1), [], 'the quote is not part of the value');
  // Stage 2 emit over an emitted range inherits its origin.
  const stage3 = new MappedTextBuilder(stage2).emit('S', 1, 7).build();
  assert.deepEqual(stage3.originsIn(0, 1), [origin]);
  assert.deepEqual(stage3.toHost(0, 1), { file: 'tpl.hcl', start: 7, end: 11 });
});

test('originsIn: empty range at the start of a substitution sees it; adjacent ranges do not', () => {
  const o: ResolvedValue = { kind: 'unknown', reason: 'computed at run time', chain: [] };
  const v = new MappedTextBuilder(MappedText.identity(F, 'a$(x)b')).copy(0, 1).emit('?', 1, 5, o).copy(5, 6).build();
  assert.deepEqual(v.originsIn(1, 1), [o]);
  assert.deepEqual(v.originsIn(0, 1), []);
  assert.deepEqual(v.originsIn(2, 3), []);
  assert.deepEqual(v.originsIn(0, 3), [o]);
});

test('concat shifts segments and keeps files apart', () => {
  const m = MappedText.concat([MappedText.identity('a', 'xy'), MappedText.identity('b', 'zw')]);
  assert.equal(m.text, 'xyzw');
  assert.deepEqual(m.toHost(2, 4), { file: 'b', start: 0, end: 2 });
  assert.deepEqual(m.toHost(0, 2), { file: 'a', start: 0, end: 2 });
  // A range crossing files never crosses in the result: it ends at the first file's segment end.
  assert.deepEqual(m.toHost(1, 3), { file: 'a', start: 1, end: 2 });
});

test('builder: zero-length copy and emit add nothing', () => {
  const b = new MappedTextBuilder(MappedText.identity(F, 'abc')).copy(1, 1).emit('', 0, 2);
  assert.equal(b.currentLength, 0);
  assert.deepEqual(b.build().segments, []);
});

// ---------------------------------------------------------------------------
// Differential: toHost (no intermediate objects) and MappedTextBuilder.copy (binary search for its first segment)
// against the straightforward versions they replaced, on random multi-file, exact and substituted layouts.

function referenceSegmentIndex(m: MappedText, v: number, preferEnd: boolean): number {
  const segs = m.segments;
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

function referenceHostOffset(m: MappedText, v: number, bias: 'start' | 'end'): { file: string; offset: number } {
  const seg = m.segments[referenceSegmentIndex(m, v, bias === 'end')];
  if (!seg) return { file: '', offset: 0 };
  if (seg.exact) return { file: seg.file, offset: seg.hStart + Math.max(0, Math.min(v - seg.vStart, seg.hEnd - seg.hStart)) };
  if (v <= seg.vStart) return { file: seg.file, offset: seg.hStart };
  if (v >= seg.vEnd) return { file: seg.file, offset: seg.hEnd };
  return { file: seg.file, offset: bias === 'end' ? seg.hEnd : seg.hStart };
}

/** toHost as it was: two hostOffset calls and their objects. */
function referenceToHost(m: MappedText, start: number, end: number): { file: string; start: number; end: number } {
  const a = referenceHostOffset(m, start, 'start');
  if (end <= start) return { file: a.file, start: a.offset, end: a.offset };
  const b = referenceHostOffset(m, end, 'end');
  if (b.file === a.file && b.offset >= a.offset) return { file: a.file, start: a.offset, end: b.offset };
  const seg = m.segments[referenceSegmentIndex(m, start, false)];
  return { file: a.file, start: a.offset, end: Math.max(a.offset, seg?.hEnd ?? a.offset) };
}

function randomMapped(rand: () => number): MappedText {
  const files = ['a.ps1', 'b.tftpl', 'c.tf'];
  const segs: MapSegment[] = [];
  let v = 0;
  const hostAt = new Map<string, number>();
  const n = 1 + Math.floor(rand() * 12);
  for (let i = 0; i < n; i++) {
    const file = files[Math.floor(rand() * files.length)]!;
    const len = 1 + Math.floor(rand() * 8);
    const exact = rand() < 0.6;
    const h = (hostAt.get(file) ?? 0) + Math.floor(rand() * 5);
    const hLen = exact ? len : Math.floor(rand() * 6);
    segs.push({ vStart: v, vEnd: v + len, file, hStart: h, hEnd: h + hLen, exact });
    hostAt.set(file, h + hLen);
    v += len;
  }
  return new MappedText('x'.repeat(v), segs);
}

test('toHost equals hostOffset twice (random layouts, every range)', () => {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  let cases = 0;
  for (let k = 0; k < 400; k++) {
    const m = randomMapped(rand);
    for (let s = 0; s <= m.text.length; s++)
      for (let e = s; e <= m.text.length; e++) {
        assert.deepEqual(m.toHost(s, e), referenceToHost(m, s, e));
        cases++;
      }
  }
  assert.deepEqual(new MappedText('', []).toHost(0, 0), referenceToHost(new MappedText('', []), 0, 0));
  assert.ok(cases > 10_000, `${cases} ranges`);
});

test('MappedTextBuilder.copy: same pieces as copying from a scan of every segment (random layouts and ranges)', () => {
  let seed = 11;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let k = 0; k < 400; k++) {
    const m = randomMapped(rand);
    const b = new MappedTextBuilder(m);
    const ref: MapSegment[] = [];
    let length = 0;
    for (let c = 0; c < 6; c++) {
      const s = Math.floor(rand() * (m.text.length + 1));
      const e = s + Math.floor(rand() * (m.text.length - s + 1));
      b.copy(s, e);
      if (e > s) {
        for (const seg of m.segments) {
          if (seg.vEnd <= s) continue;
          if (seg.vStart >= e) break;
          const a = Math.max(s, seg.vStart);
          const z = Math.min(e, seg.vEnd);
          const piece = seg.exact
            ? {
                vStart: length + (a - s),
                vEnd: length + (z - s),
                file: seg.file,
                hStart: seg.hStart + (a - seg.vStart),
                hEnd: seg.hStart + (z - seg.vStart),
                exact: true,
              }
            : { vStart: length + (a - s), vEnd: length + (z - s), file: seg.file, hStart: seg.hStart, hEnd: seg.hEnd, exact: false };
          const last = ref[ref.length - 1];
          if (last && last.exact && piece.exact && last.file === piece.file && last.vEnd === piece.vStart && last.hEnd === piece.hStart)
            ref[ref.length - 1] = { ...last, vEnd: piece.vEnd, hEnd: piece.hEnd };
          else if (piece.vEnd > piece.vStart) ref.push(piece);
        }
        length += e - s;
      }
    }
    assert.deepEqual(b.build().segments, ref);
  }
});
