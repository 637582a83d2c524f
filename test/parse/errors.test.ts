import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadParser, MAX_NESTING, type Node } from '../../lib/parse/index.js';
import { ansiCLength, openQuote } from '../../lib/parse/problems.js';
import { render } from './render.js';
import { walk } from './walk.js';

// What sbsh cannot understand becomes `unknown`, with a reason and a sentence
// that says where and what to do; never a plain command, never a throw.

const parser = await loadParser();

const reasons = suite('unknown reasons');
const REASONS: ReadonlyArray<readonly [string, string, RegExp]> = [
  ['echo "abc', 'unterminated-quote', /" quote is never closed/],
  ["echo 'abc", 'unterminated-quote', /' quote is never closed/],
  ['echo `ls', 'unterminated-quote', /` quote is never closed/],
  ["echo $'abc", 'unterminated-quote', /\$' quote is never closed/],
  ['npm i "x\ny', 'unterminated-quote', /never closed/],
  ['echo $(ls', 'parse-error', /1:10: a missing `\)`/],
  ['if', 'parse-error', /1:1/],
  ['echo )', 'parse-error', /1:6: `\)`/],
  ['a\nb )', 'parse-error', /2:3/],
  ['a ;; b', 'parse-error', /;;/],
  ['coproc cat', 'unsupported', /coproc/],
];
for (const [line, reason, why] of REASONS) {
  reasons(JSON.stringify(line), () => {
    const tree = parser.parse(line);
    assert.is(tree.kind, 'unknown');
    if (tree.kind !== 'unknown') return;
    assert.is(tree.reason, reason);
    assert.match(tree.why, why);
    assert.is(tree.text, line);
  });
}
reasons('a quote inside a comment is not open', () => {
  assert.is(openQuote("echo a # don't"), null);
  assert.is(openQuote('echo "a # b'), '"');
  assert.is(openQuote("echo 'a\\'"), null);
  assert.is(openQuote('echo "a\\"'), '"');
});
reasons("ansiCLength reads $'…' the way bash does", () => {
  assert.is(ansiCLength("$'a'"), 4);
  assert.is(ansiCLength("$'a\\'b' x"), 7);
  assert.is(ansiCLength("$'\\\\' x'"), 5);
  assert.is(ansiCLength("$'open"), -1);
});
reasons.run();

const partial = suite('only the part that failed is unknown');
const PARTIAL: ReadonlyArray<readonly [string, string]> = [
  ['npm i; coproc cat', '[(npm i) ; ??unsupported]'],
  ["bash -c 'echo \"x'", '(bash -c "echo \\"x" => ??unterminated-quote)'],
  ["eval 'if'", '(eval if => ??parse-error)'],
  ['echo $(coproc cat)', '(echo ?{??unsupported})'],
];
for (const [line, expected] of PARTIAL) {
  partial(JSON.stringify(line), () => {
    assert.is(render(parser.parse(line)), expected);
  });
}
partial.run();

function unknowns(tree: Node): string[] {
  const found: string[] = [];
  walk(tree, (n) => {
    if (n.kind === 'unknown') found.push(n.reason);
  });
  return found;
}

const limits = suite('nesting limits');
limits('deeply nested substitutions end in too-deep, not a stack overflow', () => {
  const line = `echo ${'$('.repeat(MAX_NESTING + 20)}id${')'.repeat(MAX_NESTING + 20)}`;
  assert.ok(unknowns(parser.parse(line)).includes('too-deep'));
});
limits('deeply nested groups end in too-deep', () => {
  const line = `${'{ '.repeat(MAX_NESTING + 5)}a${'; }'.repeat(MAX_NESTING + 5)}`;
  assert.ok(unknowns(parser.parse(line)).includes('too-deep'));
});
limits('deeply nested backticks end in too-deep', () => {
  let line = 'id';
  for (let i = 0; i < 20; i++) line = `echo \`${line.replace(/[\\`]/g, '\\$&')}\``;
  assert.ok(unknowns(parser.parse(line)).includes('too-deep'));
});
limits('long flat lists and pipelines are not nesting', () => {
  const list = parser.parse(Array.from({ length: 5000 }, (_, i) => `c${i}`).join(' && '));
  assert.is(list.kind === 'list' && list.items.length, 5000);
  const pipe = parser.parse(Array.from({ length: 2000 }, (_, i) => `c${i}`).join(' | '));
  assert.is(pipe.kind === 'pipeline' && pipe.commands.length, 2000);
});
limits.run();

const odd = suite('odd input never throws');
const ODD = ['\0', 'echo \0 a', '\r\n', 'echo a\r\nb', '\u2028', '😀 $(😀)', '\\', '$', '`', '"', "'", '$(', '${', '<<', '<<<', '|', '&&', ';', '&', '!', '((', '[[', '}', 'EOF', 'x'.repeat(100_000)];
for (const line of ODD) {
  odd(JSON.stringify(line.slice(0, 20)), () => {
    const tree = parser.parse(line);
    assert.type(tree.kind, 'string');
    assert.equal(JSON.parse(JSON.stringify(tree)), tree);
  });
}
odd.run();
