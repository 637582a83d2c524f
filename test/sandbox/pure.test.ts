import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sandboxEnv } from '../../lib/sandbox/sandbox-env.js';
import { chooseSandboxUser, DEDICATED, dropPrivilegesArgv, permits } from '../../lib/sandbox/identity.js';
import { ancestry, blockedOnTheWay, classifyWritable, missingKind, visibleInside } from '../../lib/sandbox/paths.js';
import { checkSample, prlimitArgs } from '../../lib/sandbox/limits.js';
import { parseOwners } from '../../lib/sandbox/ownership.js';
import { NO_LIMITS } from './plans.js';

const env = suite('sandboxEnv');
const caller = { PATH: '/usr/bin', AWS_SECRET_ACCESS_KEY: 's3cr3t', LANG: 'C', GITHUB_TOKEN: 'ghp', HOME: '/home/u' };
const envCases: [string, Parameters<typeof sandboxEnv>[0], Record<string, string>, Record<string, string>][] = [
  ['only pass names the caller has', { pass: ['PATH', 'MISSING'], set: {}, denied: [] }, {}, { PATH: '/usr/bin' }],
  ['denied beats pass', { pass: ['PATH', 'GITHUB_TOKEN'], set: {}, denied: ['GITHUB_TOKEN'] }, {}, { PATH: '/usr/bin' }],
  ['denied beats set', { pass: [], set: { GITHUB_TOKEN: 'x', CI: '1' }, denied: ['GITHUB_TOKEN'] }, {}, { CI: '1' }],
  ['set overrides pass', { pass: ['LANG'], set: { LANG: 'C.UTF-8' }, denied: [] }, {}, { LANG: 'C.UTF-8' }],
  ['fixed values (HOME, proxy) are sbsh\'s own', { pass: ['HOME'], set: { HOME: '/x' }, denied: [] }, { HOME: '/home/u' }, { HOME: '/home/u' }],
  ['nothing else leaks', { pass: [], set: {}, denied: [] }, {}, {}],
];
for (const [name, plan, fixed, expected] of envCases) env(name, () => assert.equal(sandboxEnv(plan, caller, fixed), expected));
env.run();

const id = suite('identity');
id('a normal user runs the sandbox as itself', () => {
  assert.equal(chooseSandboxUser({ uid: 1000, gid: 1000 }, { uid: 0, gid: 0 }), { uid: 1000, gid: 1000, why: 'caller' });
});
id('root in a user\'s workspace runs it as that user', () => {
  assert.equal(chooseSandboxUser({ uid: 0, gid: 0 }, { uid: 1001, gid: 100 }), { uid: 1001, gid: 100, why: 'workspace-owner' });
});
id('root in a root-owned workspace gets the dedicated uid, never 0', () => {
  const u = chooseSandboxUser({ uid: 0, gid: 0 }, { uid: 0, gid: 0 });
  assert.equal(u, { ...DEDICATED, why: 'dedicated' });
  assert.ok(u.uid !== 0 && u.gid !== 0);
});
id('setpriv prefix only when root changes uid', () => {
  assert.equal(dropPrivilegesArgv('/usr/bin/setpriv', { uid: 1000, gid: 1000 }, { uid: 1000, gid: 1000, why: 'caller' }), []);
  assert.equal(dropPrivilegesArgv('/usr/bin/setpriv', { uid: 0, gid: 0 }, { uid: 65533, gid: 65533, why: 'dedicated' }), [
    '/usr/bin/setpriv', '--reuid=65533', '--regid=65533', '--clear-groups', '--',
  ]);
});
const permCases: [string, { mode: number; uid: number; gid: number }, number, boolean][] = [
  ['owner bits for the owner', { mode: 0o700, uid: 5, gid: 5 }, 5, true],
  ['other bits for others', { mode: 0o700, uid: 0, gid: 0 }, 5, false],
  ['group bits for the group', { mode: 0o750, uid: 0, gid: 7 }, 1, true],
  ['other x is enough to pass', { mode: 0o711, uid: 0, gid: 0 }, 1, true],
];
for (const [name, st, want, ok] of permCases) id(`permits: ${name}`, () => assert.is(permits(st, { uid: 5, gid: 7 }, want), ok));
id('blockedOnTheWay names the first directory the uid cannot pass', () => {
  const chain = [
    { path: '/', mode: 0o40755, uid: 0, gid: 0, dir: true },
    { path: '/root', mode: 0o40700, uid: 0, gid: 0, dir: true },
    { path: '/root/p', mode: 0o40755, uid: 0, gid: 0, dir: true },
  ];
  assert.match(blockedOnTheWay(chain, { uid: 65533, gid: 65533 }) ?? '', /^\/root \(mode 0700, owner 0:0\) does not let uid 65533 through/);
  assert.is(blockedOnTheWay(chain.filter((n) => n.path !== '/root'), { uid: 65533, gid: 65533 }), null);
  assert.match(blockedOnTheWay([chain[0]!, { ...chain[2]!, mode: 0o40700 }], { uid: 65533, gid: 65533 }) ?? '', /read it/);
});
id('ancestry', () => assert.equal(ancestry('/a/b'), ['/', '/a', '/a/b']));
id.run();

const paths = suite('paths');
const ws = '/home/u/proj';
const home = '/home/u';
const writableCases: [string, string, string][] = [
  ['node_modules', `${ws}/node_modules`, 'workspace'],
  ['a cache under HOME', `${home}/.npm`, 'home'],
  ['the workspace root', ws, 'error'],
  ['a parent of the workspace', home, 'error'],
  ['/ itself', '/', 'error'],
  ['outside both', '/etc', 'error'],
  ['host /tmp', '/tmp', 'error'],
  ['a sibling with a common prefix', `${ws}-other/x`, 'home'],
  ['not normalized', `${ws}/a/../../x`, 'error'],
  ['relative', 'node_modules', 'error'],
];
for (const [name, p, kind] of writableCases) {
  paths(`classifyWritable: ${name}`, () => {
    const c = classifyWritable(p, ws, home);
    assert.is('error' in c ? 'error' : c.kind, kind, JSON.stringify(c));
  });
}
const kindCases: [string, 'file' | 'dir'][] = [
  ['package-lock.json', 'file'], ['yarn.lock', 'file'], ['Cargo.lock', 'file'], ['go.sum', 'file'],
  ['.pnp.cjs', 'file'], ['.yarn/install-state.gz', 'file'], ['tsconfig.tsbuildinfo', 'file'],
  ['node_modules', 'dir'], ['.venv', 'dir'], ['target', 'dir'], ['dist', 'dir'], ['.pnpm-store', 'dir'], ['.yarn/cache', 'dir'], ['__pycache__', 'dir'],
];
for (const [name, kind] of kindCases) paths(`missingKind ${name}`, () => assert.is(missingKind(`${ws}/${name}`), kind));
paths('visibleInside: HOME credentials are already gone, workspace and binds are not', () => {
  const hidden = ['/tmp', home];
  const bound = [ws, `${home}/.npm`];
  assert.not.ok(visibleInside(`${home}/.ssh`, hidden, bound));
  assert.ok(visibleInside(`${ws}/.env`, hidden, bound));
  assert.ok(visibleInside(`${home}/.npm/_authToken`, hidden, bound));
  assert.ok(visibleInside('/etc/secret', hidden, bound));
  assert.not.ok(visibleInside('/tmp/x', hidden, bound));
});
paths.run();

const limits = suite('limits');
limits('prlimit: nothing when no limit is set (no extra exec)', () => assert.equal(prlimitArgs('/usr/bin/prlimit', NO_LIMITS), []));
limits('prlimit: data, nproc, cpu soft:hard', () => {
  assert.equal(prlimitArgs('/usr/bin/prlimit', { ...NO_LIMITS, memory_mb: 2, pids: 50, cpu_seconds: 10, wall_seconds: 5 }), [
    '/usr/bin/prlimit', `--data=${2 * 1024 * 1024}`, '--nproc=50', '--cpu=10:11', '--',
  ]);
});
const sample = { tasks: 10, rssKb: 50 * 1024, maxDataKb: 20 * 1024, cpuSeconds: 1 };
const sampleCases: [string, Partial<typeof sample>, Partial<typeof NO_LIMITS>, string[]][] = [
  ['within every limit', {}, { memory_mb: 100, pids: 20, cpu_seconds: 5 }, []],
  ['no limits, nothing to say', { tasks: 10_000, rssKb: 1e9 }, {}, []],
  ['total memory over the limit kills', { rssKb: 120 * 1024 }, { memory_mb: 100 }, ['memory:kill']],
  ['one process near its data limit is reported', { maxDataKb: 95 * 1024 }, { memory_mb: 100 }, ['memory:report']],
  ['tasks at the pids limit', { tasks: 20 }, { pids: 20 }, ['pids:report']],
  ['cpu used up kills', { cpuSeconds: 5.2 }, { cpu_seconds: 5 }, ['cpu:kill']],
];
for (const [name, s, l, expected] of sampleCases) {
  limits(`checkSample: ${name}`, () => {
    const got = checkSample({ ...sample, ...s }, { ...NO_LIMITS, ...l }).map((v) => `${v.rule}:${v.kill ? 'kill' : 'report'}`);
    assert.equal(got, expected);
  });
}
limits.run();

const own = suite('ownership');
own('parseOwners reads find -printf records, spaces and newlines in names included', () => {
  assert.equal(parseOwners('1000 100 /w/a b\0' + '0 0 /w/new\nline\0'), [
    { uid: 1000, gid: 100, path: '/w/a b' },
    { uid: 0, gid: 0, path: '/w/new\nline' },
  ]);
  assert.equal(parseOwners(''), []);
});
own.run();
