/**
 * The language server validates agent configs with the validators the build
 * compiled (out/schemas/compiled/, dist/schemas/compiled/), not by compiling the
 * schemas at start-up: the tsc tree and the bundle the .vsix ships.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CLIENT_PS1, DEADLINE_MS, LspHarness, SERVER_MAIN } from './harness';

const BUNDLE = path.join(__dirname, '..', '..', '..', 'dist', 'server.js');

async function validatorLog(serverMain: string): Promise<string> {
  const h = await LspHarness.start({ 'client.ps1': CLIENT_PS1 }, { serverMain });
  try {
    const deadline = Date.now() + DEADLINE_MS;
    for (;;) {
      const line = h.logs.find((l) => l.startsWith('Agent schema validators:'));
      if (line !== undefined) return line;
      if (Date.now() > deadline) throw new Error(`no validator log line: ${h.logs.join(' | ').slice(0, 2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await h.stop();
  }
}

describe('agent-schema validators in the language server', () => {
  it('the compiled tree uses the precompiled modules', async () => {
    assert.equal(await validatorLog(SERVER_MAIN), 'Agent schema validators: nomad precompiled, consul precompiled');
  });

  it('the bundle (what the .vsix ships) uses them too', { skip: !fs.existsSync(BUNDLE) && 'dist/server.js not built' }, async () => {
    assert.equal(await validatorLog(BUNDLE), 'Agent schema validators: nomad precompiled, consul precompiled');
  });
});
