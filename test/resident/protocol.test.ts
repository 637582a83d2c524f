import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lineSplitter, parseEnviron, parseMessage, processDifferences, requestArgs, startTime, type ProcessFacts } from '../../lib/resident/protocol.js';
import { residentDir } from '../../lib/resident/server.js';

const messages: Array<[string, ReturnType<typeof parseMessage>]> = [
  ['run 123 11 2', { type: 'run', pid: 123, fd: 11, argc: 2 }],
  ['run 1 3 5', { type: 'run', pid: 1, fd: 3, argc: 5 }],
  ['go 123', { type: 'go', pid: 123 }],
  ['sig 123 INT', { type: 'sig', pid: 123, signal: 'SIGINT' }],
  ['sig 123 TERM', { type: 'sig', pid: 123, signal: 'SIGTERM' }],
  ['sig 123 HUP', { type: 'sig', pid: 123, signal: 'SIGHUP' }],
  ['sig 123 KILL', null],
  ['sig 123 SIGINT', null],
  ['run 0 11 2', null],
  ['run -5 11 2', null],
  ['run 123 0 2', null],
  ['run 0123 11 2', null],
  ['run 123 11', null],
  ['run 123 11 2 extra', null],
  ['run 99999999999 11 2', null],
  ['run 123 11 2\r', null],
  ['run  123 11 2', null],
  ['go', null],
  ['go x', null],
  ['', null],
  ['stop', null],
];
for (const [line, want] of messages) {
  test(`parseMessage ${JSON.stringify(line)}`, () => assert.equal(parseMessage(line), want));
}

test('lineSplitter: lines split across chunks, several in one chunk, and an over-long line dropped whole', () => {
  const s = lineSplitter(10);
  assert.equal(s.push(Buffer.from('go 1\ngo')), ['go 1']);
  assert.equal(s.push(Buffer.from(' 2\nsig 3 INT\n')), ['go 2', 'sig 3 INT']);
  assert.equal(s.push(Buffer.from('x'.repeat(8))), []);
  assert.equal(s.push(Buffer.from('yyyy')), [], 'past the limit: dropped');
  assert.equal(s.push(Buffer.from('zz\ngo 4\n')), ['go 4'], 'the rest of the long line is dropped too, the next line kept');
});

const nul = (...xs: string[]) => Buffer.from(xs.map((x) => `${x}\0`).join(''));
const requests: Array<[string, Buffer, number, ReturnType<typeof requestArgs>]> = [
  ['shebang', nul('bash', '/r/bin/sbsh', '-c', 'npm install'), 2, { script: '/r/bin/sbsh', line: 'npm install', positional: [] }],
  ['positional arguments', nul('bash', '/r/bin/sbsh', '-c', 'echo "$1"', 'name', 'a b', ''), 5, { script: '/r/bin/sbsh', line: 'echo "$1"', positional: ['name', 'a b', ''] }],
  ['bash with options before the script', nul('bash', '-e', '/r/bin/sbsh', '-c', 'x'), 2, { script: '/r/bin/sbsh', line: 'x', positional: [] }],
  ['a line with newlines and non-ASCII', nul('bash', 's', '-c', 'a\nb é'), 2, { script: 's', line: 'a\nb é', positional: [] }],
  ['an empty line', nul('bash', 's', '-c', ''), 2, { script: 's', line: '', positional: [] }],
  ['not -c', nul('bash', 's', 'plan', 'x'), 2, null],
  ['argc counts more than there are', nul('bash', '-c', 'x'), 3, null],
  ['argc leaves no script', nul('-c', 'x'), 2, null],
  ['argc below 2', nul('bash', 's', '-c', 'x'), 1, null],
];
for (const [name, cmdline, argc, want] of requests) {
  test(`requestArgs: ${name}`, () => assert.equal(requestArgs(cmdline, argc), want));
}

test('parseEnviron: values may hold = and newlines; entries without a name or = are left out', () => {
  assert.equal(parseEnviron(nul('A=1', 'B=x=y', 'C=', 'D=a\nb', 'noequals', '=v')), { A: '1', B: 'x=y', C: '', D: 'a\nb' });
  assert.equal(parseEnviron(Buffer.alloc(0)), {});
});

test('startTime: field 22, with spaces and parentheses in the command name', () => {
  const rest = Array.from({ length: 50 }, (_, i) => String(i + 3)).join(' ');
  assert.is(startTime(`42 (a b) c) ${rest}`), '22');
  assert.is(startTime(`42 (bash) ${rest}`), '22');
  assert.is(startTime('garbage'), null);
  assert.is(startTime('42 (bash) S 1 2'), null);
});

const STATUS = ['Name:\tbash', 'Umask:\t0022', 'State:\tS (sleeping)', 'Uid:\t1000\t1000\t1000\t1000', 'Gid:\t1000\t1000\t1000\t1000', 'Groups:\t27 1000 ', 'CapInh:\t0000000000000000', 'CapPrm:\t0000000000000000', 'CapEff:\t0000000000000000', 'CapBnd:\t000001ffffffffff', 'CapAmb:\t0000000000000000', 'NoNewPrivs:\t0', 'Seccomp:\t0', 'VmRSS:\t 4000 kB'].join('\n');
const LIMITS = ['Limit                     Soft Limit           Hard Limit           Units     ', 'Max cpu time              unlimited            unlimited            seconds   ', 'Max open files            1024                 524288               files     ', 'Max processes             62000                62000                processes '].join('\n');
const NS = { mnt: 'mnt:[1]', pid: 'pid:[2]', net: 'net:[3]', user: 'user:[4]', ipc: 'ipc:[5]', uts: 'uts:[6]', cgroup: 'cgroup:[7]' };
const resident: ProcessFacts = { status: STATUS, limits: LIMITS, namespaces: NS };
const swap = (text: string, from: string, to: string) => {
  if (!text.includes(from)) throw new Error(`fixture lacks ${from}`);
  return text.replace(from, to);
};
const differences: Array<[string, Partial<ProcessFacts>, string[]]> = [
  ['the same process facts', {}, []],
  ['other lines of status (state, memory) do not count', { status: swap(swap(STATUS, 'S (sleeping)', 'R (running)'), '4000', '9000') }, []],
  ['a soft limit on open files (node raises it to the hard one)', { limits: swap(LIMITS, '1024     ', '4096     ') }, []],
  ['a hard limit on open files', { limits: swap(LIMITS, '524288', '100000') }, ['resource limits']],
  ['another limit', { limits: swap(LIMITS, '62000                62000', '100                  100  ') }, ['resource limits']],
  ['a limit missing', { limits: LIMITS.split('\n').slice(0, 3).join('\n') }, ['resource limits']],
  ['umask', { status: swap(STATUS, 'Umask:\t0022', 'Umask:\t0077') }, ['Umask: 0077 (resident: 0022)']],
  ['uid', { status: swap(STATUS, 'Uid:\t1000\t1000\t1000\t1000', 'Uid:\t1000\t0\t1000\t1000') }, ['Uid: 1000\t0\t1000\t1000 (resident: 1000\t1000\t1000\t1000)']],
  ['groups', { status: swap(STATUS, 'Groups:\t27 1000 ', 'Groups:\t1000 ') }, ['Groups: 1000 (resident: 27 1000)']],
  ['no_new_privs set', { status: swap(STATUS, 'NoNewPrivs:\t0', 'NoNewPrivs:\t1') }, ['NoNewPrivs: 1 (resident: 0)']],
  ['a seccomp filter', { status: swap(STATUS, 'Seccomp:\t0', 'Seccomp:\t2') }, ['Seccomp: 2 (resident: 0)']],
  ['a smaller bounding set', { status: swap(STATUS, 'CapBnd:\t000001ffffffffff', 'CapBnd:\t0000000000000000') }, ['CapBnd: 0000000000000000 (resident: 000001ffffffffff)']],
  ['a line missing from the client', { status: swap(STATUS, 'Seccomp:\t0\n', '') }, ['Seccomp: unknown (resident: 0)']],
  ['another mount namespace', { namespaces: { ...NS, mnt: 'mnt:[9]' } }, ['mnt namespace']],
  ['another network namespace', { namespaces: { ...NS, net: 'net:[9]' } }, ['net namespace']],
  ['a namespace that cannot be read', { namespaces: { ...NS, user: null } }, ['user namespace']],
];
for (const [name, client, want] of differences) {
  test(`processDifferences: ${name}`, () => assert.equal(processDifferences(resident, { ...resident, ...client }), want));
}
test('processDifferences: a namespace the resident cannot read counts, even when the client cannot either', () => {
  const blind = { ...resident, namespaces: { ...NS, ipc: null } };
  assert.equal(processDifferences(blind, blind), ['ipc namespace']);
});

const dirs: Array<[NodeJS.ProcessEnv, string]> = [
  [{ XDG_RUNTIME_DIR: '/run/user/1000' }, '/run/user/1000/sbsh-resident'],
  [{}, '/tmp/sbsh-resident-1000'],
  [{ XDG_RUNTIME_DIR: '' }, '/tmp/sbsh-resident-1000'],
  // Elsewhere it could be inside a workspace, which sandboxes see.
  [{ XDG_RUNTIME_DIR: '/home/u/run' }, '/tmp/sbsh-resident-1000'],
  [{ XDG_RUNTIME_DIR: '/run/../home/u' }, '/tmp/sbsh-resident-1000'],
  [{ XDG_RUNTIME_DIR: 'run/user/1000' }, '/tmp/sbsh-resident-1000'],
  [{ XDG_RUNTIME_DIR: '/run/..' }, '/tmp/sbsh-resident-1000'],
  [{ XDG_RUNTIME_DIR: '/run/user/./1000' }, '/tmp/sbsh-resident-1000'],
  [{ XDG_RUNTIME_DIR: '/run//user/1000' }, '/tmp/sbsh-resident-1000'],
  [{ XDG_RUNTIME_DIR: '/run/user/1000/' }, '/run/user/1000/sbsh-resident'],
];
for (const [env, want] of dirs) {
  test(`residentDir ${JSON.stringify(env)}`, () => assert.is(residentDir(env, 1000), want));
}

test.run();
