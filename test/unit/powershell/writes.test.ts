import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanPowerShell } from '../../../server/src/core/parsers/powershell';
import type { PsFileWrite } from '../../../server/src/core/parsers/powershell/types';
import { at, show } from './helpers';

function writes(src: string): string[] {
  return scanPowerShell(src).fileWrites.map((w) => describe(src, w));
}
function describe(src: string, w: PsFileWrite): string {
  return `${w.via} path=${show(src, w.path)} content=${show(src, w.content)} enc=${w.encoding?.text ?? '-'}${w.append ? ' append' : ''}`;
}

test('here-string piped to Out-File with -FilePath and -Encoding', () => {
  const src = '@"\nname = "n1"\n"@ | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding UTF8';
  const r = scanPowerShell(src);
  assert.equal(r.fileWrites.length, 1);
  const w = r.fileWrites[0]!;
  assert.equal(describe(src, w), 'Out-File path=word(C:\\HashiCorp\\Nomad\\config\\client.hcl) content=str(name = "n1") enc=UTF8');
  assert.deepEqual([w.start, w.end], [0, src.length]);
  assert.deepEqual([w.encoding!.start, w.encoding!.end], [at(src, 'UTF8'), src.length]);
  assert.equal(w.path!.start, at(src, 'C:\\'));
});

test('Out-File: positional path, -Append, quoted encoding, -InputObject', () => {
  assert.deepEqual(writes('$cfg | Out-File "C:\\n\\a.hcl" -Encoding "ascii" -Append'), ['Out-File path=str(C:\\n\\a.hcl) content=$cfg enc=ascii append']);
  assert.deepEqual(writes('Out-File -InputObject $c -FilePath $p'), ['Out-File path=$p content=$c enc=-']);
  assert.deepEqual(writes('$c | Out-File $p -Enc utf8'), ['Out-File path=$p content=$c enc=utf8']);
});

test('Set-Content and Add-Content forms', () => {
  assert.deepEqual(writes('Set-Content -Path $p -Value $c -Encoding ASCII'), ['Set-Content path=$p content=$c enc=ASCII']);
  assert.deepEqual(writes("$c | Set-Content 'C:\\x.hcl'"), ['Set-Content path=str(C:\\x.hcl) content=$c enc=-']);
  assert.deepEqual(writes('Set-Content C:\\x.hcl $c'), ['Set-Content path=word(C:\\x.hcl) content=$c enc=-']);
  assert.deepEqual(writes('Add-Content -Path $p -Value "x = 1"'), ['Add-Content path=$p content=str(x = 1) enc=- append']);
  assert.deepEqual(writes('"block" | Add-Content $p'), ['Add-Content path=$p content=str(block) enc=- append']);
});

test('New-Item with -Value, with -Name, and directories (not writes)', () => {
  assert.deepEqual(writes('New-Item -Path C:\\n\\a.hcl -ItemType File -Value $c -Force'), ['New-Item path=word(C:\\n\\a.hcl) content=$c enc=-']);
  assert.deepEqual(writes('New-Item -Path "C:\\n" -Name "a.hcl" -ItemType File -Value $c'), ['New-Item path=other(C:\\n\\a.hcl) content=$c enc=-']);
  assert.deepEqual(writes('New-Item -ItemType Directory -Path C:\\n -Force | Out-Null'), []);
});

test('[IO.File] static writes with encodings', () => {
  const src = '[IO.File]::WriteAllText($p, $c, [System.Text.UTF8Encoding]::new($false))';
  const r = scanPowerShell(src);
  assert.deepEqual(
    r.fileWrites.map((w) => describe(src, w)),
    ['WriteAllText path=$p content=$c enc=[System.Text.UTF8Encoding]::new($false)'],
  );
  const e = r.fileWrites[0]!.encoding!;
  assert.deepEqual([e.start, e.end], [at(src, '[System'), src.length - 1]);
  assert.deepEqual(
    r.methodCalls.map((m) => `${m.typeName}::${m.method}/${m.args.length}`),
    ['IO.File::WriteAllText/3', 'System.Text.UTF8Encoding::new/1'],
  );
  assert.deepEqual(writes('[System.IO.File]::WriteAllLines("C:\\a.hcl", $lines)'), ['WriteAllLines path=str(C:\\a.hcl) content=$lines enc=-']);
  assert.deepEqual(writes('[System.IO.File]::AppendAllText($p, "x`n")'), ['AppendAllText path=$p content=str(x`n) enc=- append']);
});

test('redirections > and >>, ignoring stream merges and $null', () => {
  assert.deepEqual(writes('"a = 1" > C:\\a.hcl'), ['redirect path=word(C:\\a.hcl) content=str(a = 1) enc=-']);
  assert.deepEqual(writes('$c >> $p'), ['redirect path=$p content=$c enc=- append']);
  assert.deepEqual(writes('nomad.exe version 2>&1 > $null'), []);
  assert.deepEqual(writes('echo "x" >> log.txt'), ['redirect path=word(log.txt) content=str(x) enc=- append']);
});

test('Copy-Item: content is a read of the source', () => {
  assert.deepEqual(writes('Copy-Item -Path C:\\tmp\\client.hcl -Destination C:\\HashiCorp\\Nomad\\config\\ -Force'), [
    'Copy-Item path=word(C:\\HashiCorp\\Nomad\\config\\) content=read(word(C:\\tmp\\client.hcl)) enc=-',
  ]);
  assert.deepEqual(writes('Copy-Item $a $b'), ['Copy-Item path=$b content=read($a) enc=-']);
});

test('replace chain piped to Set-Content', () => {
  const src = "(Get-Content $tpl -Raw) -replace 'A', $b -creplace \"C\", 'd' | Set-Content -Path $out -Encoding ascii";
  assert.deepEqual(writes(src), ['Set-Content path=$out content=replace(read($tpl) -replace str(A),$b -creplace str(C),str(d)) enc=ascii']);
});

test('echo / Write-Output piped to Out-File writes its argument (Write-Host does not)', () => {
  assert.deepEqual(writes('echo $cfg | Out-File C:\\n\\client.hcl -Encoding ASCII'), ['Out-File path=word(C:\\n\\client.hcl) content=$cfg enc=ASCII']);
  assert.deepEqual(writes('Write-Output $cfg | Set-Content $p'), ['Set-Content path=$p content=$cfg enc=-']);
  assert.deepEqual(writes('Write-Host $cfg | Out-File $p'), ['Out-File path=$p content=- enc=-']);
});
