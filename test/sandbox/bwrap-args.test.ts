import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bwrapArgs, isWithin, orderMounts, type BwrapLayout } from '../../lib/sandbox/bwrap-args.js';

const base: BwrapLayout = {
  hidden: ['/tmp', '/run', '/home/u'],
  workspace: '/home/u/proj',
  writable: [],
  masks: [],
  emptyFile: '/tmp/sbsh-stage-x/empty',
  cwd: '/home/u/proj',
  statusFd: 3,
  blockFd: 4,
  command: ['/bin/bash', '-c', 'true'],
};

function mounts(layout: BwrapLayout): string[] {
  return orderMounts(layout).map((op) => `${op.kind} ${op.dest}`);
}

function indexOfPair(args: string[], flag: string, value: string): number {
  return args.findIndex((a, i) => a === flag && args[i + 1] === value);
}

const orderCases: [string, Partial<BwrapLayout>, string[]][] = [
  ['workspace under HOME is bound after the HOME tmpfs', {}, ['tmpfs /tmp', 'tmpfs /run', 'tmpfs /home/u', 'ro-bind /home/u/proj']],
  [
    'writable binds after the workspace, deeper ones later',
    { writable: [{ source: '/home/u/proj/a/b', dest: '/home/u/proj/a/b' }, { source: '/home/u/proj/a', dest: '/home/u/proj/a' }] },
    ['tmpfs /tmp', 'tmpfs /run', 'tmpfs /home/u', 'ro-bind /home/u/proj', 'bind /home/u/proj/a', 'bind /home/u/proj/a/b'],
  ],
  [
    'a mask comes after the mount it sits in, also at equal depth',
    { masks: [{ path: '/home/u/proj/node_modules/.env', dir: false }, { path: '/home/u/proj/.npmrc', dir: false }], writable: [{ source: '/home/u/proj/node_modules', dest: '/home/u/proj/node_modules' }] },
    ['tmpfs /tmp', 'tmpfs /run', 'tmpfs /home/u', 'ro-bind /home/u/proj', 'bind /home/u/proj/node_modules', 'mask-file /home/u/proj/.npmrc', 'mask-file /home/u/proj/node_modules/.env'],
  ],
  [
    'a mask at the same path as a writable bind wins',
    { masks: [{ path: '/home/u/proj/secrets', dir: true }], writable: [{ source: '/home/u/proj/secrets', dest: '/home/u/proj/secrets' }] },
    ['tmpfs /tmp', 'tmpfs /run', 'tmpfs /home/u', 'ro-bind /home/u/proj', 'bind /home/u/proj/secrets', 'mask-dir /home/u/proj/secrets'],
  ],
  [
    'a cache bound from elsewhere lands inside the fresh HOME',
    { writable: [{ source: '/var/cache/sbsh/65533/.npm', dest: '/home/u/.npm' }] },
    ['tmpfs /tmp', 'tmpfs /run', 'tmpfs /home/u', 'ro-bind /home/u/proj', 'bind /home/u/.npm'],
  ],
];

for (const [name, patch, expected] of orderCases) {
  test(`mount order: ${name}`, () => {
    assert.equal(mounts({ ...base, ...patch }), expected);
  });
}

test('argv: read-only root, fresh /dev and /proc first; hardening flags; command after --', () => {
  const args = bwrapArgs(base);
  assert.equal(args.slice(0, 7), ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc']);
  for (const flag of ['--unshare-user', '--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent', '--new-session']) assert.ok(args.includes(flag), flag);
  // The network namespace is the monitor's, joined before bwrap starts (lib/net/monitor.ts).
  assert.not.ok(args.includes('--unshare-net') || args.includes('--unshare-all'));
  assert.ok(indexOfPair(args, '--block-fd', '4') > 0);
  assert.ok(indexOfPair(args, '--block-fd', '4') < args.indexOf('--'));
  assert.ok(indexOfPair(args, '--cap-drop', 'ALL') > 0);
  assert.ok(indexOfPair(args, '--json-status-fd', '3') > 0);
  assert.ok(indexOfPair(args, '--chdir', '/home/u/proj') > 0);
  assert.not.ok(args.includes('--share-net'));
  const dash = args.indexOf('--');
  assert.equal(args.slice(dash + 1), base.command);
});

test('argv: file masks bind the empty regular file, never /dev/null; dir masks are tmpfs made read-only last', () => {
  const args = bwrapArgs({
    ...base,
    masks: [{ path: '/home/u/proj/.env', dir: false }, { path: '/home/u/proj/.secrets', dir: true }],
    writable: [{ source: '/home/u/proj/.secrets/out', dest: '/home/u/proj/.secrets/out' }],
  });
  assert.ok(indexOfPair(args, '--ro-bind', base.emptyFile) > 0);
  assert.equal(args[indexOfPair(args, '--ro-bind', base.emptyFile) + 2], '/home/u/proj/.env');
  assert.not.ok(args.includes('/dev/null'));
  const tmpfs = indexOfPair(args, '--tmpfs', '/home/u/proj/.secrets');
  const inner = indexOfPair(args, '--bind', '/home/u/proj/.secrets/out');
  const ro = indexOfPair(args, '--remount-ro', '/home/u/proj/.secrets');
  assert.ok(tmpfs > 0 && inner > tmpfs && ro > inner, `${tmpfs} < ${inner} < ${ro}`);
});

test('argv: no environment values on the command line (other users can read it in ps)', () => {
  const args = bwrapArgs(base);
  for (const flag of ['--setenv', '--clearenv', '--unsetenv']) assert.not.ok(args.includes(flag), flag);
});

test('argv: relative command is refused', () => {
  assert.throws(() => bwrapArgs({ ...base, command: ['bash', '-c', 'x'] }), /absolute/);
});

test('isWithin', () => {
  assert.ok(isWithin('/a/b', '/a'));
  assert.ok(isWithin('/a', '/a'));
  assert.not.ok(isWithin('/ab', '/a'));
  assert.ok(isWithin('/x', '/'));
});

test.run();
