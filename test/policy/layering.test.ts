import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadPolicy, loadPolicyFresh } from '../../lib/policy/load.js';
import { fixturesDir, makeTmpEnv, type TmpEnv, withEnv } from './tmp-env.js';

// built-in (and what it extends) < user < repository, with the origin of
// every value recorded; the base chosen by --policy, else the user's extends.

const BUILTIN = join(fixturesDir(), 'builtin');
const builtinFile = (name: string): string => join(BUILTIN, `${name}.yaml`);


test('only the built-in: every value comes from it', withEnv((t) => {
  const p = loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN });
  assert.is(p.base, 'default');
  assert.equal(p.files, [builtinFile('default')]);
  assert.equal(p.origins['profiles.install.limits.memory_mb'], { layer: 'builtin', file: builtinFile('default') });
  assert.equal(p.ignored, []);
  assert.is(p.policy.extends, undefined);
}));

test('user over built-in, repository over both; origins say which file set what', withEnv((t) => {
  t.write(t.userPolicy, 'profiles:\n  install:\n    limits: { memory_mb: 8192 }\n    network: { domains: ["*.example.org", "*.corp.example"] }\n');
  t.write(t.repoPolicy, 'profiles:\n  install:\n    limits: { memory_mb: 2048 }\n    network: { domains: [git.corp.example] }\n');
  const p = loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN });
  assert.equal(p.files, [builtinFile('default'), t.userPolicy, t.repoPolicy]);
  assert.equal(p.layers.map((l) => [l.kind, l.trusted]), [['builtin', true], ['user', true], ['repo', false]]);
  assert.is(p.policy.profiles!.install!.limits!.memory_mb, 2048);
  assert.is(p.policy.profiles!.install!.limits!.wall_seconds, 1800);
  assert.equal(p.policy.profiles!.install!.network!.domains, ['git.corp.example:443', 'git.corp.example:80']);
  assert.equal(p.origins['profiles.install.limits.memory_mb'], { layer: 'repo', file: t.repoPolicy });
  assert.equal(p.origins['profiles.install.limits.wall_seconds'], { layer: 'builtin', file: builtinFile('default') });
  assert.equal(p.origins['profiles.install.network.domains'], { layer: 'repo', file: t.repoPolicy });
  assert.equal(p.ignored, []);
}));

test('the user layer is trusted: it may loosen anything', withEnv((t) => {
  t.write(t.userPolicy, 'rules:\n  unknown: { action: host }\nprofiles:\n  build:\n    network: { mode: allow, domains: [anything.example] }\n    environment: { set: { NODE_OPTIONS: "--max-old-space-size=4096" } }\n');
  const p = loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN });
  assert.is(p.policy.rules!.unknown!.action, 'host');
  assert.is(p.policy.profiles!.build!.network!.mode, 'allow');
  assert.equal(p.policy.profiles!.build!.environment!.set, { NODE_OPTIONS: '--max-old-space-size=4096' });
  assert.equal(p.ignored, []);
}));

test('a trusted layer replaces a rule by id and appends new rules (last match wins)', withEnv((t) => {
  t.write(t.userPolicy, 'classify:\n  rules:\n    - { id: cat, class: build, why: my cat is a script, command: cat }\n    - { id: make, class: build, why: runs the Makefile, command: make }\n');
  const p = loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN });
  const rules = p.policy.classify!.rules!;
  assert.equal(rules.map((r) => r.id), ['npm-install', 'npm-run', 'pip-install', 'cat', 'git-status', 'make']);
  assert.is(rules[3]!.class, 'build');
  assert.equal(p.origins['classify.rules.cat'], { layer: 'user', file: t.userPolicy });
  assert.equal(p.origins['classify.rules.npm-install'], { layer: 'builtin', file: builtinFile('default') });
}));

test('the user extends a built-in: its chain is merged first', withEnv((t) => {
  t.write(t.userPolicy, 'extends: ci\n');
  const p = loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN });
  assert.is(p.base, 'ci');
  assert.equal(p.files, [builtinFile('default'), builtinFile('strict'), builtinFile('ci'), t.userPolicy]);
  assert.is(p.policy.rules!.unknown!.action, 'deny');
  assert.is(p.policy.guard!.strict, true);
  assert.is(p.policy.profiles!.install!.limits!.memory_mb, 1024);
  assert.equal(p.origins['profiles.install.limits.memory_mb'], { layer: 'builtin', file: builtinFile('strict') });
}));

test('--policy (base) wins over the user extends', withEnv((t) => {
  t.write(t.userPolicy, 'extends: ci\n');
  const p = loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN, base: 'strict' });
  assert.is(p.base, 'strict');
  assert.equal(p.files, [builtinFile('default'), builtinFile('strict'), t.userPolicy]);
}));

test('XDG_CONFIG_HOME is where the user policy lives when set; a relative one is ignored', withEnv((t) => {
  const xdg = join(t.root, 'xdg');
  t.write(join(xdg, 'sbsh', 'policy.yaml'), 'guard: { kill_after: 3 }\n');
  t.write(t.userPolicy, 'guard: { kill_after: 4 }\n');
  const withXdg = loadPolicyFresh({ workspace: t.workspace, env: { ...t.env, XDG_CONFIG_HOME: xdg }, builtinDir: BUILTIN });
  assert.is(withXdg.policy.guard!.kill_after, 3);
  const relative = loadPolicyFresh({ workspace: t.workspace, env: { ...t.env, XDG_CONFIG_HOME: 'xdg' }, builtinDir: BUILTIN });
  assert.is(relative.policy.guard!.kill_after, 4);
}));

test('memoised until a file changes; the result is frozen', withEnv((t) => {
  const opts = { workspace: t.workspace, env: t.env, builtinDir: BUILTIN };
  const a = loadPolicy(opts);
  assert.is(loadPolicy(opts), a, 'same object while nothing changed');
  assert.ok(Object.isFrozen(a.policy.profiles!.install!.limits));
  t.write(t.repoPolicy, 'profiles:\n  install:\n    limits: { memory_mb: 100 }\n');
  const b = loadPolicy(opts);
  assert.is.not(b, a);
  assert.is(b.policy.profiles!.install!.limits!.memory_mb, 100);
  t.write(t.repoPolicy, 'profiles:\n  install:\n    limits: { memory_mb: 200 }\n');
  assert.is(loadPolicy(opts).policy.profiles!.install!.limits!.memory_mb, 200, 'an edit of the same size is seen');
}));

test.run();
