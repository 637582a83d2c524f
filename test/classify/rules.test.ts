import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClassifyConfig, ClassifyRule } from '../../lib/classify/rule-schema.js';
import { PolicyLayer } from '../../lib/policy/schema.js';
import { CTX, DEFAULT_CONFIG, classifyLine } from './harness.js';

// The rule language: which commands a rule matches (name globs, where the
// command word points, payloads, subcommands after global options, argv
// regexes) and how matches combine (every guard rule, the last other rule).

const GUARD = DEFAULT_CONFIG.guard;

function config(rules: unknown[]): ClassifyConfig {
  return { rules: rules.map((r) => ClassifyRule.parse(r)), guard: GUARD };
}

const tool = (id: string, cls: string, extra: Record<string, unknown> = {}) => ({ id, class: cls, why: `${id} why`, command: 'tool', ...extra });

function ruleOf(line: string, cfg: ClassifyConfig): string {
  const c = classifyLine(line, cfg);
  return `${c.class} ${c.reasons.map((r) => r.rule).join(',')}`;
}

test('the last matching non-dangerous rule wins', () => {
  const cfg = config([tool('general', 'build'), tool('specific', 'host-safe', { subcommand: 'status' }), tool('later', 'install', { subcommand: 'add' })]);
  assert.is(ruleOf('tool status', cfg), 'host-safe specific');
  assert.is(ruleOf('tool add x', cfg), 'install later');
  assert.is(ruleOf('tool other', cfg), 'build general');
  // The same rules in the other order: the general rule, now last, wins.
  const reversed = config([tool('specific', 'host-safe', { subcommand: 'status' }), tool('general', 'build')]);
  assert.is(ruleOf('tool status', reversed), 'build general');
});

test('every matching guard rule is a finding, whatever rule wins', () => {
  const cfg = config([
    tool('plain', 'host-safe'),
    tool('guard.one', 'dangerous', { argv: ' --one' }),
    tool('guard.two', 'dangerous', { argv: ' --two' }),
    tool('later', 'host-safe'),
  ]);
  assert.is(ruleOf('tool --one --two', cfg), 'dangerous guard.one,guard.two');
  assert.is(ruleOf('tool --two', cfg), 'dangerous guard.two');
  assert.is(ruleOf('tool', cfg), 'host-safe later');
});

test('a command no rule matches is unknown, never host-safe', () => {
  assert.is(ruleOf('whatever x', config([])), 'unknown no-rule');
  assert.is(ruleOf('frobnicate --all', DEFAULT_CONFIG), 'unknown no-rule');
});

test('subcommand skips the options a rule declares as taking a value, and + options', () => {
  const cfg = config([tool('any', 'build'), tool('sub', 'install', { subcommand: 'install', options: ['--prefix', '-C'] })]);
  const table: Array<[string, string]> = [
    ['tool install', 'install sub'],
    ['tool --prefix x install', 'install sub'],
    ['tool --prefix=x install', 'install sub'],
    ['tool -C dir install', 'install sub'],
    ['tool -Cdir install', 'install sub'],
    ['tool +nightly install', 'install sub'],
    ['tool --other x install', 'build any'], // --other is not declared: x is the subcommand
    ['tool -- install', 'install sub'],
    ['tool x install', 'build any'],
    ['tool "$SUB"', 'build any'], // a subcommand known only at run time matches no literal
  ];
  for (const [line, want] of table) assert.is(ruleOf(line, cfg), want, line);
});

test('multi-word and empty subcommands', () => {
  const cfg = config([tool('any', 'build'), tool('nested', 'install', { subcommand: 'mod download' }), tool('bare', 'host-safe', { subcommand: '' })]);
  assert.is(ruleOf('tool mod download', cfg), 'install nested');
  assert.is(ruleOf('tool -x mod -y download', cfg), 'install nested');
  assert.is(ruleOf('tool mod tidy', cfg), 'build any');
  assert.is(ruleOf('tool', cfg), 'host-safe bare');
  assert.is(ruleOf('tool --flag', cfg), 'host-safe bare');
});

test('argv regexes see the resolved name and unquoted arguments, runtime words as typed', () => {
  const cfg = config([tool('any', 'build'), tool('re', 'host-safe', { argv: '^tool --safe "?\\$X' })]);
  assert.is(ruleOf('/usr/bin/tool --safe "$X"', cfg), 'host-safe re');
  assert.is(ruleOf("tool '--safe' \"$X\"", cfg), 'host-safe re');
});

test('command globs, and where the command word points', () => {
  const cfg = config([
    { id: 'py', class: 'build', why: 'py', command: 'python*' },
    { id: 'repo', class: 'build', why: 'repo', command: '*', where: ['workspace'] },
    { id: 'away', class: 'unknown', why: 'away', command: '*', where: ['elsewhere'] },
    { id: 'ls', class: 'host-safe', why: 'ls', command: 'ls' },
  ]);
  const table: Array<[string, string]> = [
    ['python3.12 x.py', 'build py'],
    ['ls', 'host-safe ls'],
    ['/bin/ls', 'host-safe ls'],
    ['/usr/local/bin/ls', 'host-safe ls'],
    ['~/.local/bin/ls', 'host-safe ls'],
    ['./ls', 'build repo'], // the repository's own `ls`
    ['bin/ls', 'build repo'],
    ['/work/ws/tools/ls', 'build repo'],
    ['../ws/ls', 'build repo'],
    ['/tmp/ls', 'unknown away'],
    ['../other/ls', 'unknown away'],
  ];
  for (const [line, want] of table) assert.is(ruleOf(line, cfg), want, line);
});

test('payload: true and false select wrappers that did or did not get a payload', () => {
  const cfg = config([
    { id: 'with', class: 'host-safe', why: 'w', command: 'bash', payload: true },
    { id: 'without', class: 'build', why: 'wo', command: 'bash', payload: false },
    { id: 'ls', class: 'host-safe', why: 'ls', command: 'ls' },
  ]);
  assert.is(ruleOf("bash -c 'ls'", cfg), 'host-safe with');
  assert.is(ruleOf('bash script.sh', cfg), 'build without');
});

test('a user rule appended after the built-in ones overrides them', () => {
  const userRule = ClassifyRule.parse({ id: 'my-make', class: 'host-safe', why: 'my make only formats', command: 'make', subcommand: 'fmt' });
  const cfg: ClassifyConfig = { rules: [...DEFAULT_CONFIG.rules, userRule], guard: GUARD };
  assert.is(ruleOf('make fmt', cfg), 'host-safe my-make');
  assert.is(ruleOf('make test', cfg), 'build c-build');
  // ...but a guard rule still fires: `sudo` stays dangerous whatever a later rule says.
  const sudoOk = ClassifyRule.parse({ id: 'sudo-ok', class: 'host-safe', why: 'x', command: 'sudo' });
  assert.is(classifyLine('sudo ls', { rules: [...DEFAULT_CONFIG.rules, sudoOk], guard: GUARD }).class, 'dangerous');
});

test('a policy without a guard list refuses to classify (fail closed)', () => {
  const { persistence_paths: _, ...rest } = GUARD!;
  assert.throws(() => classifyLine('ls', { rules: DEFAULT_CONFIG.rules, guard: rest }), /classify\.guard\.persistence_paths/);
  assert.throws(() => classifyLine('ls', { rules: [] }), /classify\.guard\.harmless_targets/);
});

test('an argv that is not a regular expression is an error naming the rule', () => {
  assert.throws(() => classifyLine('tool', config([tool('broken', 'build', { argv: '(' })])), /rule "broken".*regular expression/);
});

test('schema: dangerous rules must be guard.*, ids are lower-case, keys are strict', () => {
  assert.not.ok(ClassifyRule.safeParse(tool('deny-it', 'dangerous')).success);
  assert.ok(ClassifyRule.safeParse(tool('guard.deny-it', 'dangerous')).success);
  assert.not.ok(ClassifyRule.safeParse(tool('Bad', 'build')).success);
  assert.not.ok(ClassifyRule.safeParse({ ...tool('x', 'build'), subcomand: 'typo' }).success);
  assert.not.ok(ClassifyRule.safeParse(tool('x', 'build', { where: ['nowhere'] })).success);
  assert.ok(PolicyLayer.safeParse({ classify: { rules: [tool('x', 'build')] } }).success, 'a layer may give rules without guard lists');
  assert.not.ok(PolicyLayer.safeParse({ classify: { guard: { persistance_paths: [] } } }).success, 'typos in guard keys are errors');
});

test('classification is pure: the same input gives the same answer, context decides paths', () => {
  const line = 'cd /tmp && rm -rf x; npm ci';
  assert.equal(classifyLine(line), classifyLine(line));
  assert.is(classifyLine('rm -rf /tmp/x').class, 'dangerous');
  assert.is(classifyLine('rm -rf /tmp/x', DEFAULT_CONFIG, { ...CTX, workspace: '/tmp', cwd: '/tmp' }).class, 'host-safe');
});

test.run();
