import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findWorkspace } from '../../lib/plan/workspace.js';
import { findExcluded } from '../../lib/plan/excluded.js';
import { planEnv } from '../../lib/plan/env-plan.js';
import { planNetwork } from '../../lib/plan/network-plan.js';
import { resolveBackend } from '../../lib/plan/backend.js';
import { planSandbox } from '../../lib/plan/sandbox-plan.js';
import { SetupError } from '../../lib/sandbox/types.js';
import { makeTmpEnv, type TmpEnv, withEnv } from '../policy/tmp-env.js';

// The planner's parts that need no parser or classifier.


test('findWorkspace: the nearest .git above (directory or file), else cwd', withEnv((t) => {
  const deep = join(t.workspace, 'a', 'b');
  mkdirSync(deep, { recursive: true });
  assert.is(findWorkspace(deep), deep, 'no .git anywhere above: cwd');
  mkdirSync(join(t.workspace, '.git'));
  assert.is(findWorkspace(deep), t.workspace);
  assert.is(findWorkspace(t.workspace + '/a/../a/b/'), t.workspace);
  writeFileSync(join(t.workspace, 'a', '.git'), 'gitdir: ../.git/worktrees/a\n');
  assert.is(findWorkspace(deep), join(t.workspace, 'a'), 'a worktree or submodule has a .git file');
}));

function tree(t: TmpEnv, files: string[]): void {
  for (const f of files) t.write(join(t.workspace, f), 'x');
}

test('findExcluded: globs at any depth, matched dirs listed whole, node_modules and .git not entered', withEnv((t) => {
  tree(t, ['.env', '.env.local', 'app/.env', 'app/src/key.pem', 'secrets/a/b.txt', 'node_modules/pkg/.env', '.git/.env', 'README.md', 'docs/env.md']);
  const got = findExcluded(t.workspace, ['.env', '.env.*', '*.pem', 'secrets/']);
  assert.equal(got, ['.env', '.env.local', 'app/.env', 'app/src/key.pem', 'secrets'].map((f) => join(t.workspace, f)));
  assert.equal(findExcluded(t.workspace, ['node_modules']), [join(t.workspace, 'node_modules')]);
  assert.equal(findExcluded(t.workspace, []), []);
}));

test('findExcluded: a cached walk sees a file created later', withEnv((t) => {
  tree(t, ['app/x.txt', 'app/deep/y.txt']);
  const old = new Date(Date.now() - 60_000);
  for (const d of ['app/deep', 'app', '.']) utimesSync(join(t.workspace, d), old, old);
  assert.equal(findExcluded(t.workspace, ['.env']), []);
  assert.equal(findExcluded(t.workspace, ['.env']), [], 'served from the cache');
  writeFileSync(join(t.workspace, 'app', 'deep', '.env'), 'SECRET=1');
  assert.equal(findExcluded(t.workspace, ['.env']), [join(t.workspace, 'app/deep/.env')]);
}));

test('findExcluded: too many entries fails closed with a fix', withEnv((t) => {
  tree(t, ['a', 'b', 'c', 'd/e', 'd/f']);
  assert.throws(() => findExcluded(t.workspace, ['.env'], 5), (e: Error) => e instanceof SetupError && e.message.includes('more than 5 entries') && /smaller checkout/.test(e.fix));
  assert.equal(findExcluded(t.workspace, ['.env'], 6), []);
}));

test('planEnv: pass only allowed names; deny wins over pass and set; names only', () => {
  const env = {
    PATH: '/bin', HOME: '/h', LANG: 'C', LC_ALL: 'C', GITHUB_TOKEN: 'ghp_x', AWS_SECRET_ACCESS_KEY: 's', NPM_CONFIG_REGISTRY: 'r',
    NPM_CONFIG__AUTHTOKEN: 't', SSH_AUTH_SOCK: '/s', UNSET: undefined,
  };
  const spec = {
    pass_through: ['PATH', 'HOME', 'LANG', 'LC_*', 'NPM_CONFIG_*', 'GITHUB_TOKEN'],
    deny: ['*TOKEN*', '*SECRET*', 'SSH_*'],
    set: { CI: '1', NPM_TOKEN: 'oops' },
  };
  assert.equal(planEnv(env, spec), {
    pass: ['HOME', 'LANG', 'LC_ALL', 'NPM_CONFIG_REGISTRY', 'PATH'],
    set: { CI: '1' },
    denied: ['AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'NPM_CONFIG__AUTHTOKEN', 'SSH_AUTH_SOCK'],
  });
  assert.equal(planEnv(env, undefined), { pass: [], set: {}, denied: Object.keys(env).filter((k) => k !== 'UNSET').sort() });
});

test('planNetwork: off is empty; allow adds the ecosystems of the reasons when asked', () => {
  const ecosystems = { npm: { domains: ['registry.npmjs.org'] }, pypi: { domains: ['pypi.org', 'files.pythonhosted.org:443'] } };
  const reasons = [
    { rule: 'npm-install', class: 'install' as const, command: 'npm ci', why: 'w', ecosystem: 'npm' },
    { rule: 'pip', class: 'install' as const, command: 'pip install x', why: 'w', ecosystem: 'pypi' },
    { rule: 'cat', class: 'host-safe' as const, command: 'cat x', why: 'w' },
    { rule: 'x', class: 'build' as const, command: 'x', why: 'w', ecosystem: 'unknown-eco' },
  ];
  assert.equal(planNetwork({ mode: 'off', domains: ['a.com'], ecosystem_domains: true }, ecosystems, reasons), { mode: 'off', domains: [] });
  assert.equal(planNetwork(undefined, ecosystems, reasons), { mode: 'off', domains: [] });
  assert.equal(planNetwork({ mode: 'allow', domains: ['*.corp.example:8443'], ecosystem_domains: true }, ecosystems, reasons), {
    mode: 'allow',
    domains: ['*.corp.example:8443', 'files.pythonhosted.org:443', 'pypi.org:443', 'pypi.org:80', 'registry.npmjs.org:443', 'registry.npmjs.org:80'],
  });
  assert.equal(planNetwork({ mode: 'allow', domains: ['a.com:443'] }, ecosystems, reasons), { mode: 'allow', domains: ['a.com:443'] });
});

test('resolveBackend: auto is the platform sandbox; others as named; none elsewhere', () => {
  assert.is(resolveBackend('auto', 'linux'), 'bwrap');
  assert.is(resolveBackend('auto', 'darwin'), 'seatbelt');
  assert.is(resolveBackend('podman', 'linux'), 'podman');
  assert.throws(() => resolveBackend('auto', 'win32'), (e: Error) => e instanceof SetupError && /win32/.test(e.message) && /backend/.test(e.fix));
});

test('planSandbox: absolute writable paths, masks that exist, defaults when unset', withEnv((t) => {
  t.write(join(t.home, '.ssh', 'id_ed25519'), 'k');
  t.write(join(t.workspace, '.env'), 'S=1');
  const profile = {
    workspace: { writable_paths: ['.', '~/.npm', 'dist/', '/tmp/cache', '.'], exclude_paths: ['.env'] },
    mask_paths: ['~/.ssh', '~/.aws', '/nonexistent/creds'],
  };
  const s = planSandbox({ workspace: t.workspace, cwd: join(t.workspace, 'sub'), home: t.home, env: t.env, profile, ecosystems: {}, reasons: [] });
  assert.equal(s.writable, ['/tmp/cache', join(t.home, '.npm'), t.workspace, join(t.workspace, 'dist')].sort());
  assert.equal(s.masked, [join(t.home, '.ssh'), join(t.workspace, '.env')].sort());
  assert.equal(s.exclude_patterns, ['.env']);
  assert.is(s.home, t.home);
  assert.is(s.cwd, join(t.workspace, 'sub'));
  assert.is(s.no_new_privileges, true, 'default');
  assert.equal(s.limits, { memory_mb: null, pids: null, cpu_seconds: null, wall_seconds: null });
  assert.equal(s.network, { mode: 'off', domains: [] });
}));

test('planSandbox: ecosystem paths, only with ecosystem_paths, only the line\'s ecosystems (every one for a line of none)', withEnv((t) => {
  const ecosystems = { npm: { writable_paths: ['node_modules', '~/.npm'] }, pypi: { writable_paths: ['.venv'] }, go: { domains: ['proxy.golang.org'] } };
  const ws = (p: string) => join(t.workspace, p);
  const cases: Array<[name: string, ecosystemPaths: boolean | undefined, reasonEcosystems: Array<string | undefined>, writable: string[]]> = [
    ['off by default', undefined, ['npm'], [ws('dist')]],
    ['off', false, ['npm'], [ws('dist')]],
    ['npm only', true, ['npm'], [ws('dist'), ws('node_modules'), join(t.home, '.npm')]],
    ['npm twice and pypi', true, ['npm', 'pypi', 'npm'], [ws('dist'), ws('node_modules'), join(t.home, '.npm'), ws('.venv')]],
    ['an ecosystem without paths', true, ['go'], [ws('dist')]],
    ['no ecosystem: every one', true, [undefined], [ws('dist'), ws('node_modules'), join(t.home, '.npm'), ws('.venv')]],
    ['no reasons: every one', true, [], [ws('dist'), ws('node_modules'), join(t.home, '.npm'), ws('.venv')]],
  ];
  for (const [name, ecosystemPaths, ecos, writable] of cases) {
    const profile = { workspace: { writable_paths: ['dist'], ...(ecosystemPaths === undefined ? {} : { ecosystem_paths: ecosystemPaths }) } };
    const reasons = ecos.map((e) => ({ rule: 'r', class: 'install' as const, command: 'x', why: 'w', ...(e ? { ecosystem: e } : {}) }));
    const s = planSandbox({ workspace: t.workspace, cwd: t.workspace, home: t.home, env: t.env, profile, ecosystems, reasons });
    assert.equal(s.writable, writable.sort(), name);
  }
}));

test.run();
