import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicyFresh, type LoadedPolicy } from '../../lib/policy/load.js';
import { builtinPolicyDir, BUILTIN_POLICIES } from '../../lib/policy/builtin.js';
import { CLASSES } from '../../lib/classify/types.js';
import { makeTmpEnv } from './tmp-env.js';

// The shipped policies (policies/*.yaml): each loads, and each does what its
// header says.

function load(base: string, repoFrom?: string): LoadedPolicy {
  const t = makeTmpEnv();
  try {
    if (repoFrom) copyFileSync(repoFrom, t.repoPolicy);
    return loadPolicyFresh({ workspace: t.workspace, env: t.env, base });
  } finally {
    t.cleanup();
  }
}

const def = load('default');

for (const name of BUILTIN_POLICIES) {
  test(`${name}: loads, a rule for every class, nothing ignored`, () => {
    const p = load(name);
    assert.is(p.base, name);
    assert.equal(Object.keys(p.policy.rules!).sort(), [...CLASSES].sort());
    assert.equal(p.ignored, []);
    assert.is(p.files[0], join(builtinPolicyDir(), 'default.yaml'));
  });
}

test('strict only tightens default: as an untrusted repository layer over it, nothing but extends is ignored', () => {
  const p = load('default', join(builtinPolicyDir(), 'strict.yaml'));
  assert.equal(p.ignored.map((i) => i.key), ['extends']);
});

test('strict: unknown denied, smaller limits, main registries only, guard strict', () => {
  const p = load('strict');
  assert.is(p.policy.rules!.unknown!.action, 'deny');
  for (const profile of ['install', 'build']) {
    const strict = p.policy.profiles![profile]!.limits!;
    const base = def.policy.profiles![profile]!.limits!;
    for (const k of ['memory_mb', 'pids', 'wall_seconds'] as const) assert.ok(strict[k]! < base[k]!, `${profile}.${k}`);
    assert.ok(strict.cpu_seconds !== undefined, `${profile} has a CPU limit`);
  }
  assert.equal(p.policy.ecosystems!.npm!.domains, ['registry.npmjs.org']);
  assert.is(p.policy.profiles!.build!.network!.mode, 'off');
  assert.is(p.policy.guard!.strict, true);
});

test('ci: the same isolation as default, tools told not to prompt, first finding ends the session', () => {
  const p = load('ci');
  for (const profile of ['install', 'build']) {
    const { environment: ciEnv, ...ciRest } = p.policy.profiles![profile]!;
    const { environment: defEnv, ...defRest } = def.policy.profiles![profile]!;
    assert.equal(ciRest, defRest, `${profile}: same sandbox`);
    assert.equal({ ...ciEnv, set: undefined }, { ...defEnv, set: undefined }, `${profile}: same pass/deny`);
    assert.is(ciEnv!.set!.CI, 'true');
    assert.is(ciEnv!.set!.GIT_TERMINAL_PROMPT, '0');
  }
  assert.equal(p.policy.rules, def.policy.rules);
  assert.equal(p.policy.guard, { strict: true, kill_after: 1 });
});

test('demo: the install reaches only the npm registry, short limits, not strict', () => {
  const p = load('demo');
  const install = p.policy.profiles!.install!;
  assert.equal(install.network, { mode: 'allow', domains: ['registry.npmjs.org'], ecosystem_domains: false });
  assert.ok(install.limits!.wall_seconds! <= 120);
  assert.is(p.policy.guard!.strict, false);
});

test.run();
