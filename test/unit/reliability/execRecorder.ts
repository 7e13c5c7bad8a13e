/**
 * Records every attempt to start a process or a worker thread. Importing
 * this module patches `child_process` (all seven entry points and
 * `ChildProcess.prototype.spawn`, which every asynchronous route goes
 * through) and `worker_threads.Worker`; calls still go through, they are
 * only recorded. Also usable as a preload (`node -r execRecorder.js`): with
 * `HSR_EXEC_LOG=<file>` each call is appended to that file as one JSON line
 * (never to stdout, which may be an LSP transport).
 */
import * as fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
// The module objects themselves (not an import namespace, whose properties are read-only getters).
import childProcess = require('node:child_process');
import workerThreads = require('node:worker_threads');

export interface ExecCall {
  readonly api: string;
  readonly command: string;
}

export const execCalls: ExecCall[] = [];

function record(api: string, args: unknown[]): void {
  const command = args
    .filter((a) => typeof a === 'string' || Array.isArray(a))
    .map((a) => (Array.isArray(a) ? a.join(' ') : String(a)))
    .join(' ')
    .slice(0, 300);
  const call = { api, command };
  execCalls.push(call);
  const log = process.env['HSR_EXEC_LOG'];
  if (log) {
    try {
      fs.appendFileSync(log, `${JSON.stringify({ ...call, pid: process.pid })}\n`);
    } catch {
      // the log is best effort; the in-process list is the truth
    }
  }
}

const CP_APIS = ['spawn', 'exec', 'execFile', 'fork', 'spawnSync', 'execSync', 'execFileSync'] as const;
const cp = childProcess as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const api of CP_APIS) {
  const original = cp[api]!;
  cp[api] = function patched(this: unknown, ...args: unknown[]) {
    record(`child_process.${api}`, args);
    return original.apply(this, args);
  };
}

const proto = childProcess.ChildProcess.prototype as unknown as { spawn: (...a: unknown[]) => unknown };
const originalProtoSpawn = proto.spawn;
proto.spawn = function patched(this: unknown, ...args: unknown[]) {
  const opts = args[0] as { file?: string; args?: string[] } | undefined;
  record('ChildProcess.prototype.spawn', [opts?.file ?? '', opts?.args ?? []]);
  return originalProtoSpawn.apply(this, args);
};

const OriginalWorker = workerThreads.Worker;
class RecordingWorker extends OriginalWorker {
  constructor(...args: ConstructorParameters<typeof OriginalWorker>) {
    record('worker_threads.Worker', [String(args[0])]);
    super(...args);
  }
}
(workerThreads as unknown as { Worker: typeof OriginalWorker }).Worker = RecordingWorker;

syncBuiltinESMExports();

// As a preload, say so: the test checks the server process really runs with the recorder.
const ready = process.env['HSR_EXEC_READY'];
if (ready) fs.writeFileSync(ready, String(process.pid));

/** Whether the patches are in place (a test asserts its recorder would see a call). */
export function recorderInstalled(): boolean {
  return (workerThreads as unknown as { Worker: unknown }).Worker === RecordingWorker && cp['spawn']!.name === 'patched';
}
