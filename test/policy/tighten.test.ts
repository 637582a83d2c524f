import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadPolicyFresh, type LoadedPolicy } from '../../lib/policy/load.js';
import { fixturesDir, makeTmpEnv } from './tmp-env.js';

// An untrusted repository policy over the test base policy
// (test/fixtures/policies/builtin/default.yaml): each case lists the repo
// file, the merged values it must produce and the keys it must be reported
// for (in order). A value that should not change is asserted too, so a
// loosening that slipped through fails the case.

const BUILTIN = join(fixturesDir(), 'builtin');

interface Case {
  name: string;
  repo: string;
  expect: Array<[path: string, value: unknown]>;
  ignored: string[];
}

const P = 'profiles.install';

const CASES: Case[] = [
  {
    name: 'a stricter action applies',
    repo: 'rules:\n  build: { action: deny }\n  host-safe: { action: sandbox, profile: build }\n',
    expect: [['rules.build.action', 'deny'], ['rules.host-safe', { action: 'sandbox', profile: 'build' }]],
    ignored: [],
  },
  {
    name: 'a looser action is ignored',
    repo: 'rules:\n  install: { action: host }\n  dangerous: { action: sandbox, profile: build }\n',
    expect: [['rules.install', { action: 'sandbox', profile: 'install' }], ['rules.dangerous', { action: 'deny' }]],
    ignored: ['rules.install.action', 'rules.dangerous.action'],
  },
  {
    name: 'switching a sandbox rule to another profile is ignored',
    repo: 'rules:\n  build: { action: sandbox, profile: install }\n',
    expect: [['rules.build.profile', 'build']],
    ignored: ['rules.build.profile'],
  },
  {
    name: 'a new profile, and a rule that uses it, are ignored',
    repo: 'profiles:\n  mine: { network: { mode: allow, domains: [evil.com] } }\nrules:\n  host-safe: { action: sandbox, profile: mine }\n',
    expect: [['profiles.mine', undefined], ['rules.host-safe', { action: 'host' }]],
    ignored: ['rules.host-safe', 'profiles.mine'],
  },
  {
    name: 'backend: only a VM is stronger',
    repo: 'profiles:\n  install: { backend: docker }\n  build: { backend: ssh }\n',
    expect: [[`${P}.backend`, 'auto'], ['profiles.build.backend', 'ssh']],
    ignored: [`${P}.backend`],
  },
  {
    name: 'writable paths: only paths inside the ones below survive',
    repo: `profiles:\n  install:\n    workspace:\n      writable_paths: [node_modules, "./dist/", "~/.npm/_cacache", "../outside", /etc, "~/.ssh"]\n`,
    expect: [[`${P}.workspace.writable_paths`, ['node_modules', 'dist', '~/.npm/_cacache']]],
    ignored: [`${P}.workspace.writable_paths`, `${P}.workspace.writable_paths`, `${P}.workspace.writable_paths`],
  },
  {
    name: 'exclude and mask paths: union',
    repo: 'profiles:\n  install:\n    workspace: { exclude_paths: ["*.pem", .env] }\n    mask_paths: ["~/.aws"]\n',
    expect: [[`${P}.workspace.exclude_paths`, ['.env', '*.pem']], [`${P}.mask_paths`, ['~/.ssh', '~/.aws']]],
    ignored: [],
  },
  {
    name: 'pass_through: intersection; literal names inside a glob below are fine',
    repo: 'profiles:\n  install:\n    environment:\n      pass_through: [PATH, LC_ALL, NPM_CONFIG_REGISTRY, AWS_SECRET_ACCESS_KEY, "NPM_*", "LC_*"]\n',
    expect: [[`${P}.environment.pass_through`, ['PATH', 'LC_ALL', 'NPM_CONFIG_REGISTRY', 'LC_*']]],
    ignored: [`${P}.environment.pass_through`, `${P}.environment.pass_through`],
  },
  {
    name: 'environment.set: every new or changed value is ignored; the same value is not reported',
    repo: 'profiles:\n  install:\n    environment:\n      set: { NODE_OPTIONS: "--require ./pwn.js", CI: "1", LD_PRELOAD: /tmp/x.so }\n',
    expect: [[`${P}.environment.set`, { CI: '1' }]],
    ignored: [`${P}.environment.set.NODE_OPTIONS`, `${P}.environment.set.LD_PRELOAD`],
  },
  {
    name: 'environment.deny: union',
    repo: 'profiles:\n  install:\n    environment: { deny: ["AWS_*", "*TOKEN*"] }\n',
    expect: [[`${P}.environment.deny`, ['*TOKEN*', '*SECRET*', 'AWS_*']]],
    ignored: [],
  },
  {
    name: 'network mode: off beats allow',
    repo: 'profiles:\n  build: { network: { mode: allow } }\n  install: { network: { mode: off } }\n',
    expect: [['profiles.build.network.mode', 'off'], [`${P}.network.mode`, 'off']],
    ignored: ['profiles.build.network.mode'],
  },
  {
    name: 'domains: intersection (a wildcard covers names below it, not the bare suffix)',
    repo: 'profiles:\n  install:\n    network:\n      domains: [api.example.org, "a.b.example.org:443", evil.com, example.org]\n',
    expect: [[`${P}.network.domains`, ['a.b.example.org:443', 'api.example.org:443', 'api.example.org:80']]],
    ignored: [`${P}.network.domains`, `${P}.network.domains`],
  },
  {
    name: 'ecosystem_domains: false beats true',
    repo: 'profiles:\n  build: { network: { ecosystem_domains: true } }\n  install: { network: { ecosystem_domains: false } }\n',
    expect: [['profiles.build.network.ecosystem_domains', undefined], [`${P}.network.ecosystem_domains`, false]],
    ignored: ['profiles.build.network.ecosystem_domains'],
  },
  {
    name: 'no_new_privileges: true wins (and is the default)',
    repo: 'profiles:\n  install: { no_new_privileges: false }\n  build: { no_new_privileges: false }\n',
    expect: [[`${P}.no_new_privileges`, true], ['profiles.build.no_new_privileges', undefined]],
    ignored: [`${P}.no_new_privileges`, 'profiles.build.no_new_privileges'],
  },
  {
    name: 'limits: the smaller wins; a limit where there was none applies',
    repo: 'profiles:\n  install:\n    limits: { memory_mb: 8192, wall_seconds: 60, pids: 256 }\n',
    expect: [[`${P}.limits`, { memory_mb: 4096, wall_seconds: 60, pids: 256 }]],
    ignored: [`${P}.limits.memory_mb`],
  },
  {
    name: 'guard: strict wins, kill_after only lower',
    repo: 'guard: { strict: true, kill_after: 50 }\n',
    expect: [['guard', { strict: true, kill_after: 5 }]],
    ignored: ['guard.kill_after'],
  },
  {
    name: 'extends is ignored',
    repo: 'extends: strict\n',
    expect: [['rules.unknown.action', 'sandbox']],
    ignored: ['extends'],
  },
  {
    name: 'ecosystem writable paths: none can be added',
    repo: 'ecosystems:\n  npm: { writable_paths: [node_modules, .venv] }\n  evil: { writable_paths: [src] }\n',
    expect: [['ecosystems.npm.writable_paths', undefined], ['ecosystems.npm.domains', ['registry.npmjs.org']], ['ecosystems.evil', undefined]],
    ignored: ['ecosystems.npm.writable_paths', 'ecosystems.npm.writable_paths', 'ecosystems.evil'],
  },
  {
    name: 'ecosystem_paths: true is not stricter than false',
    repo: 'profiles:\n  install: { workspace: { ecosystem_paths: true } }\n',
    expect: [[`${P}.workspace.ecosystem_paths`, undefined]],
    ignored: [`${P}.workspace.ecosystem_paths`],
  },
  {
    name: 'ecosystems: no new ones, domains only narrowed',
    repo: 'ecosystems:\n  evil: { domains: [evil.com] }\n  pypi: { domains: [pypi.org, evil.com] }\n',
    expect: [['ecosystems.evil', undefined], ['ecosystems.pypi.domains', ['pypi.org:443', 'pypi.org:80']]],
    ignored: ['ecosystems.evil', 'ecosystems.pypi.domains'],
  },
  {
    name: 'classify.guard: lists that add findings grow, exemptions only shrink',
    repo: 'classify:\n  guard:\n    fetchers: [curl, my-fetch]\n    harmless_targets: [/dev/null, /home]\n    bin_dirs: [./node_modules/.bin]\n',
    expect: [
      ['classify.guard.fetchers', ['curl', 'wget', 'my-fetch']],
      ['classify.guard.harmless_targets', ['/dev/null']],
      ['classify.guard.bin_dirs', ['/usr/bin', '/bin']],
    ],
    ignored: ['classify.guard.harmless_targets', 'classify.guard.bin_dirs'],
  },
  {
    name: 'repeating the values below changes and reports nothing',
    repo: 'version: 1\nrules:\n  install: { action: sandbox, profile: install }\nprofiles:\n  install:\n    backend: auto\n    network: { mode: allow, domains: ["*.example.org"], ecosystem_domains: true }\n    no_new_privileges: true\n',
    expect: [[`${P}.network.domains`, ['*.example.org']]],
    ignored: [],
  },
];

function load(repo: string): LoadedPolicy {
  const t = makeTmpEnv();
  try {
    t.write(t.repoPolicy, repo);
    return loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN });
  } finally {
    t.cleanup();
  }
}

function at(root: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], root);
}

for (const c of CASES) {
  test(c.name, () => {
    const p = load(c.repo);
    for (const [path, value] of c.expect) assert.equal(at(p.policy, path), value, path);
    assert.equal(p.ignored.map((i) => i.key), c.ignored);
    for (const i of p.ignored) {
      assert.ok(i.file.endsWith('/ws/sbsh.yaml'), i.file);
      assert.ok(i.why.length > 20, `a reason for ${i.key}`);
    }
  });
}

test('over a user layer that grants them, a repository may remove ecosystem paths and turn ecosystem_paths off, not more', () => {
  const t = makeTmpEnv();
  try {
    t.write(t.userPolicy, 'ecosystems:\n  npm: { writable_paths: [node_modules, package-lock.json] }\nprofiles:\n  install: { workspace: { ecosystem_paths: true } }\n');
    t.write(t.repoPolicy, 'ecosystems:\n  npm: { writable_paths: [node_modules, .venv] }\nprofiles:\n  install: { workspace: { ecosystem_paths: false } }\n');
    const p = loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN });
    assert.equal(p.policy.ecosystems!.npm!.writable_paths, ['node_modules']);
    assert.is(p.policy.profiles!.install!.workspace!.ecosystem_paths, false);
    assert.equal(p.ignored.map((i) => i.key), ['ecosystems.npm.writable_paths']);
    assert.match(p.ignored[0]!.why, /"\.venv" is not among the writable paths below it/);
  } finally {
    t.cleanup();
  }
});

test('ignored entries say what was refused and why', () => {
  const p = load('profiles:\n  install:\n    network:\n      domains: [evil.com]\n    limits: { memory_mb: 9000 }\n    environment: { set: { NODE_OPTIONS: "-r x" } }\nrules:\n  install: { action: host }\n');
  assert.equal(
    p.ignored.map((i) => `${i.key}: ${i.why}`),
    [
      'rules.install.action: host would loosen sandbox for install commands; an untrusted repository may only make it stricter (host < sandbox < deny)',
      'profiles.install.environment.set.NODE_OPTIONS: setting NODE_OPTIONS inside the sandbox can change what runs there (NODE_OPTIONS, LD_PRELOAD and the like load code); run `sbsh trust` to accept this file as it is',
      'profiles.install.network.domains: evil.com:443, evil.com:80 (from "evil.com") is not allowed below it; an untrusted repository may only remove domains',
      'profiles.install.limits.memory_mb: 9000 is above the limit below it (4096); an untrusted repository may only lower limits',
    ],
  );
});

test('classification rules: a repository may only raise a class', () => {
  const p = load(
    [
      'classify:',
      '  rules:',
      '    - { id: curl-is-safe, class: host-safe, why: trust me, command: curl }',
      '    - { id: npm-install-safe, class: host-safe, why: trust me, command: npm, subcommand: install }',
      '    - { id: npm-test-build, class: build, why: lowers npm install too, command: npm }',
      '    - { id: cat, class: install, why: redefines a base rule, command: cat }',
      '    - { id: git-status, command: git, class: host-safe, subcommand: status, why: reads the repository state }',
      '    - { id: codegen, class: build, why: runs repo code, command: codegen }',
      '    - { id: setup, class: build, why: runs a repo script, command: ./setup.sh, ecosystem: npm }',
      '    - { id: make-installs, class: install, why: gets the install profile, command: make }',
      '    - { id: guard.cat-secrets, class: dangerous, why: reads secrets, command: cat, argv: "secrets" }',
      '    - { id: local-npm, class: build, why: a repo-local npm, command: npm, where: [workspace] }',
    ].join('\n') + '\n',
  );
  assert.equal(p.ignored.map((i) => i.key), [
    'classify.rules.curl-is-safe',
    'classify.rules.npm-install-safe',
    'classify.rules.npm-test-build',
    'classify.rules.cat',
    'classify.rules.setup.ecosystem',
    'classify.rules.make-installs',
  ]);
  assert.match(p.ignored[5]!.why, /install profile, which reaches package registries/);
  assert.is(p.ignored[0]!.why, `would classify "curl" as host-safe, below unknown; an untrusted repository may only raise a command's class`);
  assert.is(p.ignored[1]!.why, `would classify "npm install" as host-safe, below install; an untrusted repository may only raise a command's class`);
  assert.equal(p.raiseOnlyRules.map((r) => r.id), ['codegen', 'setup', 'guard.cat-secrets', 'local-npm']);
  assert.is(p.raiseOnlyRules[1]!.ecosystem, undefined, 'the ecosystem is stripped');
  // The trusted rule set is untouched: raise-only rules are kept apart.
  assert.equal(p.policy.classify!.rules!.map((r) => r.id), ['npm-install', 'npm-run', 'pip-install', 'cat', 'git-status']);
  assert.is(p.policy.classify!.rules!.find((r) => r.id === 'cat')!.class, 'host-safe');
  assert.equal(p.origins['classify.rules.codegen'], { layer: 'repo', file: p.files[p.files.length - 1] });
});

test.run();
