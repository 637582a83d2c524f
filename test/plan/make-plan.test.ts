import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { makePlan, loadPolicy, findWorkspace, type PlanContext } from '../../lib/plan/index.js';
import { Plan } from '../../lib/plan/schema.js';
import { trust } from '../../lib/policy/commands.js';
import { PolicyError } from '../../lib/policy/errors.js';
import { SetupError } from '../../lib/sandbox/types.js';
import { makeTmpEnv, type TmpEnv } from '../policy/tmp-env.js';

// makePlan end to end: the real parser, classifier and built-in policies,
// a temporary git workspace, home and config directory.

const SECRETS = {
  GITHUB_TOKEN: 'ghp_secretvalue1',
  AWS_SECRET_ACCESS_KEY: 'awssecretvalue2',
  NPM_TOKEN: 'npmsecretvalue3',
  MY_SERVICE_API_KEY: 'apikeyvalue4',
  DATABASE_URL: 'postgres://u:pw@db/x',
  SSH_AUTH_SOCK: '/tmp/ssh-agent.sock',
};

function withWorkspace(fn: (t: TmpEnv, ctx: PlanContext) => Promise<void>): () => Promise<void> {
  return async () => {
    const t = makeTmpEnv({ LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TERM: 'xterm-256color', ...SECRETS });
    try {
      mkdirSync(join(t.workspace, '.git'));
      mkdirSync(join(t.workspace, 'src'));
      await fn(t, { cwd: join(t.workspace, 'src'), env: t.env });
    } finally {
      t.cleanup();
    }
  };
}

test('host-safe lines run on the host, with nothing to sandbox', withWorkspace(async (_t, ctx) => {
  for (const line of ['ls -la', 'git status', 'cat README.md | grep x']) {
    const p = await makePlan(line, ctx);
    assert.equal([p.action, p.class, p.backend, p.profile, p.sandbox], ['host', 'host-safe', 'host', null, null], line);
    assert.ok(p.reasons.length > 0, line);
  }
}));

test('dangerous lines are denied, with the guard finding as the first reason', withWorkspace(async (_t, ctx) => {
  for (const line of ['curl -fsSL https://get.example.com/install.sh | sh', 'echo pwned >> ~/.bashrc', 'rm -rf ~']) {
    const p = await makePlan(line, ctx);
    assert.equal([p.action, p.class, p.backend, p.profile, p.sandbox], ['deny', 'dangerous', null, null, null], line);
    assert.ok(p.reasons[0]!.rule.startsWith('guard.'), `${line}: ${p.reasons[0]!.rule}`);
  }
}));

test('an install is sandboxed in the git root, with the workspace .env files masked', withWorkspace(async (t, ctx) => {
  for (const f of ['.env', 'src/.env.local', 'certs/dev.pem', 'node_modules/pkg/.env', 'README.md']) t.write(join(t.workspace, f), 'x');
  const p = await makePlan('npm install', ctx);
  Plan.parse(p);
  assert.equal([p.action, p.class, p.backend, p.profile], ['sandbox', 'install', 'bwrap', 'install']);
  const s = p.sandbox!;
  assert.is(s.workspace, t.workspace, 'the git root, not cwd');
  assert.is(s.cwd, join(t.workspace, 'src'));
  assert.is(s.home, t.home);
  for (const f of ['.env', 'src/.env.local', 'certs/dev.pem']) assert.ok(s.masked.includes(join(t.workspace, f)), f);
  assert.not.ok(s.masked.includes(join(t.workspace, 'node_modules/pkg/.env')), 'node_modules is not walked');
  assert.not.ok(s.masked.includes(join(t.workspace, 'README.md')));
  assert.equal(s.exclude_patterns, (await loadPolicy(ctx)).policy.profiles!.install!.workspace!.exclude_paths, 'the profile\'s globs');
  assert.ok(s.writable.includes(join(t.workspace, 'node_modules')));
  assert.not.ok(s.writable.includes(t.workspace), 'the sources are not writable during an install');
  assert.ok(s.writable.every((w) => w.startsWith('/')), 'absolute');
  assert.is(s.no_new_privileges, true);
  assert.is(s.limits.memory_mb, 4096);
  assert.is(s.limits.cpu_seconds, null, 'unset is null');
}));

test('an install writes its own ecosystems\' paths only: npm gets node_modules, not .venv or target', withWorkspace(async (t, ctx) => {
  const cases: Array<[line: string, writable: string[], notWritable: string[]]> = [
    ['npm install', ['node_modules', 'package-lock.json', 'dist', '~/.npm'], ['.venv', 'target', 'vendor', '~/.cache/pip']],
    ['pip install -r requirements.txt', ['.venv', 'poetry.lock', '~/.cache/pip'], ['node_modules', 'package-lock.json', 'target']],
    ['npm ci && cargo fetch', ['node_modules', 'target', 'Cargo.lock', '~/.cargo/registry'], ['.venv', 'vendor']],
    ['npm ci && npm test', ['node_modules'], ['.venv', 'target']],
  ];
  const abs = (p: string) => (p.startsWith('~/') ? join(t.home, p.slice(2)) : join(t.workspace, p));
  for (const [line, yes, no] of cases) {
    const p = await makePlan(line, ctx);
    assert.is(p.profile, 'install', line);
    for (const w of yes) assert.ok(p.sandbox!.writable.includes(abs(w)), `${line}: ${w} should be writable`);
    for (const w of no) assert.not.ok(p.sandbox!.writable.includes(abs(w)), `${line}: ${w} should not be writable`);
  }
}));

test('credential directories outside the workspace are masked when they exist', withWorkspace(async (t, ctx) => {
  t.write(join(t.home, '.ssh', 'id_ed25519'), 'key');
  t.write(join(t.home, '.aws', 'credentials'), 'key');
  const s = (await makePlan('npm ci', ctx)).sandbox!;
  assert.ok(s.masked.includes(join(t.home, '.ssh')));
  assert.ok(s.masked.includes(join(t.home, '.aws')));
  assert.not.ok(s.masked.includes(join(t.home, '.gnupg')), 'absent ones are not listed');
}));

test('environment: secret-looking names are withheld, by name only', withWorkspace(async (_t, ctx) => {
  const p = await makePlan('npm test', ctx);
  const env = p.sandbox!.env;
  for (const name of ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM']) assert.ok(env.pass.includes(name), `passes ${name}`);
  for (const name of Object.keys(SECRETS)) {
    assert.ok(env.denied.includes(name), `withholds ${name}`);
    assert.not.ok(env.pass.includes(name), `does not pass ${name}`);
  }
  const json = JSON.stringify(p);
  for (const value of Object.values(SECRETS)) assert.not.ok(json.includes(value), 'no value appears in the plan');
}));

test('network: the domains of the line\'s ecosystems; builds have none', withWorkspace(async (_t, ctx) => {
  const npm = (await makePlan('npm install left-pad', ctx)).sandbox!.network;
  assert.is(npm.mode, 'allow');
  assert.ok(npm.domains.includes('registry.npmjs.org:443'));
  assert.not.ok(npm.domains.some((d) => d.startsWith('pypi.org')));
  const pip = (await makePlan('pip install requests', ctx)).sandbox!.network;
  assert.ok(pip.domains.includes('pypi.org:443') && pip.domains.includes('files.pythonhosted.org:443'));
  assert.not.ok(pip.domains.some((d) => d.startsWith('registry.npmjs.org')));
  const both = (await makePlan('npm ci && pip install -r requirements.txt', ctx)).sandbox!.network;
  assert.ok(both.domains.includes('registry.npmjs.org:443') && both.domains.includes('pypi.org:443'));
  const build = await makePlan('make', ctx);
  assert.equal([build.class, build.profile], ['build', 'build']);
  assert.equal(build.sandbox!.network, { mode: 'off', domains: [] });
}));

test('what sbsh cannot classify is sandboxed, never run on the host', withWorkspace(async (_t, ctx) => {
  const p = await makePlan('some-tool-nobody-knows --flag', ctx);
  assert.equal([p.action, p.class], ['sandbox', 'unknown']);
  const strict = await makePlan('some-tool-nobody-knows --flag', { ...ctx, policyName: 'strict' });
  assert.equal([strict.action, strict.class], ['deny', 'unknown']);
}));

test('an untrusted repository policy tightens and raises; its loosening is reported in the plan', withWorkspace(async (t, ctx) => {
  t.write(t.repoPolicy, [
    'profiles:',
    '  install:',
    '    network: { domains: [evil.example] }',
    '    limits: { memory_mb: 512 }',
    '    environment: { pass_through: [PATH, GITHUB_TOKEN] }',
    'classify:',
    '  rules:',
    '    - { id: npm-is-safe, class: host-safe, why: trust me, command: npm }',
    '    - { id: ls-is-build, class: build, why: our ls is a wrapper, command: ls }',
    '',
  ].join('\n'));
  const p = await makePlan('npm install', ctx);
  assert.equal([p.action, p.class], ['sandbox', 'install'], 'the rule lowering npm was ignored');
  assert.is(p.sandbox!.limits.memory_mb, 512);
  assert.equal(p.sandbox!.env.pass, ['PATH']);
  assert.ok(p.sandbox!.env.denied.includes('GITHUB_TOKEN'));
  assert.not.ok(p.sandbox!.network.domains.some((d) => d.startsWith('evil.example')), 'evil.example was not added');
  assert.ok(p.sandbox!.network.domains.includes('registry.npmjs.org:443'), 'the ecosystem domains still apply');
  assert.is(p.policy_files[p.policy_files.length - 1], t.repoPolicy);
  assert.equal(p.ignored.map((i) => i.key), ['profiles.install.environment.pass_through', 'profiles.install.network.domains', 'classify.rules.npm-is-safe']);
  const ls = await makePlan('ls', ctx);
  assert.equal([ls.action, ls.class, ls.reasons[0]!.rule], ['sandbox', 'build', 'ls-is-build'], 'raised by the repository rule');
  const git = await makePlan('git status', ctx);
  assert.is(git.action, 'host', 'other commands unchanged');
}));

test('a trusted repository policy may loosen; the plan follows the file as it is edited', withWorkspace(async (t, ctx) => {
  const text = 'profiles:\n  build:\n    network: { mode: allow, domains: [api.example.com] }\n';
  t.write(t.repoPolicy, text);
  assert.equal((await makePlan('make', ctx)).sandbox!.network, { mode: 'off', domains: [] });
  trust({ cwd: ctx.cwd, env: ctx.env });
  const trusted = await makePlan('make', ctx);
  assert.equal(trusted.sandbox!.network, { mode: 'allow', domains: ['api.example.com:443', 'api.example.com:80'] });
  assert.equal(trusted.ignored, []);
  t.write(t.repoPolicy, text.replace('api.example.com', 'api.example.org'));
  assert.equal((await makePlan('make', ctx)).sandbox!.network, { mode: 'off', domains: [] }, 'edited: untrusted again');
}));

test('a broken repository policy rejects the plan with a PolicyError', withWorkspace(async (t, ctx) => {
  t.write(t.repoPolicy, 'profiles:\n  install:\n    network: { mode: open }\n');
  try {
    await makePlan('ls', ctx);
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, PolicyError);
    assert.is((e as PolicyError).message, `${t.repoPolicy}:3:22: profiles.install.network.mode: expected one of "off" | "allow", got "open"`);
  }
}));

test('no HOME: fail closed before classifying', withWorkspace(async (t, ctx) => {
  const env = { ...ctx.env, HOME: undefined, XDG_CONFIG_HOME: join(t.root, 'xdg') };
  try {
    await makePlan('ls', { ...ctx, env });
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, SetupError);
  }
}));

test('workspace: git root, else cwd; an explicit one wins', withWorkspace(async (t, ctx) => {
  assert.is(findWorkspace(ctx.cwd), t.workspace);
  const bare = join(t.root, 'no-git');
  mkdirSync(bare);
  assert.is((await makePlan('make', { cwd: bare, env: ctx.env })).sandbox!.workspace, bare);
  assert.is((await makePlan('make', { ...ctx, workspace: join(t.workspace, 'src') })).sandbox!.workspace, join(t.workspace, 'src'));
  assert.is((await loadPolicy(ctx)).base, 'default');
}));

test.run();
