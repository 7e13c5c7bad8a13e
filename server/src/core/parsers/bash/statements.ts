/**
 * Statement assembly: the flat loop that groups tokens into commands and
 * pipelines, skips control-structure keywords and headers (`if`, `case … in`,
 * `for … in …`, `function f()`), keeps `[[ … ]]` as one command and records
 * redirections and heredoc operators.
 */
import type { ShRedirect } from './types';
import { finishCommand } from './commands';
import { finishPipeline } from './heredocs';
import { nextToken } from './lexer';
import { Ch, ASSIGN_RE, type Built, type CmdBuild, type HeredocRec, type ScanState, type Tok } from './scanState';

const RESERVED_SKIP = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}', 'time', ']]']);

export function scanStatements(sc: ScanState): void {
  let cur: CmdBuild = newBuild();
  let pipeline: Built[] = [];
  let casePattern = false;
  let caseDepth = 0;
  let guard = 0;
  const endCommand = (): void => {
    const b = finishCommand(sc, cur);
    cur = newBuild();
    if (b) pipeline.push(b);
  };
  const endPipeline = (): void => {
    endCommand();
    if (pipeline.length > 0) finishPipeline(pipeline);
    pipeline = [];
  };
  for (;;) {
    if (++guard > 4 * (sc.lim + 16)) break; // defensive: never loop forever
    const atStart = cur.words.length === 0 && cur.prefix.length === 0 && cur.redirects.length === 0 && cur.heredocs.length === 0;
    const condMode = cur.words.length > 0 && cur.words[0]!.raw === '[[';
    const tok = nextToken(sc, atStart, condMode);
    if (tok.k === 'eof') break;
    if (casePattern) {
      if (tok.k === 'word' && !tok.w.quoted && tok.w.raw === 'esac') {
        caseDepth = Math.max(0, caseDepth - 1);
        casePattern = false;
      } else if (tok.k === 'op' && tok.op === ')') casePattern = false;
      continue;
    }
    if (condMode) {
      if (tok.k === 'word') {
        cur.words.push(tok.w);
        cur.end = tok.w.end;
        if (tok.w.raw === ']]') endCommand();
        continue;
      }
      if (tok.k === 'op' && (tok.op === '&&' || tok.op === '||' || tok.op === '(' || tok.op === ')')) continue;
    }
    if (tok.k === 'word') {
      const w = tok.w;
      if (cur.words.length === 0) {
        if (cur.prefix.length === 0 && cur.redirects.length === 0 && !w.quoted) {
          const r = w.raw;
          if (RESERVED_SKIP.has(r)) continue;
          if (r === 'esac') {
            caseDepth = Math.max(0, caseDepth - 1);
            continue;
          }
          if (r === 'case') {
            // subject word, then `in`
            skipUntilWord(sc, 'in');
            caseDepth++;
            casePattern = true;
            continue;
          }
          if (r === 'for' || r === 'select') {
            skipForHeader(sc);
            continue;
          }
          if (r === 'function') {
            nextToken(sc, false, false); // the name
            skipParenPair(sc);
            continue;
          }
          if (r === '[[') {
            cur.words.push(w);
            cur.start = w.start;
            cur.end = w.end;
            continue;
          }
        }
        if (ASSIGN_RE.test(w.raw)) {
          if (cur.prefix.length === 0 && cur.redirects.length === 0) cur.start = w.start;
          cur.prefix.push(w);
          cur.end = w.end;
          continue;
        }
      }
      if (cur.words.length === 0 && cur.prefix.length === 0 && cur.redirects.length === 0) cur.start = w.start;
      cur.words.push(w);
      cur.end = w.end;
      continue;
    }
    if (tok.k === 'redir') {
      handleRedirect(sc, tok, cur);
      continue;
    }
    // operators
    switch (tok.op) {
      case '((':
        continue;
      case '(':
        if (cur.words.length === 1 && cur.prefix.length === 0 && peekChar(sc) === Ch.RP) {
          // function definition name() { … }
          nextToken(sc, false, false);
          cur = newBuild();
          continue;
        }
        endPipeline();
        continue;
      case '|':
      case '|&':
        endCommand();
        continue;
      case ';;':
      case ';&':
      case ';;&':
        endPipeline();
        if (caseDepth > 0) casePattern = true;
        continue;
      default:
        endPipeline();
        if (tok.op === '\n' && caseDepth === 0) noteRestart(sc);
        continue;
    }
  }
  endPipeline();
  // Heredocs whose body never started (no newline before EOF).
  for (const h of sc.pending) {
    h.bodyStart = sc.lim;
    h.bodyEnd = sc.lim;
    h.end = sc.lim;
    h.terminated = false;
  }
  sc.pending.length = 0;
}

/**
 * After a newline the statement loop took (the pipeline ended, not in a `case`): records the line start as a restart
 * point when a fresh scan from there would be in the same state and the records so far depend on nothing after it.
 */
function noteRestart(sc: ScanState): void {
  const restarts = sc.sink.restarts;
  if (restarts === undefined || sc.depth !== 0) return;
  const p = sc.i;
  // Not after a lone CR (it looked at the next character), nor inside a heredoc body read ahead.
  if (sc.t.charCodeAt(p - 1) !== Ch.NL || sc.sink.reach > p) return;
  restarts.push(p);
}

function peekChar(sc: ScanState): number {
  let i = sc.i;
  while (i < sc.lim && (sc.t.charCodeAt(i) === Ch.SP || sc.t.charCodeAt(i) === Ch.TAB)) i++;
  return i < sc.lim ? sc.t.charCodeAt(i) : -1;
}

function skipParenPair(sc: ScanState): void {
  if (peekChar(sc) !== Ch.LP) return;
  nextToken(sc, false, false);
  if (peekChar(sc) === Ch.RP) nextToken(sc, false, false);
}

function skipUntilWord(sc: ScanState, word: string): void {
  for (let n = 0; n < 64; n++) {
    const save = sc.i;
    const tok = nextToken(sc, false, false);
    if (tok.k === 'eof') return;
    if (tok.k === 'word' && tok.w.raw === word) return;
    if (tok.k === 'op' && tok.op !== '\n') {
      sc.i = save;
      return;
    }
  }
}

/** After `for`/`select`: `NAME [in words] ;|newline` or `((…))`. */
function skipForHeader(sc: ScanState): void {
  for (;;) {
    const save = sc.i;
    const tok = nextToken(sc, true, false);
    if (tok.k === 'eof') return;
    if (tok.k === 'op') {
      if (tok.op === '((') continue;
      if (tok.op === ';' || tok.op === '\n') return;
      sc.i = save;
      return;
    }
    if (tok.k === 'word' && tok.w.raw === 'do' && !tok.w.quoted) return;
    if (tok.k === 'redir') {
      sc.i = save;
      return;
    }
  }
}

function handleRedirect(sc: ScanState, tok: Extract<Tok, { k: 'redir' }>, cur: CmdBuild): void {
  if (cur.words.length === 0 && cur.prefix.length === 0 && cur.redirects.length === 0 && cur.heredocs.length === 0) cur.start = tok.start;
  const save = sc.i;
  const nt = nextToken(sc, false, false);
  if (nt.k !== 'word') {
    sc.i = save;
    cur.end = Math.max(cur.end, tok.end);
    return;
  }
  const w = nt.w;
  cur.end = Math.max(cur.end, w.end);
  const op = tok.op;
  if (op === '<<' || op === '<<-') {
    const h: HeredocRec = {
      start: tok.start,
      end: w.end,
      delimiter: w.literal ?? w.raw,
      quoted: w.quoted,
      stripTabs: op === '<<-',
      bodyStart: w.end,
      bodyEnd: w.end,
      command: undefined,
      targets: [],
      append: false,
      expansions: [],
      terminated: true,
      read: false,
    };
    cur.heredocs.push(h);
    sc.pending.push(h);
    sc.sink.heredocs.push(h);
    return;
  }
  if (op === '<<<' || op === '<&') return;
  if (op === '>&') {
    if (/^(\d+|-)$/.test(w.raw)) return;
    cur.redirects.push({ start: tok.start, end: w.end, op: '&>', target: w, rawOp: rawOp(tok) });
    return;
  }
  let norm: ShRedirect['op'];
  if (op === '<' || op === '<>') norm = '<';
  else if (tok.fd === 2) norm = '2>';
  else if (tok.fd !== undefined && tok.fd !== 1)
    return; // other fds: not a file the command writes to stdout
  else if (op === '>>') norm = '>>';
  else if (op === '>|') norm = '>|';
  else if (op === '&>' || op === '&>>') norm = '&>';
  else norm = '>';
  cur.redirects.push({ start: tok.start, end: w.end, op: norm, target: w, rawOp: rawOp(tok) });
}

function rawOp(tok: { op: string; fd: number | undefined }): string {
  return (tok.fd !== undefined ? String(tok.fd) : '') + tok.op;
}

function newBuild(): CmdBuild {
  return { words: [], prefix: [], redirects: [], heredocs: [], start: 0, end: 0 };
}
