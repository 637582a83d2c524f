import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { skipWithReason } from '../helpers/skip.js';
import { backendFor } from '../../lib/sandbox/index.js';
import { sandboxPlan, type PlanInput } from './plans.js';
import { drive, makeWorld, processesNamed, processesWith, put, ROOT, testUser, waitFor, type DriveOptions, type User, type World } from './harness.js';

// The bwrap backend for real: every test starts drive.ts (what `sbsh -c`
// does) as root and as a normal user, and checks from the host.

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function canary(): string {
  return `canary${randomBytes(8).toString('hex')}`;
}

/** A shell snippet: a process named `marker` that sleeps (so `ps` on the host can find it). */
function sleeper(marker: string, seconds = 300): string {
  return `(exec -a ${marker} sleep ${seconds})`;
}

function planIn(world: World, line: string, extra: Partial<PlanInput> = {}) {
  return sandboxPlan(line, { workspace: world.ws, home: world.home, ...extra });
}

function opts(world: World, user: User, extra: Partial<DriveOptions> = {}): DriveOptions {
  return { as: user, env: { PATH: SYSTEM_PATH, HOME: world.home, LANG: 'C' }, ...extra };
}

function limitEvents(events: { type: string; kind?: string; rule?: string }[]): string[] {
  return events.filter((e) => e.type === 'violation' && e.kind === 'limit').map((e) => e.rule!);
}

function ownersUnder(dir: string): Set<string> {
  const out = new Set<string>();
  const walk = (p: string) => {
    const st = lstatSync(p);
    out.add(`${st.uid}:${st.gid}`);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
  return out;
}

function realRuns(user: User): void {
  const s = suite(`bwrap as ${user.name}`);
  let world: World;
  s.before.each(() => {
    world = makeWorld(user);
  });
  s.after.each(() => world.cleanup());

  s('exit status is the command\'s own', async () => {
    const r = await drive(planIn(world, 'exit 7'), opts(world, user));
    assert.is(r.status, 7, r.stderr);
    const starts = r.events.filter((e) => e.type === 'start');
    assert.is(starts.length, 1, 'exactly one start event');
  });

  s('stdin passes through; cwd and paths are the same inside', async () => {
    const sub = join(world.ws, 'sub');
    mkdirSync(sub);
    const r = await drive(sandboxPlan('read x; echo "got:$x"; pwd', { workspace: world.ws, home: world.home, cwd: sub }), opts(world, user, { stdin: 'hello\n' }));
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, `got:hello\n${sub}\n`);
  });

  s('network allow: the registry through the monitor\'s bridge and the proxy; a direct connect is refused; both logged', async () => {
    const line = `curl -sS -o /dev/null -w '%{http_code}\\n' https://registry.npmjs.org/is-number; (exec 3<>/dev/tcp/127.0.0.1/9) 2>/dev/null || echo refused`;
    const r = await drive(planIn(world, line, { network: { mode: 'allow', domains: ['registry.npmjs.org:443'] } }), opts(world, user));
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, '200\nrefused\n');
    const net = r.events.filter((e) => e.type === 'network') as Array<{ protocol: string; host: string; port: number; allowed: boolean }>;
    assert.ok(net.some((e) => e.protocol === 'connect' && e.host === 'registry.npmjs.org' && e.allowed), JSON.stringify(net));
    assert.ok(net.some((e) => e.protocol === 'tcp' && e.host === '127.0.0.1' && e.port === 9 && !e.allowed), JSON.stringify(net));
  });

  s('unprivileged inside: non-zero uid, /etc/shadow unreadable, no capabilities, no_new_privs', async () => {
    const line = 'id -u; cat /etc/shadow >/dev/null 2>&1 && echo shadow-read || echo shadow-denied; grep -E "^(NoNewPrivs|CapEff|CapBnd):" /proc/self/status';
    const r = await drive(planIn(world, line), opts(world, user));
    assert.is(r.status, 0, r.stderr);
    const [uid, shadow, ...status] = r.stdout.trim().split('\n');
    assert.ok(Number(uid) !== 0, `uid inside is ${uid}`);
    assert.is(shadow, 'shadow-denied');
    assert.equal(status.map((l) => l.replace(/\s+/g, ' ')), ['CapEff: 0000000000000000', 'CapBnd: 0000000000000000', 'NoNewPrivs: 1']);
  });

  s('environment rebuilt: denied names absent, also via /proc/*/environ; host processes invisible', async () => {
    const secret = canary();
    const hostSleep = canary();
    const sleeper = (await import('node:child_process')).spawn('sleep', ['300', hostSleep], { stdio: 'ignore', env: { SECRET_TOKEN: secret } });
    try {
      const line = 'env; cat /proc/[0-9]*/environ 2>/dev/null | tr "\\0" "\\n"; ps -eo args; kill -0 ' + sleeper.pid + ' 2>&1 || echo no-such-pid';
      const plan = planIn(world, line, { env: { pass: ['PATH', 'PASSED', 'SECRET_TOKEN'], set: { SET_BY_POLICY: 'yes' }, denied: ['SECRET_TOKEN'] } });
      const r = await drive(plan, opts(world, user, { env: { PATH: SYSTEM_PATH, HOME: world.home, SECRET_TOKEN: secret, PASSED: 'p1' } }));
      assert.is(r.status, 0, r.stderr);
      assert.not.ok(r.stdout.includes(secret), 'secret visible inside');
      assert.not.ok(r.stdout.includes(hostSleep), 'host process visible inside');
      assert.ok(r.stdout.includes('PASSED=p1'));
      assert.ok(r.stdout.includes('SET_BY_POLICY=yes'));
      assert.ok(r.stdout.includes(`HOME=${world.home}`));
      assert.ok(r.stdout.includes('no-such-pid'));
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  s('filesystem: only writable paths persist; masks read empty; fresh HOME, /tmp and /run', async () => {
    const secret = canary();
    put(world, join(world.ws, '.env'), `TOKEN=${secret}\n`);
    put(world, join(world.ws, 'src.js'), 'original\n');
    put(world, join(world.home, '.bashrc'), 'rc\n');
    mkdirSync(join(world.home, '.ssh'));
    put(world, join(world.home, '.ssh', 'id_rsa'), secret);
    const hostTmp = join('/tmp', canary());
    const line = [
      'cat .env; cat ~/.ssh/id_rsa 2>/dev/null; ls -A ~ | tr "\\n" " "; echo',
      'for f in new-file src.js .git-hooks-test; do echo x >> "$f" 2>/dev/null && echo "wrote $f"; done',
      'echo x > ../outside',
      `echo x > ${hostTmp} && echo wrote-tmp`,
      'echo x >> ~/.bashrc && echo wrote-home',
      'ls -A /run | wc -l',
      'echo built > node_modules/out.js && echo wrote-node_modules',
      'echo "{}" > package-lock.json && echo wrote-lock',
    ].join('\n');
    const plan = planIn(world, line, {
      writable: [join(world.ws, 'node_modules'), join(world.ws, 'package-lock.json'), join(world.home, '.npm')],
      masked: [join(world.ws, '.env'), join(world.home, '.ssh')],
    });
    const r = await drive(plan, opts(world, user));
    assert.is(r.status, 0, r.stderr);
    assert.not.ok(r.stdout.includes(secret), r.stdout);
    const lines = r.stdout.split('\n');
    assert.ok(lines.includes('.npm '), `fresh HOME lists only the bound cache: ${lines[0]}|${lines[1]}`);
    for (const w of ['wrote-tmp', 'wrote-home', 'wrote-node_modules', 'wrote-lock']) assert.ok(lines.includes(w), w);
    for (const w of ['wrote new-file', 'wrote src.js', 'wrote .git-hooks-test']) assert.not.ok(lines.includes(w), w);
    assert.ok(lines.includes('0'), '/run is empty inside');
    // From the host: nothing outside the writable paths changed.
    assert.not.ok(existsSync(join(world.ws, 'new-file')));
    assert.not.ok(existsSync(join(world.base, 'outside')), 'the directory above the workspace is a private tmpfs inside');
    assert.is(readFileSync(join(world.ws, 'src.js'), 'utf8'), 'original\n');
    assert.is(readFileSync(join(world.home, '.bashrc'), 'utf8'), 'rc\n');
    assert.not.ok(existsSync(hostTmp));
    assert.is(readFileSync(join(world.ws, 'node_modules', 'out.js'), 'utf8'), 'built\n');
    assert.is(readFileSync(join(world.ws, 'package-lock.json'), 'utf8'), '{}\n');
    // Everything written belongs to the workspace's owner afterwards, mode without setuid.
    assert.equal([...ownersUnder(world.ws)], [`${user.uid}:${user.gid}`]);
    assert.is(statSync(join(world.ws, 'package-lock.json')).mode & 0o7777, 0o644);
  });

  s('a package cache under HOME persists across runs, in a cache only sandboxes use (never the host\'s own)', async () => {
    const name = canary();
    const plan = planIn(world, `echo warm > ~/.npm/${name} && cat ~/.npm/${name}`, { writable: [join(world.home, '.npm')] });
    const r = await drive(plan, opts(world, user));
    assert.is(r.status, 0, r.stderr);
    const hostCache = user.uid === 0 ? '/var/cache/sbsh/65533/.npm' : join(world.home, '.cache', 'sbsh', 'sandbox-home', '.npm');
    const cached = join(hostCache, name);
    try {
      assert.is(readFileSync(cached, 'utf8'), 'warm\n');
      assert.not.ok(existsSync(join(world.home, '.npm', name)), "the host's own npm cache is not the sandbox's");
      const again = await drive(planIn(world, `cat ~/.npm/${name}`, { writable: [join(world.home, '.npm')] }), opts(world, user));
      assert.is(again.stdout, 'warm\n');
    } finally {
      rmSync(cached, { force: true });
    }
  });

  // As root only: the sandbox then runs as another uid, which must pass
  // through the directories sbsh makes (as a user it is the same uid).
  if (user.uid === 0) s('as root with umask 077, a writable path under a directory that does not exist yet is still reachable, and what is written stays', async () => {
    const cache = join(world.ws, 'deps', '.cache');
    const old = process.umask(0o077);
    let r;
    try {
      r = await drive(planIn(world, 'echo kept > deps/.cache/file && echo ok', { writable: [cache] }), opts(world, user));
    } finally {
      process.umask(old);
    }
    try {
      assert.is(r.status, 0, r.stderr);
      assert.is(r.stdout, 'ok\n');
      assert.is(readFileSync(join(cache, 'file'), 'utf8'), 'kept\n');
      assert.equal([...ownersUnder(join(world.ws, 'deps'))], [`${user.uid}:${user.gid}`]);
    } finally {
      rmSync(join(world.ws, 'deps'), { recursive: true, force: true });
    }
  });

  s('a writable file nobody wrote leaves nothing behind', async () => {
    const lock = join(world.ws, 'package-lock.json');
    const r = await drive(planIn(world, 'test -f package-lock.json && test ! -s package-lock.json && echo empty-placeholder', { writable: [lock] }), opts(world, user));
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, 'empty-placeholder\n');
    assert.not.ok(existsSync(lock));
  });

  s('nothing is left running after the command exits', async () => {
    const marker = canary();
    const r = await drive(planIn(world, `(setsid bash -c '${sleeper(marker)}' >/dev/null 2>&1 &); nohup bash -c '${sleeper(marker)}' >/dev/null 2>&1 & echo started`), opts(world, user));
    assert.is(r.status, 0, r.stderr);
    assert.ok(await waitFor(() => processesWith(marker).length === 0, 2000), processesWith(marker).join('\n'));
  });

  for (const [sig, status] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]] as const) {
    s(`${sig} reaches the sandboxed command: status ${status}, nothing left`, async () => {
      const marker = canary();
      const r = await drive(planIn(world, `${sleeper(marker)}; echo not-reached`), opts(world, user, {
        onSpawn: (child) => {
          // Once the command itself runs (bwrap's own argv contains the marker too).
          void waitFor(() => processesNamed(marker).length > 0, 10_000).then(() => child.kill(sig));
        },
      }));
      assert.is(r.status, status, r.stderr);
      assert.not.ok(r.stdout.includes('not-reached'));
      assert.ok(await waitFor(() => processesWith(marker).length === 0, 2000), processesWith(marker).join('\n'));
    });
  }

  s('SIGTERM while the sandbox is still being set up: 143, nothing left', async () => {
    const marker = canary();
    const r = await drive(planIn(world, `${sleeper(marker)}; echo not-reached`), opts(world, user, {
      onSpawn: (child) => {
        void waitFor(() => processesWith(marker).length > 0, 10_000).then(() => child.kill('SIGTERM'));
      },
    }));
    assert.is(r.status, 143, r.stderr);
    assert.not.ok(r.stdout.includes('not-reached'));
    assert.ok(await waitFor(() => processesWith(marker).length === 0, 2000), processesWith(marker).join('\n'));
  });

  s('wall-clock limit kills the whole sandbox and is reported', async () => {
    const marker = canary();
    const r = await drive(planIn(world, `${sleeper(marker)} & ${sleeper(marker)}`, { limits: { wall_seconds: 1 } }), opts(world, user));
    assert.is(r.status, 137, r.stderr);
    assert.ok(r.ms < 10_000, `${r.ms} ms`);
    assert.equal(limitEvents(r.events), ['limits.wall']);
    assert.match(r.stderr, /sbsh: wall limit: .*1 s/);
    assert.ok(await waitFor(() => processesWith(marker).length === 0, 2000));
  });

  s('pids limit: forks beyond it fail, and it is reported', async () => {
    // bash gives up (status 254) when a fork keeps failing.
    const r = await drive(planIn(world, `bash -c 'for i in $(seq 60); do sleep 2 & done; wait' 2>/dev/null; echo "inner $?"`, { limits: { pids: 20 } }), opts(world, user));
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, 'inner 254\n');
    assert.ok(limitEvents(r.events).includes('limits.pids'), JSON.stringify(r.events));
    assert.match(r.stderr, /sbsh: pids limit/);
  });

  s('memory limit: the sandbox\'s total is enforced and reported', async () => {
    const hold = `node -e 'const b=Buffer.alloc(60<<20,1); setTimeout(()=>b, 20000)'`;
    const r = await drive(planIn(world, `${hold} & ${hold} & ${hold} & wait`, { limits: { memory_mb: 150 }, env: { pass: ['PATH'] } }), opts(world, user));
    assert.is(r.status, 137, r.stderr);
    assert.ok(limitEvents(r.events).includes('limits.memory'), JSON.stringify(r.events));
    assert.match(r.stderr, /sbsh: memory limit: .*over the 150 MB limit; sandbox killed/);
  });

  s('memory limit: one process cannot allocate past it', async () => {
    const r = await drive(planIn(world, `node -e 'const a=[]; for(;;) a.push(Buffer.alloc(1<<20,1))' 2>/dev/null; echo "status $?"`, { limits: { memory_mb: 150 } }), opts(world, user));
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /^status (13[0-9]|1)$/m, 'node died at the limit');
  });

  s('cpu limit: stopped and reported', async () => {
    const r = await drive(planIn(world, 'while :; do :; done', { limits: { cpu_seconds: 1 } }), opts(world, user));
    assert.ok(r.status === 137 || r.status === 152, `status ${r.status}`);
    assert.equal(limitEvents(r.events), ['limits.cpu']);
  });

  s('bwrap not on PATH: SetupError, 125, nothing ran anywhere', async () => {
    const marker = join(world.ws, canary());
    const r = await drive(planIn(world, `touch ${marker}`), opts(world, user, { env: { PATH: '/nonexistent', HOME: world.home } }));
    assert.is(r.status, 125);
    assert.match(r.stderr, /bwrap is not on PATH/);
    assert.match(r.stderr, /apt-get install -y bubblewrap/);
    assert.not.ok(existsSync(marker));
    assert.ok(r.events.some((e) => e.type === 'violation' && e.kind === 'setup'));
    assert.not.ok(r.events.some((e) => e.type === 'start'));
  });

  s('bwrap failing before the command starts: 125, not its exit status 1', async () => {
    const bin = join(world.base, 'fakebin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'bwrap'), '#!/bin/sh\necho "bwrap: simulated setup failure" >&2\nexit 1\n', { mode: 0o755 });
    const marker = join(world.ws, canary());
    const r = await drive(planIn(world, `touch ${marker}`), opts(world, user, { env: { PATH: `${bin}:${SYSTEM_PATH}`, HOME: world.home } }));
    assert.is(r.status, 125, r.stderr);
    assert.match(r.stderr, /could not set up the sandbox/);
    assert.not.ok(existsSync(marker));
  });

  s('a writable path that is the workspace root is refused', async () => {
    const r = await drive(planIn(world, 'true', { writable: [world.ws] }), opts(world, user));
    assert.is(r.status, 125);
    assert.match(r.stderr, /workspace root/);
  });

  s.run();
}

const root = process.getuid?.() === 0;
if (root) realRuns(ROOT);
else realRuns({ name: `uid ${process.getuid?.()}`, uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 });

const normal = root ? testUser() : null;
if (normal) realRuns(normal);
else {
  const s = suite('bwrap as a normal user');
  skipWithReason(s, 'bwrap as a normal user', root ? `useradd ${'sbshtest'} failed` : 'not root: cannot switch to the test user');
  s.run();
}

const probe = suite('probe');
probe('probe runs a trivial sandbox for real, as a non-root uid', async () => {
  const r = await backendFor('bwrap').probe();
  assert.ok(r.works, r.detail);
  assert.match(r.detail, /ran as uid [1-9]/);
});
probe.run();
