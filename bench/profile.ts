/**
 * Profile target, run under `node --cpu-prof` by `run.js --profile` (or by
 * hand): `node --cpu-prof --cpu-prof-dir=DIR out/bench/profile.js <mode> <root> [file]`.
 *   cold: Workspace.load + analyze, 3 times (fresh workspace each time)
 *   edit: one load, then 60 single-character edits of `file`, each followed by analyze()
 *         (the work the language server does per keystroke, without the LSP transport)
 */
import { Workspace } from '../server/src/core/engine';

async function main(): Promise<void> {
  const [mode, root, file] = process.argv.slice(2);
  if (root === undefined || (mode !== 'cold' && mode !== 'edit')) throw new Error('usage: profile.js cold|edit <root> [file]');
  if (mode === 'cold') {
    for (let i = 0; i < 3; i++) (await Workspace.load(root)).analyze();
    return;
  }
  if (file === undefined) throw new Error('edit mode needs the file to edit');
  const ws = await Workspace.load(root);
  ws.analyze();
  const original = ws.sourceText(file)?.text;
  if (original === undefined) throw new Error(`${file} is not in the workspace`);
  const marker = 'Write-Host "Registered svc';
  const at = original.indexOf(marker) + marker.length; // inside the string value
  for (let i = 0; i < 60; i++) {
    const text = i % 2 === 0 ? `${original.slice(0, at)}z${original.slice(at)}` : original;
    ws.setText(file, text);
    ws.analyze();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
