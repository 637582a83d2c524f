import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { loadParser, parseLine, type LineParser } from '../../lib/parse/index.js';
import { parsePlainLine } from '../../lib/parse/plain.js';

// Plain lines skip tree-sitter (lib/parse/plain.ts). Whatever it accepts must
// get exactly the tree the real parser gives; whatever is not plain must be
// left to the real parser.

const s = suite('parse: plain lines without the grammar');
let real: LineParser;
s.before(async () => {
  real = await loadParser();
});

const ACCEPTED = ['npm install', 'npm ci', 'npm  run build --prod', 'make -j4 all', './noop.sh', 'git status', 'npm i lodash@4.17.21', 'cargo build --release', 'pip install -r requirements.txt', 'ls -la /tmp', 'go test ./...', 'node x.js a=1 b,c %d', '. ./env', 'yarn'];

for (const line of ACCEPTED) {
  s(`accepted, and the same tree as tree-sitter's: ${line}`, () => {
    const plain = parsePlainLine(line);
    assert.ok(plain, 'not accepted');
    assert.equal(plain, real.parse(line));
  });
}

const DECLINED: Array<[string, string]> = [
  ['sudo npm install', 'a wrapper: its payload is parsed'],
  ['bash ./x.sh', 'a shell: it runs a file'],
  ['npx cowsay', 'a package runner'],
  ['npm exec cowsay', 'npm exec runs a package'],
  ['env X=1 make', 'env wraps a command'],
  ['X=1 make', 'an assignment in front'],
  ['time make', 'a reserved word'],
  ['if true', 'a reserved word'],
  ['-x foo', 'an option-like command word'],
  ['%1', 'a job spec'],
  ['npm install ', 'trailing space'],
  [' npm install', 'leading space'],
  ['npm\tinstall', 'a tab'],
  ['a;b', 'an operator'],
  ['a && b', 'an operator'],
  ['echo $HOME', 'an expansion'],
  ['echo ~', 'a tilde'],
  ['ls *.js', 'a glob'],
  ["echo 'x'", 'quotes'],
  ['echo {a,b}', 'a brace expansion'],
  ['cat <f', 'a redirect'],
  ['# comment', 'a comment'],
  ['echo a#b', 'a character outside the plain set'],
  ['', 'empty'],
];

for (const [line, why] of DECLINED) {
  s(`declined (${why}): ${JSON.stringify(line)}`, () => {
    assert.is(parsePlainLine(line), null);
  });
}

s('any line it accepts parses exactly as tree-sitter parses it (fast-check)', () => {
  const ch = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzAZ0189_./@:+,%=-', '=', '=', '-', '.');
  const word = fc.array(ch, { minLength: 1, maxLength: 8 }).map((c) => c.join(''));
  const head = fc.constantFrom('npm', 'make', 'git', 'ls', './run.sh', '/usr/bin/node', 'cargo', 'sudo', 'bash', 'time', 'if', 'env', 'npx', 'x', '.', '..', 'a@1');
  const line = fc.tuple(fc.oneof(head, word), fc.array(word, { maxLength: 6 }), fc.array(fc.constantFrom(' ', '  '), { minLength: 6, maxLength: 6 }))
    .map(([h, rest, seps]) => [h, ...rest].map((w, i) => (i === 0 ? w : seps[i - 1] + w)).join(''));
  let accepted = 0;
  fc.assert(
    fc.property(line, (l) => {
      const plain = parsePlainLine(l);
      if (plain) {
        accepted++;
        assert.equal(plain, real.parse(l), l);
      }
    }),
    { numRuns: Number(process.env.SBSH_PLAIN_RUNS ?? 3000) },
  );
  assert.ok(accepted > 1000, `only ${accepted} generated lines were plain`);
});

s('parseLine gives the real parser\'s tree for lines that are not plain', async () => {
  for (const [line] of DECLINED) assert.equal(await parseLine(line), real.parse(line));
});

s.run();
