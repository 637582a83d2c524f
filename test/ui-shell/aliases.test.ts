import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { expandAliases } from '../../lib/ui/shell/aliases.js';

const A: Record<string, string> = {
  ll: 'ls -alF',
  ls: 'ls --color=auto',
  sudo: 'sudo ',
  p: 'echo x |',
  evil: './evil.sh',
  loop1: 'loop2',
  loop2: 'loop1 arg',
  g: 'git',
};

const cases: Array<[string, string]> = [
  ['ll', 'ls --color=auto -alF'],
  ['ll /tmp', 'ls --color=auto -alF /tmp'],
  ['ls', 'ls --color=auto'], // an alias is not expanded inside its own expansion
  ['ll', 'ls --color=auto -alF'], // but another alias at the start of an expansion is
  ['echo ll', 'echo ll'], // not in command position
  ['true; ll && ll || ll | ll & ll', 'true; ls --color=auto -alF && ls --color=auto -alF || ls --color=auto -alF | ls --color=auto -alF & ls --color=auto -alF'],
  ['(ll)', '(ls --color=auto -alF)'],
  ['{ ll; }', '{ ls --color=auto -alF; }'],
  ['if ll; then ll; else ll; fi', 'if ls --color=auto -alF; then ls --color=auto -alF; else ls --color=auto -alF; fi'],
  ['while ll; do ll; done', 'while ls --color=auto -alF; do ls --color=auto -alF; done'],
  ['FOO=1 BAR=2 ll', 'FOO=1 BAR=2 ls --color=auto -alF'],
  ['! ll', '! ls --color=auto -alF'],
  ['sudo ll', 'sudo  ls --color=auto -alF'], // value ends in a blank: the next word is checked too
  ['sudo echo ll', 'sudo  echo ll'],
  ['p ll', 'echo x | ls --color=auto -alF'], // the expansion is read as input: after `|` is command position
  ['evil', './evil.sh'],
  ['loop1', 'loop1 arg'], // loop1 → loop2 → loop1 arg, and loop1 is not expanded again
  ["'ll'", "'ll'"],
  ['"ll"', '"ll"'],
  ['\\ll', '\\ll'],
  ['echo "$(ll)" `ll`', 'echo "$(ll)" `ll`'],
  ['echo a # ll', 'echo a # ll'],
  ['echo a\nll', 'echo a\nls --color=auto -alF'],
  ['cat <<EOF\nll\nEOF\nll', 'cat <<EOF\nll\nEOF\nls --color=auto -alF'],
  ['cat <<-"END" >out\n\tll\n\tEND\nll', 'cat <<-"END" >out\n\tll\n\tEND\nls --color=auto -alF'],
  ['cat <<<ll; ll', 'cat <<<ll; ls --color=auto -alF'],
  ['ll >ll 2>&1', 'ls --color=auto -alF >ll 2>&1'],
  ['g status', 'git status'],
  ['', ''],
];

for (const [line, want] of cases) {
  test(`${JSON.stringify(line)} → ${JSON.stringify(want)}`, () => assert.is(expandAliases(line, A), want));
}

test('no aliases: the line as it is', () => {
  assert.is(expandAliases('ll; p', {}), 'll; p');
});

// The same cases through bash itself: `type` of a function body shows what bash expanded.
test('bash agrees on the cases without here-documents', () => {
  const defs = Object.entries(A).map(([k, v]) => `alias ${k}='${v}'`).join('\n');
  for (const [line, want] of cases) {
    if (line.includes('<<') || line === '' || line.includes('#') || line.includes('`')) continue;
    const script = `shopt -s expand_aliases\n${defs}\nf() {\n${line}\n}\ndeclare -f f`;
    const bashSays = execFileSync('bash', ['--norc', '-c', script], { encoding: 'utf8' });
    const ours = execFileSync('bash', ['--norc', '-c', `f() {\n${want}\n}\ndeclare -f f`], { encoding: 'utf8' });
    assert.is(bashSays, ours, `bash expands ${JSON.stringify(line)} differently`);
  }
});

test.run();
