/**
 * The tool never runs anything: no process and no worker thread is started
 * while loading, analysing and checking the examples (in process, through
 * the CLI, and in the language server process), and the extension says it
 * supports untrusted workspaces.
 */
// First import: the recorder patches child_process and worker_threads before any module under test loads.
import { execCalls, recorderInstalled } from './execRecorder';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as workerThreads from 'node:worker_threads';
import { HoverRequest } from 'vscode-languageserver-protocol/node';
import { Workspace } from '../../../server/src/core/engine';
import { runCli } from '../../../server/src/cli/main';
import { examplePath, repoRoot } from '../../support/paths';
import { LspClient, childPids, filesOf } from '../../lsp/support/client';

const EXAMPLES = ['windows-only', 'mixed-os'];

describe('no workspace content is executed', () => {
  it('the recorder sees process and thread starts (so the zero below means something)', async () => {
    assert.ok(recorderInstalled());
    const mark = execCalls.length;
    childProcess.spawnSync(process.execPath, ['-e', '0']);
    await new Promise<void>((resolve, reject) => {
      const c = childProcess.spawn(process.execPath, ['-e', '0']);
      c.on('exit', () => resolve());
      c.on('error', reject);
    });
    const w = new workerThreads.Worker('0', { eval: true });
    await w.terminate();
    const seen = execCalls.slice(mark).map((c) => c.api);
    execCalls.splice(mark);
    assert.ok(seen.includes('child_process.spawnSync'), seen.join(','));
    assert.ok(seen.includes('child_process.spawn'), seen.join(','));
    assert.ok(seen.includes('ChildProcess.prototype.spawn'), seen.join(','));
    assert.ok(seen.includes('worker_threads.Worker'), seen.join(','));
  });

  it('Workspace.load + analyze + runCli check (text, json, sarif) on both examples start no process or thread', async () => {
    const mark = execCalls.length;
    for (const name of EXAMPLES) {
      const ws = await Workspace.load(examplePath(name));
      const r = ws.analyze();
      for (const role of r.roles) ws.renderRole(r, role.id);
      for (const f of r.findings) ws.hoverAt(r, f.span.file, f.span.start);
      for (const format of ['text', 'json', 'sarif']) {
        const code = await runCli(['check', examplePath(name), '--format', format], { stdout: () => undefined, stderr: () => undefined, cwd: repoRoot() });
        assert.ok(code === 0 || code === 1);
      }
    }
    assert.deepEqual(execCalls.slice(mark), []);
  });

  it('package.json declares untrusted-workspace support', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as {
      capabilities?: { untrustedWorkspaces?: { supported?: unknown } };
    };
    assert.equal(pkg.capabilities?.untrustedWorkspaces?.supported, true);
  });

  describe('language server process', () => {
    let client: LspClient;
    let execLog: string;

    before(async () => {
      execLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hsr-execlog-')), 'exec.jsonl');
      fs.writeFileSync(execLog, '');
      client = await LspClient.start({
        files: filesOf(examplePath('windows-only')),
        // The same recorder preloaded into the server: it logs every process/thread start to a file.
        nodeArgs: ['-r', path.join(__dirname, 'execRecorder.js')],
        env: { HSR_EXEC_LOG: execLog, HSR_EXEC_READY: `${execLog}.ready` },
      });
    });

    after(() => {
      client?.dispose();
      fs.rmSync(path.dirname(execLog), { recursive: true, force: true });
    });

    it('has no child process and started none after analysing examples/windows-only', async () => {
      const files = filesOf(client.root);
      for (const [rel, bytes] of Object.entries(files)) await client.open(rel, bytes.toString('utf8'));
      const ps1 = client.uri('shared/packer/scripts/client.ps1');
      await client.waitFor('diagnostics for client.ps1', () => (client.latest(ps1)?.diagnostics.length ?? 0) > 0 || undefined);
      const roles = (await client.conn.sendRequest('hashistack/roles', {})) as { roles: Array<{ id: string }> };
      assert.ok(roles.roles.length >= 6);
      for (const r of roles.roles) await client.conn.sendRequest('hashistack/effectiveConfig', { roleId: r.id });
      for (const d of client.latest(ps1)!.diagnostics)
        await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: ps1 }, position: d.range.start });
      assert.ok(client.alive);
      const children = childPids(client.proc.pid!);
      if (children === undefined) {
        assert.ok(process.platform !== 'linux', 'no /proc on Linux?');
      } else {
        assert.deepEqual(children, [], `server ${client.proc.pid} has child processes`);
      }
      assert.equal(fs.readFileSync(`${execLog}.ready`, 'utf8'), String(client.proc.pid), 'the recorder is preloaded in the server process');
      const logged = fs.readFileSync(execLog, 'utf8').trim();
      assert.equal(logged, '', `the server started processes or threads:\n${logged}`);
    });
  });
});
