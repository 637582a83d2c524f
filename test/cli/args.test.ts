import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseArgs } from '../../lib/cli/main.js';
import { UsageError } from '../../lib/cli/usage.js';

const cases: Array<[string[], Partial<ReturnType<typeof parseArgs>>, string?]> = [
  [[], { command: 'interactive', login: false, noTui: false }],
  [['-l'], { command: 'interactive', login: true }],
  [['--login', '--no-tui'], { command: 'interactive', login: true, noTui: true }],
  [[], { command: 'interactive', login: true }, '-sbsh'],
  [['-c', 'npm install'], { command: 'run', line: 'npm install', positional: [] }],
  [['-c', 'echo "$1"', 'name', 'a b'], { command: 'run', line: 'echo "$1"', positional: ['name', 'a b'] }],
  [['-c', 'ls', '--json'], { command: 'run', line: 'ls', positional: ['--json'] }],
  [['--policy', 'strict', '-c', 'make'], { command: 'run', policy: 'strict', line: 'make' }],
  [['plan', '--json', '-c', 'npm ci'], { command: 'plan', json: true, line: 'npm ci' }],
  [['plan', '-c', 'npm ci'], { command: 'plan', json: false, line: 'npm ci' }],
  [['plan', 'npm ci'], { command: 'plan', line: 'npm ci' }],
  [['doctor', '--json'], { command: 'doctor', json: true }],
  [['policy', 'check'], { command: 'policy', sub: 'check' }],
  [['policy', 'schema'], { command: 'policy', sub: 'schema' }],
  [['trust'], { command: 'trust', sub: null }],
  [['trust', 'sbsh.yaml'], { command: 'trust', sub: 'sbsh.yaml' }],
  [['log', '--json', '-n', '5'], { command: 'log', json: true, limit: 5 }],
  [['demo', 'exfil'], { command: 'demo', sub: 'exfil' }],
  [['resident'], { command: 'resident', idleMs: null }],
  [['resident', '--idle', '90'], { command: 'resident', idleMs: 90_000 }],
  [['./build.sh', 'a', '-c'], { command: 'script', line: './build.sh', positional: ['a', '-c'] }],
  [['--help'], { command: 'help' }],
  [['--version'], { command: 'version' }],
  [['-i'], { command: 'interactive' }],
];

for (const [argv, expected, argv0] of cases) {
  test(`parseArgs ${JSON.stringify(argv)}${argv0 ? ` as ${argv0}` : ''}`, () => {
    const got = parseArgs(argv, argv0);
    for (const [k, v] of Object.entries(expected)) assert.equal((got as unknown as Record<string, unknown>)[k], v, k);
  });
}

const bad: Array<[string[], RegExp]> = [
  [['-c'], /-c needs a value/],
  [['--bogus'], /unknown option --bogus/],
  [['plan', '--json'], /plan needs a line/],
  [['policy'], /policy needs one of/],
  [['policy', 'nuke'], /policy needs one of/],
  [['demo'], /demo needs: exfil/],
  [['log', '-n', 'x'], /-n takes a positive whole number/],
  [['doctor', 'extra'], /unexpected argument "extra"/],
  [['resident', '--idle', '0'], /--idle takes a positive whole number of seconds/],
  [['resident', '--idle', '1.5'], /--idle takes a positive whole number of seconds/],
  [['--idle', '5'], /unknown option --idle/],
];
for (const [argv, re] of bad) {
  test(`parseArgs rejects ${JSON.stringify(argv)}`, () => {
    try {
      parseArgs(argv);
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, UsageError);
      assert.match((err as Error).message, re);
    }
  });
}

test.run();
