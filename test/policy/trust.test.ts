import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicyFresh } from '../../lib/policy/load.js';
import { trust } from '../../lib/policy/commands.js';
import { contentHash, configDir, trustStorePath } from '../../lib/policy/trust.js';
import { PolicyError } from '../../lib/policy/errors.js';
import { fixturesDir, makeTmpEnv, type TmpEnv, withEnv } from './tmp-env.js';

// Trust by content hash: a trusted repository file may loosen; any edit makes
// it untrusted again.

const BUILTIN = join(fixturesDir(), 'builtin');
const LOOSENING = 'profiles:\n  build:\n    network: { mode: allow, domains: [api.example.com] }\n    environment: { set: { NODE_ENV: test } }\n';


const load = (t: TmpEnv) => loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN });
const ctx = (t: TmpEnv) => ({ cwd: t.workspace, env: t.env, workspace: t.workspace, builtinDir: BUILTIN });

test('untrusted: loosening ignored; trusted: applied; one byte changed: ignored again', withEnv((t) => {
  t.write(t.repoPolicy, LOOSENING);
  const before = load(t);
  assert.is(before.policy.profiles!.build!.network!.mode, 'off');
  assert.equal(before.ignored.map((i) => i.key), ['profiles.build.environment.set.NODE_ENV', 'profiles.build.network.mode', 'profiles.build.network.domains']);

  const out = trust(ctx(t));
  assert.is(
    out,
    [
      `trusted ${t.repoPolicy} (${contentHash(Buffer.from(LOOSENING))})`,
      'These settings were ignored until now and will apply:',
      ...before.ignored.map((i) => `  - ${i.key}: ${i.why}`),
      'Any change to the file makes it untrusted again.',
      '',
    ].join('\n'),
  );
  const after = load(t);
  assert.is(after.policy.profiles!.build!.network!.mode, 'allow');
  assert.equal(after.policy.profiles!.build!.environment!.set, { NODE_ENV: 'test' });
  assert.equal(after.ignored, []);
  assert.equal(after.layers[after.layers.length - 1], { kind: 'repo', file: t.repoPolicy, trusted: true });

  writeFileSync(t.repoPolicy, LOOSENING.replace('test', 'tesT'));
  const edited = load(t);
  assert.is(edited.policy.profiles!.build!.network!.mode, 'off');
  assert.is(edited.ignored.length, 3);
}));

test('the store maps the absolute path to sha256 of the bytes, owner-only, under XDG_CONFIG_HOME', withEnv((t) => {
  const env = { ...t.env, XDG_CONFIG_HOME: join(t.root, 'xdg') };
  t.write(t.repoPolicy, LOOSENING);
  trust({ cwd: t.workspace, env, builtinDir: BUILTIN }, 'sbsh.yaml');
  const store = trustStorePath(env);
  assert.is(store, join(t.root, 'xdg', 'sbsh', 'trusted.json'));
  assert.equal(JSON.parse(readFileSync(store, 'utf8')), { version: 1, files: { [t.repoPolicy]: contentHash(Buffer.from(LOOSENING)) } });
  assert.is(statSync(store).mode & 0o777, 0o600);
  assert.is(configDir(t.env), join(t.home, '.config', 'sbsh'));
}));

test('a trusted repository may choose the base policy', withEnv((t) => {
  t.write(t.repoPolicy, 'extends: strict\n');
  assert.is(load(t).base, 'default');
  trust(ctx(t));
  assert.is(load(t).base, 'strict');
}));

test('trusting a missing or invalid file fails and records nothing', withEnv((t) => {
  assert.throws(() => trust(ctx(t)), (e: Error) => e instanceof PolicyError && e.message === `${t.repoPolicy}: no such file; create one with \`sbsh policy init\`, or name the policy file to trust`);
  t.write(t.repoPolicy, 'profiles:\n  build:\n    network: { mode: open }\n');
  assert.throws(() => trust(ctx(t)), (e: Error) => e instanceof PolicyError && e.message === `${t.repoPolicy}:3:22: profiles.build.network.mode: expected one of "off" | "allow", got "open"`);
  assert.throws(() => statSync(trustStorePath(t.env)));
}));

test('a repository whose sbsh.yaml links to a file trusted elsewhere is not trusted', withEnv((t) => {
  t.write(t.repoPolicy, LOOSENING);
  trust(ctx(t));
  const other = join(t.root, 'other-checkout');
  mkdirSync(other);
  symlinkSync(t.repoPolicy, join(other, 'sbsh.yaml'));
  const p = loadPolicyFresh({ workspace: other, env: t.env, builtinDir: BUILTIN });
  assert.equal(p.layers[p.layers.length - 1], { kind: 'repo', file: join(other, 'sbsh.yaml'), trusted: false });
  assert.is(p.policy.profiles!.build!.network!.mode, 'off');
}));

test('a malformed trust store is an error, not "nothing trusted"', withEnv((t) => {
  t.write(t.repoPolicy, 'version: 1\n');
  t.write(trustStorePath(t.env), '{"version":1,"files":{"/x":"md5:abc"}}');
  assert.throws(() => load(t), (e: Error) => e instanceof PolicyError && e.message.startsWith(`${trustStorePath(t.env)}: the trust store is malformed (`));
  t.write(trustStorePath(t.env), '{not json');
  assert.throws(() => load(t), (e: Error) => e instanceof PolicyError && e.message.startsWith(`${trustStorePath(t.env)}: the trust store is not valid JSON (`));
}));

test.run();
