/**
 * `sed -i` applied to an agent config as GNU sed applies it (server/src/core/scripts/sedEdit.ts): a table of
 * (arguments, input, output). The outputs were computed once with GNU sed 4.9 (`LC_ALL=C.UTF-8 /bin/sed ARGS`, the
 * input on stdin with a final newline) and are held here as data, so the table runs everywhere; where GNU sed is
 * installed each row is also compared with it live. Each row goes through the whole bash model: a heredoc writes
 * the input to /etc/nomad.d/x.hcl and `sed -i ARGS` edits it, as a provisioning script does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { scanBash } from '../../../server/src/core/parsers/bash';
import { analyzeBash } from '../../../server/src/core/scripts/bashModel';
import { MappedText } from '../../../server/src/core/text/mappedText';

/** [sed arguments as written in the script, input (lines), GNU sed's output (without the final newline), what it shows]. */
const KNOWN: ReadonlyArray<readonly [string, string, string, string]> = [
  ["'s/a/[\\&]/'", 'a&b', '[&]&b', '`\\&` is a literal `&`'],
  ["'s/a/<&>/'", 'xay', 'x<a>y', '`&` is the whole match'],
  ["'s/a/\\0\\0/'", 'ab', 'aab', '`\\0` is the whole match too (GNU)'],
  ["'s/a/X/2'", 'aaa', 'aXa', 'number flag: the 2nd match only'],
  ["'s/a/X/2g'", 'aaaa', 'aXXX', '`2g`: the 2nd and later matches'],
  ["'s/b*/X/2'", 'aab', 'aXab', 'number flag counts empty matches'],
  ["'s/b*/X/g'", 'abc', 'XaXcX', 'no empty match right after a match'],
  ["'s/x*/-/g'", 'ab', '-a-b-', 'empty matches between characters'],
  ["'s/a+/X/'", 'aa+b', 'aXb', 'BRE: `+` is literal'],
  ["-E 's/a+/X/'", 'aa+b', 'X+b', 'ERE: `+` is an operator'],
  ["-r 's/a+/X/'", 'aa+b', 'X+b', '-r is -E'],
  ["'s/a\\+/X/'", 'aa+b', 'X+b', 'GNU BRE: `\\+` is an operator'],
  ["'s/ab\\?c/X/g'", 'ac abc', 'X X', 'GNU BRE: `\\?`'],
  ["'s/(x)/X/'", 'a(x)', 'aX', 'BRE: `( )` are literal'],
  ["-E 's/\\(x\\)/X/'", 'a(x)', 'aX', 'ERE: `\\( \\)` are literal'],
  ["'s/cat\\|dog/pet/g'", 'cat dog', 'pet pet', 'GNU BRE: `\\|` alternates'],
  ["-E 's/cat|dog/pet/g'", 'cat dog', 'pet pet', 'ERE: `|` alternates'],
  ["'s/a|b/X/'", 'a|b', 'X', 'BRE: `|` is literal'],
  ["'s/a{2}/X/'", 'aa a{2}', 'aa X', 'BRE: `{ }` are literal'],
  ["'s/a\\{2\\}/X/'", 'aaa', 'Xa', 'BRE interval'],
  ["-E 's/a{2,}/X/'", 'aaaa a', 'X a', 'ERE interval'],
  ["'s/\\(a\\)\\(b\\)/\\2\\1/'", 'xab', 'xba', 'back-references in the replacement'],
  ['-E \'s/^([a-z_]+) *= *"(.*)"$/\\2=\\1/\'', 'datacenter = "dc1"', 'dc1=datacenter', 'ERE groups'],
  ["-E 's/(ab|cd)?x/[\\1]/g'", 'abx x', '[ab] []', 'an unmatched group is empty'],
  ["'s/\\(a\\)\\1/X/'", 'aaa', 'Xa', 'a back-reference in the pattern'],
  ["'s/x/a\\nb/'", 'x', 'a\nb', '`\\n` in the replacement is a newline'],
  ["'s/x/a\\tb/'", 'x', 'a\tb', '`\\t` is a tab'],
  ["'s/\\w\\+/\\U&/'", 'foo bar', 'FOO bar', '`\\U`'],
  ["'s/\\w\\+/\\u&/g'", 'foo bar', 'Foo Bar', '`\\u`'],
  ["'s/.*/\\L&/'", 'Foo BAR', 'foo bar', '`\\L`'],
  ["'s/\\(.\\)\\(.*\\)/\\2\\U\\1\\E!/'", 'abc', 'bcA!', '`\\U … \\E`'],
  ["'s/\\w\\+/\\u\\L&/g'", 'FOO bar', 'foo bar', 'GNU 4.9: `\\L` drops a pending `\\u`'],
  ["'s/x/\\Uab\\lCD/'", 'x', 'ABcD', '`\\l` inside `\\U`'],
  ["'s/x/a\\/b/'", 'x', 'a/b', 'escaped delimiter in the replacement'],
  ["'s|/opt/nomad|/var/lib/nomad|'", 'data_dir = "/opt/nomad"', 'data_dir = "/var/lib/nomad"', '`|` delimiter'],
  ["'s#a\\#b#X#'", 'a#b', 'X', 'escaped `#` delimiter'],
  ["'s|a\\|b|X|g'", 'a|b', 'X', 'BRE: an escaped `|` delimiter is a literal `|`'],
  ["-E 's|a\\|b|X|g'", 'a|b', 'X|X', 'ERE: an escaped `|` delimiter alternates'],
  ["'s/[[:space:]]*=[[:space:]]*/=/'", 'a  =\tb', 'a=b', 'POSIX class'],
  ["'s/[[:digit:]]\\{2,\\}/N/g'", '1 22 333', '1 N N', 'class and interval'],
  ["'s/[]x]/Y/g'", 'a]x', 'aYY', '`]` first in a bracket'],
  ["'s/[^a-c]/-/g'", 'abcdef', 'abc---', 'negated range'],
  ["'s/[\\n]/X/g'", 'a\\n', 'a\\n', '`[\\n]` is a newline, not backslash or n'],
  ["'s/[\\.]/X/g'", 'a\\.b', 'aXXb', 'other backslashes in a bracket are literal'],
  ["'s/^/# /'", 'a', '# a', '`^` anchor'],
  ["'s/$/;/'", 'a', 'a;', '`$` anchor'],
  ["'s/^a/X/g'", 'aaa', 'Xaa', '`^` only at the line start with g'],
  ["'s/a^b/X/'", 'a^b', 'X', 'BRE: `^` in the middle is literal'],
  ["'s/a$b/X/'", 'a$b', 'X', 'BRE: `$` in the middle is literal'],
  ["'s/*a/X/'", '*a', 'X', 'BRE: a leading `*` is literal'],
  ["'s/\\bdc\\b/DC/g'", 'dc dc1 dc', 'DC dc1 DC', '`\\b`'],
  ["'s/\\<n/N/g'", 'nomad nn an', 'Nomad Nn an', '`\\<`'],
  ["'s/d\\>/D/g'", 'dd da d', 'dD da D', '`\\>`'],
  ["'s/\\s\\+/_/g'", 'a \t b', 'a_b', '`\\s`'],
  ["'s/1\\.2/X/'", '1.2 102', 'X 102', 'escaped dot'],
  ["'s/a.b/X/'", 'a.b', 'X', '`.`'],
  ["'s/=.*/=1/'", 'a=2\r', 'a=1', '`.` matches a carriage return (CRLF file)'],
  ["'s/nomad/X/I'", 'NOMAD', 'X', '`I` flag'],
  ["'s/a\\|ab/X/'", 'ab', 'X', 'POSIX leftmost-longest alternation'],
  ["-E 's/(a|ab)(c|bcd)?/X/'", 'abcd', 'X', 'leftmost-longest with groups, `&` only'],
  ['-E \'s/^(\\s*)datacenter = .*/\\1datacenter = "dc2"/\'', '  datacenter = "dc1"', '  datacenter = "dc2"', 'the user-data edit'],
  ["'s/a/b/;s/b/c/'", 'a', 'c', 'two commands'],
  ["-e 's/a/b/' -e 's/c/d/'", 'ac', 'bd', '-e twice'],
  ["-e 's/a/b/' -e 's/b/c/'", 'a', 'c', '-e twice, in order'],
  ["'/^name/s/x/y/'", 'name x\nother x', 'name y\nother x', 'regex address'],
  ["'2s/x/y/'", 'x\nx\nx', 'x\ny\nx', 'line address'],
  ["'$s/x/y/'", 'x\nx\nx', 'x\nx\ny', 'last line'],
  ["'1,2s/x/y/'", 'x\nx\nx', 'y\ny\nx', 'line range'],
  ["'2,1s/x/y/'", 'x\nx\nx', 'x\ny\nx', 'a range ending before it starts: one line'],
  ["'/start/,/end/s/x/y/'", 'x\nstart x\nx\nend x\nx', 'x\nstart y\ny\nend y\nx', 'regex range'],
  ["'/start/,$s/x/y/'", 'x\nstart x\nx', 'x\nstart y\ny', 'range to the end'],
  ["'2!s/x/y/'", 'x\nx\nx', 'y\nx\ny', 'negated address'],
  ["'/a/!s/x/y/'", 'ax\nbx', 'ax\nby', 'negated regex address'],
  ["'/a/{s/x/y/;s/y/z/}'", 'ax\nbx', 'az\nbx', 'a block'],
  ["'/a/Is/x/y/'", 'Ax\nbx', 'Ay\nbx', '`I` on an address'],
  ["'\\%/opt%s/x/y/'", '/opt x\nx', '/opt y\nx', 'custom address delimiter'],
  ["'/^#/d'", '# c\na\n# d', 'a', '`d`'],
  ["-e '/^#/d' -e 's/a/b/'", '# a\na', 'b', '`d` ends the cycle'],
  ["'s/x/y/;/y/d'", 'x\nz', 'z', 'the address sees the edited line'],
  ["'s/a/b/w /dev/null'", 'a', 'b', '`w FILE` writes elsewhere'],
  ["'s/a/b/ # comment'", 'a', 'b', 'a comment'],
  ["-E 's/(a|ab)(c|bcd)(d*)/[\\1,\\2,\\3]/'", 'abcd', '[a,bcd,]', 'groups where JavaScript already finds the POSIX match'],
  ["'s/\\(a*\\)\\(ab\\)*b/X/'", 'aabb', 'X', 'POSIX leftmost-longest without alternation (JavaScript stops at `aab`)'],
  ['"s/x/a\\\\&b/"', 'x', 'a&b', 'double-quoted: the shell passes `a\\&b`, a literal `&`'],
  ['"s/\\\\(a\\\\)/[\\\\1]/"', 'a', '[a]', 'double-quoted groups'],
  ["'s/x/['\"y\"']/'", 'x', '[y]', 'quotes inside the replacement are the shell’s'],
];

/** What GNU sed does here is not reproduced faithfully: the edited lines are unknown, with the reason. */
const UNKNOWN: ReadonlyArray<readonly [string, string, RegExp]> = [
  ["'s/a/\\x41/'", 'a', /escape \\x in the replacement/],
  ["'/x/a foo'", 'x\ny', /sed command `a` is not modelled/],
  ["-n 's/a/b/p'", 'a', /sed -n/],
  ["'s/a/b/p'", 'a', /`p` flag/],
  ["'0,/a/s/a/b/'", 'a\na', /0,\/re\//],
  ["'1~2s/a/b/'", 'a\na', /first~step/],
  ["'s/./X/'", 'é', /non-ASCII/],
  ["'s/\\(a*\\)\\(ab\\)*b/[\\1,\\2]/'", 'aabb', /leftmost-longest/],
  ["'s/[[=a=]]/X/'", 'a', /\[=a=\]/],
  ["'y/abc/xyz/'", 'abc', /sed command `y`/],
  ["-z 's/a/b/'", 'a', /sed -z/],
  ["'s//X/'", 'a', /empty regular expression/],
  ['"s/$OLD/X/"', 'a', /shell expansion `\$OLD` outside a replacement/],
  ['"$EXPR"', 'a', /shell expansion `\$EXPR`/],
];

const FILE = '/etc/nomad.d/x.hcl';

/** The config the script leaves: its text, or the reason it is not known. */
function edited(args: string, input: string): { text: string } | { unknown: string } {
  const script = `#!/bin/bash\ncat > ${FILE} <<'EOF'\n${input}\nEOF\nsed -i ${args} ${FILE}\n`;
  const mt = MappedText.identity('x.sh', script);
  const facts = analyzeBash('x.sh', mt, scanBash(script), false, [], { findByScriptPath: () => undefined });
  const doc = facts.configDocs.find((d) => d.id.includes('#tpl-'));
  assert.ok(doc, `sed -i ${args}: no edited document`);
  const unknown = doc.text.originsIn(0, doc.text.text.length).find((o) => o.kind === 'unknown');
  return unknown?.kind === 'unknown' ? { unknown: unknown.reason } : { text: doc.text.text.replace(/\n$/, '') };
}

const gnuSed = existsSync('/bin/sed') && /GNU sed/.test(spawnSync('/bin/sed', ['--version'], { encoding: 'utf8' }).stdout ?? '');

function liveGnu(args: string, input: string): string {
  const r = spawnSync('/bin/bash', ['-c', `LC_ALL=C.UTF-8 /bin/sed ${args}`], { input: `${input}\n`, encoding: 'utf8' });
  return r.stdout.replace(/\n$/, '');
}

for (const [args, input, expected, what] of KNOWN) {
  test(`GNU sed ${args} on ${JSON.stringify(input)}: ${what}`, () => {
    if (gnuSed) assert.equal(liveGnu(args, input), expected, 'the recorded output is what GNU sed prints on this machine');
    assert.deepEqual(edited(args, input), { text: expected });
  });
}

for (const [args, input, reason] of UNKNOWN) {
  test(`GNU sed ${args} on ${JSON.stringify(input)} is not modelled: the edited lines are unknown`, () => {
    const r = edited(args, input);
    assert.ok('unknown' in r, `expected unknown, got ${JSON.stringify(r)}`);
    assert.match(r.unknown, reason);
  });
}

test('GNU sed: lines an unmodelled command does not select stay known', () => {
  const script = `#!/bin/bash\ncat > ${FILE} <<'EOF'\ndatacenter = "dc1"\nregion = "x"\nEOF\nsed -i '/region/a foo' ${FILE}\n`;
  const mt = MappedText.identity('x.sh', script);
  const doc = analyzeBash('x.sh', mt, scanBash(script), false, [], { findByScriptPath: () => undefined }).configDocs.find((d) => d.id.includes('#tpl-'))!;
  const line1 = doc.text.text.indexOf('dc1');
  assert.equal(doc.text.originsIn(0, line1 + 3).length, 0);
  assert.ok(doc.text.originsIn(doc.text.text.indexOf('region'), doc.text.text.length).some((o) => o.kind === 'unknown'));
});

test('GNU sed: the replaced text maps to the matched template text, its chain names the sed command; the rest stays exact', () => {
  const script = `#!/bin/bash\ncat > ${FILE} <<'EOF'\n  datacenter = "dc1"\nEOF\nsed -i -E 's/^(\\s*)datacenter = .*/\\1datacenter = "dc2"/' ${FILE}\n`;
  const mt = MappedText.identity('x.sh', script);
  const doc = analyzeBash('x.sh', mt, scanBash(script), false, [], { findByScriptPath: () => undefined }).configDocs.find((d) => d.id.includes('#tpl-'))!;
  assert.equal(doc.text.text, '  datacenter = "dc2"\n');
  const at = doc.text.text.indexOf('dc2');
  const span = doc.text.toHost(at, at + 3);
  const line = script.indexOf('  datacenter');
  assert.ok(span.start >= line && span.end <= script.indexOf('\nEOF'), 'on the heredoc line the s command matched');
  const origin = doc.text.originsIn(at, at + 3)[0];
  assert.equal(origin?.kind, 'known');
  assert.ok(origin?.chain.some((s) => /x\.sh sed s\//.test(s.note) && s.span.start === script.indexOf('s/^')));
  assert.equal(doc.text.isExactAt(doc.text.text.length - 1), true, 'the newline is copied from the heredoc');
});

test('GNU sed: the POSIX longest match is found however far the line goes on', () => {
  const input = `aabb${'z'.repeat(2100)}`;
  const expected = `X${'z'.repeat(2100)}`;
  if (gnuSed) assert.equal(liveGnu("'s/\\(a*\\)\\(ab\\)*b/X/'", input), expected);
  assert.deepEqual(edited("'s/\\(a*\\)\\(ab\\)*b/X/'", input), { text: expected });
});
