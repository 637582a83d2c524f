import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadParser } from '../../lib/parse/index.js';
import { renderTable } from './render.js';

// The shape of the tree for each construct, stated in render.ts's notation.

const parser = await loadParser();

const table = (name: string, cases: ReadonlyArray<readonly [string, string]>): void => renderTable(parser, name, cases);

table('lists', [
  ['a', '(a)'],
  ['a; b', '[(a) ; (b)]'],
  ['a && b || c', '[(a) && (b) || (c)]'],
  ['a || b && c; d & e', '[(a) || (b) && (c) ; (d) & (e)]'],
  ['a & b && c; d', '[(a) & (b) && (c) ; (d)]'],
  ['sleep 1 &', '[(sleep 1) &]'],
  ['a; b;', '[(a) ; (b)]'],
  ['a\nb\n\nc', '[(a) \\n (b) \\n (c)]'],
  ['a &\nb', '[(a) & (b)]'],
  ['a &&\nb', '[(a) && (b)]'],
  ['a |\nb', '<(a) | (b)>'],
  ['a && \\\nb', '[(a) && (b)]'],
]);

table('pipelines', [
  ['a | b', '<(a) | (b)>'],
  ['a | b |& c', '<(a) | (b) | (c)>'],
  ['! a', '!<(a)>'],
  ['! a | b', '!<(a) | (b)>'],
  ['a | b && c | d', '[<(a) | (b)> && <(c) | (d)>]'],
  ['if ! npm test; then exit 1; fi', 'if{!<(npm test)>; (exit 1)}'],
]);

table('redirections', [
  ['cmd > out', '(cmd >out)'],
  ['cmd >> out 2>&1', '(cmd >>out 2>&1)'],
  ['cmd < in > out', '(cmd <in >out)'],
  ['cmd &> f; cmd &>> g; cmd >| h', '[(cmd &>f) ; (cmd &>>g) ; (cmd >|h)]'],
  ['cmd 3>&- <&0 >&2', '(cmd 3>&- <&0 >&2)'],
  ['2>&1 cmd a', '(cmd a 2>&1)'],
  ['<in A=1 cmd', '(A=1 cmd <in)'],
  ['> f', '(>f)'],
  ['x=1 > f', '(x=1 >f)'],
  // tree-sitter attaches these to the whole list or pipeline; bash applies them to the last command.
  ['a && b > f', '[(a) && (b >f)]'],
  ['a | b > f', '<(a) | (b >f)>'],
  ['a && b | c > f 2>&1', '[(a) && <(b) | (c >f 2>&1)>]'],
  ['! a > f', '!<(a >f)>'],
  ['a > f && b', '[(a >f) && (b)]'],
  ['a; b > f', '[(a) ; (b >f)]'],
  // tree-sitter reads a word after a redirection target as a second target.
  ['a >f <g b', '(a b >f <g)'],
  ['echo a >f b c', '(echo a b c >f)'],
  ['echo > $(mktemp) 2>"$(x)"', '(echo >?{(mktemp)} 2>?{(x)})'],
  ['cat <<< "$(id)" x', '(cat x <<<?{(id)})'],
  ['cat <<< word', '(cat <<<word)'],
]);

table('groups and subshells', [
  ['(a; b) > f', 'sub{[(a) ; (b)]} >f'],
  ['{ a; b; } 2>&1 | c', '<grp{[(a) ; (b)]} 2>&1 | (c)>'],
  ['a && { b; } > f', '[(a) && grp{(b)} >f]'],
  ['(cd x && make)', 'sub{[(cd x) && (make)]}'],
  ['{ a; } > f x', '??parse-error'],
]);

table('control flow', [
  ['if a; then b; elif c; then d; else e; fi', 'if{(a); (b); (c); (d); (e)}'],
  ['if a; b; then c; fi > o', 'if{[(a) ; (b)]; (c)} >o'],
  ['while read -r l; do echo "$l"; done < <(ls)', 'while{(read -r l); (echo ?)} <?{(ls)}'],
  ['until a; do b; done', 'until{(a); (b)}'],
  ['for f in $(ls) b; do rm "$f"; done', 'for(?{(ls)} b){(rm ?)}'],
  ['for x; do a; done', 'for{(a)}'],
  ['select x in a b; do a; done', 'select(a b){(a)}'],
  ['for ((i=0;i<$(n);i++)); do a; done', 'for(? 0 ? ?{(n)} ?){(a)}'],
  ['case "$(uname)" in Linux) apt-get install x;; *) brew install x;; esac', 'case(?{(uname)} Linux ?){(apt-get install x); (brew install x)}'],
  ['case $x in a|$(y)) b;; esac', 'case(? a ?{(y)}){(b)}'],
  ['case $x in (a) ;; esac', 'case(? a){}'],
  ['[[ -f $(id) ]] && (( x = $(y) ))', '[test(?{(id)}){} && arithmetic(? ?{(y)}){}]'],
  ['[[ $a == b* && -n "$(id)" ]]', 'test(? ? ?{(id)}){}'],
  ['(( a[$(id)] += 2 ))', 'arithmetic(?{(id)} 2){}'],
  ['[ -f x ]', 'test(x){}'],
  ['a && while x; do y; done > f', '[(a) && while{(x); (y)} >f]'],
]);

table('functions', [
  ['f() { a; }', 'fn f{grp{(a)}}'],
  ['function f { a; }', 'fn f{grp{(a)}}'],
  ['function f() ( a )', 'fn f{sub{(a)}}'],
  ['f() { npm i; } > log', 'fn f{grp{(npm i)} >log}'],
  ['f() { rm -rf ~; }; f', '[fn f{grp{(rm -rf ~)}} ; (f)]'],
]);

table('substitutions', [
  ['echo $(id)', '(echo ?{(id)})'],
  ['echo `id`', '(echo ?{(id)})'],
  ['echo "`id`"', '(echo ?{(id)})'],
  ['echo "x$(id)y"', '(echo ?{(id)})'],
  ['echo $(a $(b `c`))', '(echo ?{(a ?{(b ?{(c)})})})'],
  ['echo `echo \\`id\\``', '(echo ?{(echo ?{(id)})})'],
  ['echo "$(echo "$(id)")"', '(echo ?{(echo ?{(id)})})'],
  ['cat <(ls) >(wc)', '(cat ?{(ls)} ?{(wc)})'],
  ['echo $((x + $(id)))', '(echo ?{(id)})'],
  ['echo $[1+$(id)]', '(echo ?{(id)})'],
  ['echo ${x:-$(id)}', '(echo ?{(id)})'],
  ['echo $(<f)', '(echo ?{(<f)})'],
  ['a=$(id) b', '(a=?{(id)} b)'],
  ['A=1 B=$(x)', '(A=1 B=?{(x)})'],
  ['a=(1 $(z)) cmd', '(a=?{(z)} cmd)'],
  ['a[$(id)]=1 cmd', '(a[$(id)]=?{(id)} cmd)'],
  ['export A=$(id) B; local x; declare -a y=(1 $(z)); unset x', '[(export ?{(id)} B) ; (local x) ; (declare -a ?{(z)}) ; (unset x)]'],
  ['$(echo npm) install', '(?{(echo npm)} install)'],
  ['x=$(cat <<EOF\n$(id)\nEOF\n)', '(x=?{(cat <<EOF{(id)})})'],
]);

table('heredocs', [
  ['cat <<EOF\nhi $(whoami)\nEOF\n', '(cat <<EOF{(whoami)})'],
  ['cat <<EOF\n`id` ${x} $(whoami) $((1+$(a))) \\`no\\` \\$(no)\nEOF', '(cat <<EOF{(id), (whoami), (a)})'],
  ["cat <<'EOF'\n$(id) `id`\nEOF", '(cat <<EOF)'],
  ['cat <<"EOF"\n$(id)\nEOF', '(cat <<EOF)'],
  ['cat <<\\EOF\n$(id)\nEOF', '(cat <<EOF)'],
  // tree-sitter looks for the quoted spelling as the end line, so it never finds it.
  ['cat <<E"O"F\n$(id)\nEOF', '??parse-error'],
  ['cat <<-EOF\n\ta $(b)\n\tEOF', '(cat <<-EOF{(b)})'],
  ['cat << EOF\nx\nEOF', '(cat <<EOF)'],
  ["cat <<'EOF' > out\na\nEOF", '(cat <<EOF >out)'],
  ['a | cat <<EOF > f\nx\nEOF', '<(a) | (cat <<EOF >f)>'],
  // tree-sitter parses what follows the delimiter on its line inside the heredoc redirect.
  ['cat <<EOF | grep x && y\nbody $(id)\nEOF', '[<(cat <<EOF{(id)}) | (grep x)> && (y)]'],
  ['cat <<EOF | a | b\nx\nEOF', '<(cat <<EOF) | (a) | (b)>'],
  ['x && cat <<EOF | y\nb\nEOF', '[(x) && <(cat <<EOF) | (y)>]'],
  ['x | cat <<EOF | y && z\nb\nEOF', '[<(x) | (cat <<EOF) | (y)> && (z)]'],
  ['cat <<EOF && y || z\nx\nEOF', '[(cat <<EOF) && (y) || (z)]'],
  // tree-sitter takes `EOF;` as the delimiter here: refused rather than misread.
  ['cat <<EOF; echo hi\nx\nEOF\n', '??parse-error'],
  ['cat <<EOF', '??parse-error'],
  ['cat <<A <<B\na\nA\nb\nB\n', '??parse-error'],
  ['cat <<EOF\n`unclosed\nEOF', '??parse-error'],
]);

table('comments, blank and multi-line input', [
  ['', '[]'],
  ['   \n\t', '[]'],
  ['# only a comment', '[]'],
  ['npm i  # install\n# comment only', '(npm i)'],
  ['echo a#b #c', '(echo "a#b")'],
  ['npm i\nnpm test', '[(npm i) \\n (npm test)]'],
  ['a # c \\\nb', '[(a) \\n (b)]'],
  ['if a\nthen\n  b\nfi', 'if{(a); (b)}'],
  ['for x in 1 2\ndo\n  echo $x\ndone', 'for(1 2){(echo ?)}'],
]);

table('line continuations', [
  ['echo \\\n  a', '(echo a)'],
  // bash joins `r\<newline>m` into `rm`; tree-sitter alone would read `r` and `m`.
  ['r\\\nm -rf /', '(rm -rf /)'],
  ['ec\\\nho a\\\nb "x\\\ny"', '(echo ab xy)'],
  ["echo 'a\\\nb'", '(echo "a\\\\\\nb")'],
  ["echo $'a\\\nb'", '(echo "a\\\\\\nb")'],
  ["cat <<'E'\nx\\\ny\nE", '(cat <<E)'],
  ['echo a\\\\\nb', '[(echo "a\\\\") \\n (b)]'],
]);

table('constructs sbsh refuses', [
  ['coproc x { a; }', '[??unsupported ; ??parse-error]'],
  ['coproc cat', '??unsupported'],
  ['a ;; b', '??parse-error'],
  ['exec 3<>/dev/tcp/1.2.3.4/80', '??parse-error'],
  ['echo @(a|b)', '??parse-error'],
  ['case $x in (a|b) x;& c) y;;& esac', '??parse-error'],
]);

// Found by comparing with real bash (bash-agreement.test.ts and by hand): each
// of these would otherwise hide or invent a command.
table('tree-sitter misreadings are refused or repaired', [
  // tree-sitter ends `$'\\'` at the next quote, swallowing the `rm` line.
  ["echo $'\\\\'\nrm -rf ~\n: '", '??parse-error'],
  // It drops the escaped blank and reads `#; rm -rf ~` as a comment.
  ["echo 'x'\\ #; rm -rf ~", '??parse-error'],
  ['echo a\\ #; rm -rf ~', '[(echo "a #") ; (rm -rf ~)]'],
  // It does not parse backticks inside ${…}.
  ['echo ${x:-`rm -rf ~`}', '(echo ?{(rm -rf ~)})'],
  ['echo "${x:-`rm -rf ~`}"', '(echo ?{(rm -rf ~)})'],
  ['echo ${x:-`unclosed}', '??parse-error'],
  // It takes `-c2` for a file descriptor.
  ['-c2>&1', '??parse-error'],
  ['x |! y', '??parse-error'],
  ['cmd <\nfile', '??parse-error'],
  ['printf x ] }b', '??parse-error'],
  ['printf x \\ ;', '??parse-error'],
  ['printf x \\  y', '??parse-error'],
  // Names of Object.prototype members are just commands.
  ['valueOf; constructor x; __proto__; toString', '[(valueOf) ; (constructor x) ; (__proto__) ; (toString)]'],
]);

const text = suite('text fields are source slices');
text('commands, lists and words keep what was typed', () => {
  const line = 'FOO=1  \\npm   i "x" >out && r\\\nm -rf  /tmp/x';
  const tree = parser.parse(line);
  assert.is(tree.kind, 'list');
  if (tree.kind !== 'list') return;
  assert.is(tree.text, line);
  const [npm, rm] = tree.items;
  assert.is(npm?.text, 'FOO=1  \\npm   i "x" >out');
  assert.is(rm?.text, 'r\\\nm -rf  /tmp/x');
  assert.equal(npm?.kind === 'command' && npm.argv.map((w) => w.raw), ['\\npm', 'i', '"x"']);
  assert.equal(rm?.kind === 'command' && rm.argv.map((w) => w.raw), ['r\\\nm', '-rf', '/tmp/x']);
});
text('a redirect attached to the last command extends its text', () => {
  const tree = parser.parse('a && b  > f');
  assert.is(tree.kind === 'list' && tree.items[1]?.text, 'b  > f');
});
text('a substitution tree holds its own slice', () => {
  const tree = parser.parse('echo "$(id -u)"');
  assert.is(tree.kind === 'command' && tree.argv[1]?.substitutions[0]?.text, 'id -u');
});
text('a heredoc command text stops before the body', () => {
  const tree = parser.parse('cat <<EOF > out\nbody\nEOF');
  assert.is(tree.text, 'cat <<EOF > out');
});
text('the tree is plain JSON data', () => {
  const tree = parser.parse('a=$(b) c "$(d)" <<EOF | e && f() { g; }\n$(h)\nEOF');
  assert.equal(JSON.parse(JSON.stringify(tree)), tree);
});
text.run();
