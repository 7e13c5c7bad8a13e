const { Workspace } = require(__dirname + '/../out/server/src/core/engine.js');
(async () => {
  const ws = await Workspace.load(process.argv[2]);
  const r = ws.analyze();
  console.log('files', ws.files().length, 'problems', r.fileProblems);
  for (const role of r.roles) {
    console.log('ROLE', role.id, role.sources.join(', '));
    for (const s of role.settings) console.log('   ', s.path, '=', s.display, s.unknownReason ? '' : '', '| chain:', s.chain.map((c) => c.note).join(' <- '));
  }
  console.log(
    'versions',
    r.versions.map((v) => `${v.product}/${v.os}=${v.version ?? 'unpinned'} ${v.reason ?? ''} [${v.chain.map((c) => c.note).join(' > ')}]`),
  );
  console.log('failures', ws.checkFailures);
})();
