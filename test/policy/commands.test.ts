import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { policyCheck, policyInit, policySchema, policyShow } from '../../lib/policy/commands.js';
import { loadPolicyFresh } from '../../lib/policy/load.js';
import { parseLayer } from '../../lib/policy/layer.js';
import { PolicyError } from '../../lib/policy/errors.js';
import { STARTER_POLICY } from '../../lib/policy/starter.js';
import { fixturesDir, makeTmpEnv, type TmpEnv, withEnv } from './tmp-env.js';

const BUILTIN = join(fixturesDir(), 'builtin');


const ctx = (t: TmpEnv) => ({ cwd: t.workspace, env: t.env, builtinDir: BUILTIN });
const USER = 'profiles:\n  install:\n    limits: { memory_mb: 8192 }\n';
const REPO = 'profiles:\n  install:\n    limits: { memory_mb: 9000, pids: 64 }\nclassify:\n  rules:\n    - { id: codegen, class: build, why: runs repo code, command: codegen }\n';

test('policy schema: JSON Schema of a layer, strict objects, enums spelled out', () => {
  const s = JSON.parse(policySchema());
  assert.is(s.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(Object.keys(s.properties), ['version', 'extends', 'classify', 'rules', 'profiles', 'ecosystems', 'guard']);
  assert.is(s.additionalProperties, false);
  const profile = s.properties.profiles.additionalProperties;
  assert.is(profile.additionalProperties, false);
  assert.equal(profile.properties.network.properties.mode.enum, ['off', 'allow']);
  assert.equal(s.properties.rules.propertyNames.enum, ['host-safe', 'unknown', 'build', 'install', 'dangerous']);
});

test('policy show: YAML of the merged policy, each value marked with its layer', withEnv((t) => {
  t.write(t.userPolicy, USER);
  t.write(t.repoPolicy, REPO);
  const text = policyShow(ctx(t));
  const lines = text.split('\n');
  assert.ok(lines.includes(`# repo             ${t.repoPolicy} (untrusted: may only tighten)`), text);
  assert.ok(lines.includes('      memory_mb: 8192 # user'));
  assert.ok(lines.includes('      pids: 64 # repo'));
  assert.ok(lines.includes('      wall_seconds: 1800 # builtin:default'));
  assert.ok(lines.includes('    - id: codegen # repo (untrusted: may only raise a class)'));
  assert.ok(lines.includes(`#   ${t.repoPolicy}: profiles.install.limits.memory_mb: 9000 is above the limit below it (8192); an untrusted repository may only lower limits`));
  const data = parseYaml(text);
  assert.is(data.profiles.install.limits.memory_mb, 8192);
  // The shown policy is itself a valid policy file.
  parseLayer(Buffer.from(text), 'show.yaml', 'user');
}));

test('policy show --json: policy, origins per key, raise-only rules, ignored', withEnv((t) => {
  t.write(t.userPolicy, USER);
  t.write(t.repoPolicy, REPO);
  const j = JSON.parse(policyShow(ctx(t), { json: true }));
  assert.equal(Object.keys(j), ['base', 'files', 'layers', 'policy', 'raise_only_rules', 'origins', 'ignored']);
  assert.equal(j.origins['profiles.install.limits.memory_mb'], { layer: 'user', file: t.userPolicy });
  assert.equal(j.origins['profiles.install.limits.pids'], { layer: 'repo', file: t.repoPolicy });
  assert.equal(j.raise_only_rules.map((r: { id: string }) => r.id), ['codegen']);
  assert.equal(j.ignored.map((i: { key: string }) => i.key), ['profiles.install.limits.memory_mb']);
}));

test('policy check: the layers and what was ignored; a file on its own', withEnv((t) => {
  t.write(t.repoPolicy, REPO);
  assert.is(
    policyCheck(ctx(t)),
    [
      'policy ok: 2 file(s) merged, base default',
      `  builtin  ${join(BUILTIN, 'default.yaml')}`,
      `  repo     ${t.repoPolicy} (untrusted: may only tighten)`,
      'ignored (an untrusted policy tried to loosen these; `sbsh trust` applies them):',
      '  - profiles.install.limits.memory_mb: 9000 is above the limit below it (4096); an untrusted repository may only lower limits',
      '',
    ].join('\n'),
  );
  assert.is(policyCheck(ctx(t), 'sbsh.yaml'), `${t.repoPolicy}: ok\n`);
  t.write(t.repoPolicy, 'rules: { build: { action: maybe } }\n');
  assert.throws(() => policyCheck(ctx(t)), (e: Error) => e instanceof PolicyError && e.message === `${t.repoPolicy}:1:27: rules.build.action: expected one of "host" | "sandbox" | "deny", got "maybe"`);
}));

test('policy init: writes the starter once, refuses to overwrite', withEnv((t) => {
  assert.is(policyInit(ctx(t)), `wrote ${t.repoPolicy}\nCheck it with \`sbsh policy check\`; as a repository policy it can only tighten the sandbox.\n`);
  assert.is(readFileSync(t.repoPolicy, 'utf8'), STARTER_POLICY);
  assert.throws(() => policyInit(ctx(t)), (e: Error) => e instanceof PolicyError && e.message === `${t.repoPolicy}: already exists; edit it, or move it away to start again from the template`);
  assert.is(readFileSync(t.repoPolicy, 'utf8'), STARTER_POLICY);
}));

test('policy init output loads over the shipped built-in policies with nothing ignored', withEnv((t) => {
  policyInit({ cwd: t.workspace, env: t.env });
  for (const base of ['default', 'strict', 'ci', 'demo']) {
    const p = loadPolicyFresh({ workspace: t.workspace, env: t.env, base });
    assert.equal(p.ignored, [], base);
    for (const profile of ['install', 'build']) {
      assert.equal(p.origins[`profiles.${profile}.workspace.exclude_paths`], { layer: 'repo', file: t.repoPolicy }, `${base} ${profile}`);
      assert.ok(p.policy.profiles![profile]!.workspace!.exclude_paths!.includes('secrets/'));
    }
  }
}));

test.run();
