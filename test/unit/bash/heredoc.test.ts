import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHeredocBody, scanBash, type ShExpansion } from '../../../server/src/core/parsers/bash';
import { at, MappedText, mappedChars } from './helpers';

test('unquoted heredoc with > redirect after the operator', () => {
  const src = 'cat <<EOF > /etc/nomad.d/nomad.hcl\ndatacenter = "dc1"\nbind_addr = "$IP"\nEOF\necho ok\n';
  const r = scanBash(src);
  assert.equal(r.heredocs.length, 1);
  const h = r.heredocs[0]!;
  assert.equal(h.delimiter, 'EOF');
  assert.equal(h.quoted, false);
  assert.equal(h.stripTabs, false);
  assert.equal(h.start, 4);
  assert.equal(h.bodyStart, 35);
  assert.equal(h.bodyEnd, at(src, 'EOF\necho'));
  assert.equal(h.end, at(src, 'EOF\necho') + 3);
  assert.equal(src.slice(h.bodyStart, h.bodyEnd), 'datacenter = "dc1"\nbind_addr = "$IP"\n');
  assert.equal(h.command?.name, 'cat');
  assert.deepEqual(
    h.targets.map((t) => [t.literal, t.start, t.end]),
    [['/etc/nomad.d/nomad.hcl', 12, 34]],
  );
  assert.equal(h.append, false);
  assert.deepEqual(
    h.expansions.map((e) => [e.name, e.start, e.end]),
    [['IP', at(src, '$IP'), at(src, '$IP') + 3]],
  );
  assert.deepEqual(
    r.commands.map((c) => c.name),
    ['cat', 'echo'],
  );
});

test('cat > f <<EOF, >> appends, <<-, quoted delimiters', () => {
  const src = [
    "cat > /etc/a.hcl <<'EOF'",
    'x = "$NOT"',
    'EOF',
    'cat >> /etc/b.hcl <<"END"',
    'y',
    'END',
    'cat <<\\STOP >/etc/c',
    'z $NO',
    'STOP',
    'cat <<-TABS > /etc/d',
    '\t\tindented $V',
    '\tTABS',
    '',
  ].join('\n');
  const r = scanBash(src);
  assert.deepEqual(
    r.heredocs.map((h) => [h.delimiter, h.quoted, h.stripTabs, h.append, h.targets.map((t) => t.literal), h.expansions.map((e) => e.name)]),
    [
      ['EOF', true, false, false, ['/etc/a.hcl'], []],
      ['END', true, false, true, ['/etc/b.hcl'], []],
      ['STOP', true, false, false, ['/etc/c'], []],
      ['TABS', false, true, false, ['/etc/d'], ['V']],
    ],
  );
  const d = r.heredocs[3]!;
  assert.equal(d.bodyStart, at(src, '\t\tindented'));
  assert.equal(d.bodyEnd, at(src, '\tTABS'));
  assert.equal(d.end, at(src, '\tTABS') + 5);
});

test('pipes into tee: sudo tee, sudo -E tee -a, /dev/null ignored', () => {
  const src = [
    'cat <<EOF | sudo tee /etc/consul.d/consul.hcl > /dev/null',
    'a',
    'EOF',
    'cat <<EOF | sudo -E tee -a /etc/nomad.d/client.hcl >/dev/null',
    'b',
    'EOF',
    'sudo tee /etc/nomad.d/tls.hcl <<EOF',
    'c',
    'EOF',
    'tee -a /etc/hosts <<EOF >/dev/null',
    'd',
    'EOF',
    '',
  ].join('\n');
  const r = scanBash(src);
  assert.deepEqual(
    r.heredocs.map((h) => [h.command?.name, h.command?.sudo, h.targets.map((t) => [t.literal, t.start]), h.append]),
    [
      ['cat', false, [['/etc/consul.d/consul.hcl', at(src, '/etc/consul.d')]], false],
      ['cat', false, [['/etc/nomad.d/client.hcl', at(src, '/etc/nomad.d/client')]], true],
      ['tee', true, [['/etc/nomad.d/tls.hcl', at(src, '/etc/nomad.d/tls')]], false],
      ['tee', false, [['/etc/hosts', at(src, '/etc/hosts')]], true],
    ],
  );
  const tees = r.commands.filter((c) => c.name === 'tee');
  assert.equal(tees.length, 4);
  assert.equal(tees[1]!.sudo, true);
  assert.deepEqual(
    tees[1]!.args.map((a) => a.literal),
    ['-a', '/etc/nomad.d/client.hcl'],
  );
});

test('several heredocs on one line are read in order', () => {
  const src = 'cat <<A > /a; cat <<-B >> /b\nbody a\nA\n\tbody b\n\tB\necho after\n';
  const r = scanBash(src);
  assert.equal(r.heredocs.length, 2);
  const [a, b] = r.heredocs;
  assert.equal(src.slice(a!.bodyStart, a!.bodyEnd), 'body a\n');
  assert.equal(src.slice(b!.bodyStart, b!.bodyEnd), '\tbody b\n');
  assert.deepEqual(
    a!.targets.map((t) => t.literal),
    ['/a'],
  );
  assert.deepEqual(
    b!.targets.map((t) => t.literal),
    ['/b'],
  );
  assert.equal(b!.append, true);
  assert.deepEqual(
    r.commands.map((c) => c.name),
    ['cat', 'cat', 'echo'],
  );
  assert.equal(r.commands[2]!.nameStart, at(src, 'echo'));
});

test('heredoc delimiter with spaces, text that looks like code is not scanned', () => {
  const src = "cat << 'EOF' > /x\nsudo rm -rf / # not a command\n$(reboot)\nEOF\n";
  const r = scanBash(src);
  assert.deepEqual(
    r.commands.map((c) => c.name),
    ['cat'],
  );
  assert.equal(r.comments.length, 0);
  assert.equal(r.heredocs[0]!.delimiter, 'EOF');
});

test('unterminated heredoc runs to the end of the text', () => {
  const src = 'cat <<EOF > /etc/x\nline $A\nno end';
  const r = scanBash(src);
  const h = r.heredocs[0]!;
  assert.equal(h.terminated, false);
  assert.equal(h.bodyStart, 19);
  assert.equal(h.bodyEnd, src.length);
  assert.deepEqual(
    h.targets.map((t) => t.literal),
    ['/etc/x'],
  );
  assert.deepEqual(
    h.expansions.map((e) => e.name),
    ['A'],
  );
});

test('decodeHeredocBody: escapes, substitutions and exact position mapping', () => {
  const src = 'cat <<EOF > /etc/nomad.d/nomad.hcl\nbind = "${IP}" # \\$HOME \\\\ \\`x\\`\nv = $(hostname)\nsplit \\\nline\nEOF\n';
  const r = scanBash(src);
  const h = r.heredocs[0]!;
  assert.deepEqual(
    h.expansions.map((e) => [e.name, e.command]),
    [
      ['IP', false],
      ['hostname', true],
    ],
  );
  const source = MappedText.identity('client.sh', src);
  const expand = (e: ShExpansion) => (e.name === 'IP' ? { text: '10.1.2.3' } : undefined);
  const mt = decodeHeredocBody(source, h, expand);
  assert.equal(mt.text, 'bind = "10.1.2.3" # $HOME \\ `x`\nv = $(hostname)\nsplit line\n');
  // every verbatim char maps to the same char in the host
  for (const m of mappedChars(mt, src)) if (m.exact) assert.equal(m.h, m.v, `at host ${m.offset}`);
  // the substitution maps to the whole `${IP}`
  const v = mt.text.indexOf('10.1.2.3');
  assert.deepEqual(mt.toHost(v, v + 8), { file: 'client.sh', start: at(src, '${IP}'), end: at(src, '${IP}') + 5 });
  assert.equal(mt.isExactAt(v), false);
  // `\$` decodes to `$` mapped at the backslash
  const dollar = mt.text.indexOf('$HOME');
  assert.equal(mt.hostOffset(dollar).offset, at(src, '\\$HOME'));
  assert.equal(mt.hostOffset(dollar + 1).offset, at(src, '\\$HOME') + 2);
  // `\\` → one backslash
  const bs = mt.text.indexOf('\\');
  assert.deepEqual(mt.toHost(bs, bs + 1), { file: 'client.sh', start: at(src, '\\\\'), end: at(src, '\\\\') + 2 });
  // unresolved $(hostname) is copied verbatim and exact
  const hn = mt.text.indexOf('$(hostname)');
  assert.equal(mt.hostOffset(hn).offset, at(src, '$(hostname)'));
  assert.equal(mt.isExactAt(hn), true);
  // backslash-newline removed: `line` maps to its host line
  const ln = mt.text.indexOf('line\n');
  assert.equal(mt.hostOffset(ln).offset, at(src, 'line\nEOF'));
});

test('decodeHeredocBody: quoted body verbatim, <<- strips leading tabs', () => {
  const src = 'cat <<-\'EOF\' > /x\n\t\ta = "\\$x $y"\n\tb\nEOF\n';
  const r = scanBash(src);
  const h = r.heredocs[0]!;
  const source = MappedText.identity('client.sh', src);
  const mt = decodeHeredocBody(source, h, () => ({ text: 'NO' }));
  assert.equal(mt.text, 'a = "\\$x $y"\nb\n');
  for (let v = 0; v < mt.text.length; v++) {
    assert.equal(mt.isExactAt(v), true);
    assert.equal(src[mt.hostOffset(v).offset], mt.text[v]);
  }
  assert.equal(mt.hostOffset(0).offset, at(src, 'a = '));
  assert.equal(mt.hostOffset(mt.text.indexOf('b')).offset, at(src, 'b\nEOF'));
});

test('heredoc bodies with CRLF line endings', () => {
  const src = 'cat <<EOF > /etc/nomad.d/a.hcl\r\nregion = "$R"\r\nEOF\r\necho x\r\n';
  const r = scanBash(src);
  const h = r.heredocs[0]!;
  assert.equal(src.slice(h.bodyStart, h.bodyEnd), 'region = "$R"\r\n');
  assert.deepEqual(
    h.targets.map((t) => t.literal),
    ['/etc/nomad.d/a.hcl'],
  );
  assert.deepEqual(
    r.commands.map((c) => [c.name, c.args.map((a) => a.literal)]),
    [
      ['cat', []],
      ['echo', ['x']],
    ],
  );
});
