import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadParser, type Node, type Word } from '../../lib/parse/index.js';
import { decodeAnsiC, isPattern, unescapeDoubleQuoted, unquoteDelimiter } from '../../lib/parse/words.js';

const parser = await loadParser();

/** The words of a one-command line. */
function argv(line: string): Word[] {
  const tree = parser.parse(line);
  if (tree.kind !== 'command') throw new Error(`expected one command for ${JSON.stringify(line)}, got ${tree.kind}`);
  return tree.argv;
}

const values = suite('word values after quote removal');
const VALUES: ReadonlyArray<readonly [string, string | null]> = [
  ['plain', 'plain'],
  ['"double"', 'double'],
  ["'single'", 'single'],
  ["'it'\\''s'", "it's"],
  ['"a\\"b\\$c\\\\d\\e"', 'a"b$c\\d\\e'],
  ["'a\\nb'", 'a\\nb'],
  ['a\\ b', 'a b'],
  ['\\*', '*'],
  ['"*.js"', '*.js'],
  ["'*'", '*'],
  ['$\'\\x41\\n\'', 'A\n'],
  ["$'a\\'b'", "a'b"],
  ["$'\\101\\u00e9'", 'Aé'],
  ["$''", ''],
  ['""', ''],
  ["''", ''],
  ['$"hi"', 'hi'],
  ['np""m', 'npm'],
  ['"a"\'b\'c', 'abc'],
  ['é', 'é'],
  ['--flag=value', '--flag=value'],
  ['{}', '{}'],
  ['{', '{'],
  ['"{a,b}"', '{a,b}'],
  // Tilde is kept as typed; the classifier resolves it.
  ['~', '~'],
  ['~/x', '~/x'],
  ['~root/x', '~root/x'],
  ['a=~', 'a=~'],
  // Only known at run time:
  ['$X', null],
  ['${X}', null],
  ['"$X"', null],
  ['"a${X}b"', null],
  ['$1', null],
  ['$@', null],
  ['$((1+2))', null],
  ['$(echo a)', null],
  ['`echo a`', null],
  ['"$(echo a)"', null],
  ['$"hi $x"', null],
  // Globs and brace expansions: the words they become are only known at run time.
  ['*', null],
  ['*.js', null],
  ['a?b', null],
  ['[ab]', null],
  ['a{b,c}', null],
  ['{1..3}', null],
  ['"a"*', null],
  ['{,}', null],
  // The working directory and the directory stack.
  ['~+', null],
  ['~-/x', null],
  ['~2', null],
  ['"~+"', '~+'],
  // Blanks: tree-sitter folds them into quote tokens or leaves escaped ones out of its nodes.
  ['" "', ' '],
  ['"a "', 'a '],
  ['"x"\\ "y"', 'x y'],
  ['\\ a', ' a'],
  ['a\\ ', 'a '],
  ['\\$"x"', '$x'],
  ["\\$'x'", '$x'],
];
for (const [raw, expected] of VALUES) {
  values(`echo ${raw}`, () => {
    const word = argv(`echo ${raw}`)[1];
    assert.ok(word, 'one argument');
    assert.is(word.raw, raw);
    assert.is(word.value, expected);
  });
}
values.run();

const subs = suite('substitutions are collected where they occur');
const SUBS: ReadonlyArray<readonly [string, number]> = [
  ['plain', 0],
  ['$X', 0],
  ['$(a)', 1],
  ['"$(a) `b`"', 2],
  ['x$(a)y$(b)', 2],
  ['$(a $(b))', 1],
  ['${x:-$(a)}', 1],
  ['$((1 + $(a)))', 1],
  ["'$(a)'", 0],
  ['"\\$(a)"', 0],
  ['\\$a', 0],
  ['<(a)', 1],
];
for (const [raw, count] of SUBS) {
  subs(`echo ${raw}`, () => {
    assert.is(argv(`echo ${raw}`)[1]?.substitutions.length, count);
  });
}
subs('the nested substitution belongs to the outer one', () => {
  const outer = argv('echo $(a $(b))')[1]?.substitutions[0];
  assert.is(outer?.kind, 'command');
  assert.is(outer?.kind === 'command' && outer.argv[1]?.substitutions.length, 1);
});
subs.run();

const pure = suite('word helpers');
pure('isPattern: unquoted glob and brace characters', () => {
  for (const p of ['*', 'a?', '[ab]', 'x[1]', '{a,b}', 'a{1..3}']) assert.ok(isPattern(p), p);
  for (const p of ['a', '[', ']', '{}', '{a}', 'a,b', 'a\0', '{\0\0\0}', '-rf']) assert.not.ok(isPattern(p), p);
});
pure('unescapeDoubleQuoted: only $ ` " \\ and newline are escaped', () => {
  assert.is(unescapeDoubleQuoted('a\\$b\\`c\\"d\\\\e\\nf\\\ng'), 'a$b`c"d\\e\\nfg');
});
pure('decodeAnsiC', () => {
  assert.is(decodeAnsiC("$'\\x72m'"), 'rm');
  assert.is(decodeAnsiC("$'\\t\\e\\cA'"), '\t\x1b\x01');
  assert.is(decodeAnsiC("$'$HOME'"), '$HOME');
});
pure('unquoteDelimiter', () => {
  assert.is(unquoteDelimiter('EOF'), 'EOF');
  assert.is(unquoteDelimiter("'EOF'"), 'EOF');
  assert.is(unquoteDelimiter('"EOF"'), 'EOF');
  assert.is(unquoteDelimiter('\\EOF'), 'EOF');
  assert.is(unquoteDelimiter('E"O"F'), 'EOF');
  assert.is(unquoteDelimiter("'E\"F'"), 'E"F');
});
pure.run();

const operands = suite('operand words of tests and arithmetic');
function control(line: string): Extract<Node, { kind: 'control' }> {
  const tree = parser.parse(line);
  if (tree.kind !== 'control') throw new Error(`expected a control node, got ${tree.kind}`);
  return tree;
}
operands('[[ ]] words keep literal values; patterns are unknown', () => {
  const words = control('[[ -f /etc/passwd && $a == b* ]]').words;
  assert.equal(words.map((w) => w.value), ['/etc/passwd', null, null]);
});
operands('arithmetic: numbers known, names are variables', () => {
  const words = control('(( x = 2 + y ))').words;
  assert.equal(words.map((w) => [w.raw, w.value]), [['x', null], ['2', '2'], ['y', null]]);
});
operands('for loop words', () => {
  assert.equal(control('for f in a "b c" $d; do :; done').words.map((w) => w.value), ['a', 'b c', null]);
});
operands.run();
