import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { residentDir } from '../../lib/resident/server.js';
import { poll } from '../helpers/poll.js';
import { asUser } from '../helpers/process.js';
import { testUser, type User } from '../sandbox/harness.js';
import { processTable } from '../helpers/proc.js';
import { skipWithReason } from '../helpers/skip.js';
import { SBSH } from '../helpers/sbsh.js';

// The resident sbsh for real: `bin/sbsh resident`, clients run as bin/sbsh
// (bash) with pipes for stdout and stderr, real bubblewrap. Each suite gets a
// runtime directory of its own under /run, so no other resident (a user's,
// another test's) is involved.

const s = suite('resident sbsh: sbsh -c through a long-lived sbsh');

function runtimeParent(): string | null {
  for (const dir of ['/run', process.env.XDG_RUNTIME_DIR ?? '']) {
    if (!dir.startsWith('/run')) continue;
    try {
      accessSync(dir, constants.W_OK);
      return dir;
    } catch {
      // not ours to write
    }
  }
  return null;
}

interface World {
  /** Holds the workspaces and the home; `runtime` is elsewhere (under /run). */
  top: string;
  ws: string;
  env: NodeJS.ProcessEnv;
  runtime: string;
  audit: string;
}

function world(): World {
  const top = mkdtempSync(join(tmpdir(), 'sbsh-resident-'));
  // As root the sandbox runs as another uid, which must reach the workspace.
  chmodSync(top, 0o755);
  const ws = join(top, 'ws');
  // A second workspace: two sandboxes at once on one workspace can race on
  // the placeholders of missing writable paths (docs/security.md).
  const other = join(top, 'other');
  for (const w of [ws, other]) {
    mkdirSync(join(w, 'sub'), { recursive: true });
    spawnSync('git', ['init', '-q', w]);
  }
  const script = (name: string, body: string) => {
    for (const w of [ws, other]) {
      writeFileSync(join(w, name), `#!/bin/bash\n${body}\n`);
      chmodSync(join(w, name), 0o755);
    }
  };
  script('report.sh', 'echo "out:$PWD:$1:$2"; echo err-line >&2; exit 7');
  script('sleeper.sh', 'echo started; exec sleep 4242');
  script('probe.sh', 'for d in "$@"; do if test -e "$d"; then echo "visible $d"; else echo "hidden $d"; fi; done');
  script('uid.sh', 'echo "uid=$(id -u)"');
  const home = join(top, 'home');
  mkdirSync(home);
  const runtime = mkdtempSync(join(runtimeParent()!, 'sbsh-e2e-'));
  const audit = join(top, 'audit.jsonl');
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_RUNTIME_DIR: runtime,
    SBSH_AUDIT_LOG: audit,
  };
  return { top, ws, env, runtime, audit };
}

/** Removes what world() made. */
function forget(w: World): void {
  for (const dir of [w.top, w.runtime]) rmSync(dir, { recursive: true, force: true });
}

interface Resident {
  child: ChildProcess;
  log(): string;
  exited: Promise<number | null>;
}

async function startResident(w: World, args: string[] = [], as?: User): Promise<Resident> {
  const argv = asUser([SBSH, 'resident', ...args], as);
  const child = spawn(argv[0]!, argv.slice(1), { cwd: w.ws, env: w.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await poll(() => log.includes('listening') || child.exitCode !== null);
  return { child, log: () => log, exited };
}

interface ClientRun {
  child: ChildProcess;
  /** With `stuckStderr`: its stderr is read from now on. */
  release(): void;
  done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Opens a FIFO in `dir` for the client to write to: returns the write end (for the child) and what is read from it. */
/**
 * Opens a FIFO in `dir` for the client to write to: returns the write end (for
 * the child) and what is read from it. `stuck`: full, and not read until
 * release() (a terminal or pipe that nobody reads).
 */
function fifoOutput(dir: string, name: string, stuck = false): { fd: number; text: Promise<string>; release(): void } {
  const path = join(dir, name);
  // Open to all: a resident of another uid (the normal-user suite) reopens it.
  spawnSync('mkfifo', ['-m', '666', path]);
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const fd = openSync(path, constants.O_WRONLY);
  if (stuck) {
    const filler = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      for (;;) writeSync(filler, Buffer.alloc(65536, 0x2e));
    } catch {
      // EAGAIN: full
    }
    closeSync(filler);
  }
  // A reader that reads nothing yet (a paused stream still fills its buffer).
  let read!: () => void;
  const text = new Promise<string>((resolve) => {
    read = () => {
      const socket = new Socket({ fd: readFd, readable: true, writable: false });
      let got = '';
      socket.on('data', (d) => (got += d));
      socket.once('end', () => resolve(got));
    };
  });
  if (!stuck) read();
  return { fd, text, release: read };
}

/**
 * Runs bin/sbsh with `args` as a client would be run from a shell or CI: stdin
 * /dev/null, stdout and stderr pipes (real ones, FIFOs: node's own are
 * sockets), or stdout a file.
 */
function client(w: World, args: string[], opts: { stdoutFile?: string; prefix?: string[]; cwd?: string; stuckStderr?: boolean } = {}): ClientRun {
  const dir = mkdtempSync(join(tmpdir(), 'sbsh-client-'));
  const out = opts.stdoutFile ? { fd: openSync(opts.stdoutFile, 'w'), text: Promise.resolve('') } : fifoOutput(dir, 'out');
  const err = fifoOutput(dir, 'err', opts.stuckStderr);
  const argv = [...(opts.prefix ?? []), SBSH, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd ?? w.ws, env: w.env, stdio: ['ignore', out.fd, err.fd] });
  closeSync(out.fd);
  closeSync(err.fd);
  const exit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  const done = Promise.all([exit, out.text, err.text]).then(([[status, signal], stdout, stderr]) => {
    rmSync(dir, { recursive: true, force: true });
    return { status, signal, stdout, stderr };
  });
  return { child, done, release: err.release };
}

function sleepers(): number[] {
  return processTable()
    .filter((p) => p.argv[0]?.endsWith('sleep') && p.argv[1] === '4242')
    .map((p) => p.pid);
}

/** A client whose sandboxed `sleep 4242` runs (asserted) by the time this resolves. */
async function sleeping(w: World): Promise<ClientRun> {
  const run = client(w, ['-c', './sleeper.sh']);
  await poll(() => sleepers().length > 0, 250);
  assert.ok(sleepers().length > 0, 'the sandboxed sleep started');
  return run;
}

function events(w: World): Array<Record<string, unknown>> {
  if (!existsSync(w.audit)) return [];
  return readFileSync(w.audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

const bwrap = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-user', '--unshare-net', 'true']);
const missing = runtimeParent() === null ? 'no writable runtime directory under /run to isolate the resident in' : bwrap.status !== 0 ? `bubblewrap does not run here: ${bwrap.stderr}` : null;

if (missing) {
  skipWithReason(s, 'resident sbsh end to end', missing);
  s.run();
} else {
  let w: World;
  let resident: Resident;

  s.before(async () => {
    w = world();
    resident = await startResident(w);
  });
  s.after(async () => {
    resident.child.kill('SIGTERM');
    await resident.exited;
    forget(w);
  });

  s('it listens in the user\'s runtime directory, in a directory only its user can enter', () => {
    assert.ok(resident.log().includes(`listening in ${residentDir(w.env, process.getuid!())}`), resident.log());
    const dir = residentDir(w.env, process.getuid!());
    assert.is(spawnSync('stat', ['-c', '%a %U', dir], { encoding: 'utf8' }).stdout.trim(), `700 ${spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim()}`);
  });

  s('a sandboxed line runs in the resident with the client\'s status, output, working directory, arguments and audit log', async () => {
    const r = await client(w, ['-c', '../report.sh "$0" "$1"', 'zero', 'one'], { cwd: join(w.ws, 'sub') }).done;
    assert.is(r.status, 7, r.stderr);
    assert.is(r.stdout, `out:${join(w.ws, 'sub')}:zero:one\n`);
    assert.match(r.stderr, /err-line/);
    assert.match(resident.log(), /ran its line, exit 7/);
    const decision = events(w).find((e) => e.line === '../report.sh "$0" "$1"');
    const mine = events(w).filter((e) => e.id === decision?.id);
    assert.equal(mine.map((e) => e.type), ['decision', 'start', 'exit'], JSON.stringify(mine));
    assert.is(mine[0]!.action, 'sandbox');
    assert.is(mine[2]!.status, 7);
  });

  s('two clients at once, in two workspaces: each gets its own line\'s status and output', async () => {
    const other = join(w.ws, '..', 'other');
    const ran = () => resident.log().split('ran its line, exit 7').length;
    const before = ran();
    const [a, b] = await Promise.all([client(w, ['-c', './report.sh "$0" a', 'one']).done, client(w, ['-c', './report.sh "$0" b', 'two'], { cwd: other }).done]);
    assert.is(a.status, 7, a.stderr);
    assert.is(b.status, 7, b.stderr);
    assert.is(a.stdout, `out:${w.ws}:one:a\n`);
    assert.is(b.stdout, `out:${other}:two:b\n`);
    assert.is(ran(), before + 2, resident.log());
  });

  s('a line the policy denies: 126 and the reason on the client\'s stderr, from the resident', async () => {
    const before = resident.log().split('ran its line').length;
    const r = await client(w, ['-c', 'curl x | sh'], { cwd: join(w.ws, 'sub') }).done;
    assert.is(r.status, 126, r.stderr);
    assert.match(r.stderr, /guard\.fetched-code/);
    const decision = events(w).find((e) => e.line === 'curl x | sh');
    assert.is(decision?.cwd, join(w.ws, 'sub'), 'logged with the client\'s working directory');
    assert.is(resident.log().split('ran its line').length, before + 1, resident.log());
  });

  s('a client whose stderr nobody reads holds up its own line only: another client\'s line runs in the resident meanwhile', async () => {
    const ran = () => resident.log().split('ran its line').length;
    const before = ran();
    const stuck = client(w, ['-c', 'curl y | sh'], { stuckStderr: true });
    // Logged just before the refusal is written to that full stderr.
    await poll(() => events(w).some((e) => e.line === 'curl y | sh'), 250);
    const other = await client(w, ['-c', './report.sh s t']).done;
    assert.is(other.status, 7, other.stderr);
    assert.is(ran(), before + 1, `the other line ran in the resident: ${resident.log()}`);
    stuck.release();
    const r = await stuck.done;
    assert.is(r.status, 126);
    assert.match(r.stderr, /guard\.fetched-code/);
  });

  s('a relative SBSH_AUDIT_LOG is the client\'s, as for sbsh -c', async () => {
    const before = resident.log().split('ran its line').length;
    const r = await client({ ...w, env: { ...w.env, SBSH_AUDIT_LOG: 'relative.jsonl' } }, ['-c', '../report.sh r l'], { cwd: join(w.ws, 'sub') }).done;
    assert.is(r.status, 7, r.stderr);
    assert.is(resident.log().split('ran its line').length, before + 1, resident.log());
    assert.match(readFileSync(join(w.ws, 'sub', 'relative.jsonl'), 'utf8'), /"line":"..\/report.sh r l"/);
  });

  s('what it does not take runs as before: a host line, and stdout to a file', async () => {
    const host = await client(w, ['-c', 'echo on-the-host']).done;
    assert.is(host.status, 0, host.stderr);
    assert.is(host.stdout, 'on-the-host\n');
    assert.match(resident.log(), /not taken: a host line/);
    const file = join(w.ws, '..', 'out.txt');
    const r = await client(w, ['-c', './report.sh a b'], { stdoutFile: file }).done;
    assert.is(r.status, 7, r.stderr);
    assert.is(readFileSync(file, 'utf8'), `out:${w.ws}:a:b\n`);
    assert.match(resident.log(), /not taken: its stdin, stdout or stderr is not a terminal, a pipe or \/dev\/null/);
  });

  s('a client whose stdout is the resident\'s own request FIFO is not taken: no command gets that FIFO', async () => {
    const ran = () => resident.log().split('ran its line').length;
    const before = ran();
    const req = join(residentDir(w.env, process.getuid!()), 'req');
    const r = await client(w, ['-c', './report.sh f i'], { prefix: ['bash', '-c', 'exec "$@" 1<>"$0"', req] }).done;
    assert.is(r.status, 7, r.stderr);
    assert.match(resident.log(), /not taken: its stdin, stdout or stderr is the resident's own request FIFO/);
    assert.is(ran(), before);
  });

  s('a client that would start its command differently (another umask) is not taken, and runs as before', async () => {
    const r = await client(w, ['-c', './report.sh x y'], { prefix: ['bash', '-c', 'umask 002; exec "$@"', 'bash'] }).done;
    assert.is(r.status, 7, r.stderr);
    assert.match(resident.log(), /not taken: it would start its command with other Umask: 0002/);
  });

  s('a sandboxed command cannot see the resident\'s directory, nor the fallback one in /tmp', async () => {
    const dirs = [residentDir(w.env, process.getuid!()), residentDir({}, process.getuid!())];
    const r = await client(w, ['-c', './probe.sh "$@"', 'probe', ...dirs]).done;
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, dirs.map((d) => `hidden ${d}\n`).join(''), r.stderr + resident.log());
    assert.ok(existsSync(dirs[0]!), 'it is there on the host');
  });

  s('SIGTERM to the client ends its sandboxed command: 143, and nothing of it is left', async () => {
    const run = await sleeping(w);
    run.child.kill('SIGTERM');
    const r = await run.done;
    assert.is(r.status, 143, r.stderr);
    await poll(() => sleepers().length === 0);
    assert.equal(sleepers(), []);
  });

  s('a client killed outright: its sandboxed command is ended as by a hang-up', async () => {
    const run = await sleeping(w);
    run.child.kill('SIGKILL');
    await run.done;
    await poll(() => sleepers().length === 0, 250);
    assert.equal(sleepers(), []);
  });

  s('a resident that does not answer: after 5 s the client runs the line itself, and the resident, answering late, never runs it too', async () => {
    resident.child.kill('SIGSTOP');
    const r = await client(w, ['-c', './report.sh late one']).done;
    resident.child.kill('SIGCONT');
    assert.is(r.status, 7, r.stderr);
    assert.is(r.stdout, `out:${w.ws}:late:one\n`);
    // Woken, it reads the request; the client has run node instead by then.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const decisions = events(w).filter((e) => e.type === 'decision' && e.line === './report.sh late one');
    assert.is(decisions.length, 1, 'decided once, by the client\'s own sbsh');
    const ran = events(w).filter((e) => e.type === 'start' && e.id === decisions[0]!.id);
    assert.is(ran.length, 1);
  });

  s('a second resident for the same user does not start', async () => {
    const second = spawnSync(SBSH, ['resident'], { env: w.env, encoding: 'utf8', timeout: 30_000 });
    assert.is(second.status, 2);
    assert.match(second.stderr, /one already runs for this user \(pid \d+/);
  });

  s('a resident that dies while its command runs: the client says so and exits 125, and the sandbox goes with it', async () => {
    const run = await sleeping(w);
    resident.child.kill('SIGKILL');
    const r = await run.done;
    assert.is(r.status, 125);
    assert.match(r.stderr, /the resident sbsh \(pid \d+\) ended while it ran this line; the command did not finish/);
    await poll(() => sleepers().length === 0);
    assert.equal(sleepers(), []);
    // The next line, with the resident gone but its directory left, runs as before.
    const next = await client(w, ['-c', './report.sh p q']).done;
    assert.is(next.status, 7, next.stderr);
    assert.is(next.stdout, `out:${w.ws}:p:q\n`);
  });

  s.run();

  const u = suite('resident sbsh as a normal user');
  const user = process.getuid?.() === 0 ? testUser() : null;
  if (!user) {
    skipWithReason(u, 'a sandboxed line through a normal user\'s resident', 'needs root to run sbsh as the normal test user (useradd sbshtest)');
  } else {
    u('a sandboxed line through a normal user\'s resident runs as that user, in the sandbox', async () => {
      const v = world();
      spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, join(v.ws, '..'), v.runtime]);
      const r = await startResident(v, [], user);
      try {
        const run = await client(v, ['-c', './uid.sh'], { prefix: asUser([], user) }).done;
        assert.is(run.status, 0, run.stderr);
        assert.is(run.stdout, `uid=${user.uid}\n`);
        assert.match(r.log(), /ran its line, exit 0/);
      } finally {
        r.child.kill('SIGTERM');
        await r.exited;
        forget(v);
      }
    });
  }
  u.run();

  const t = suite('resident sbsh: start and stop');
  t('a directory open to other users is not used: exit 2, with the fix', async () => {
    const v = world();
    const dir = residentDir(v.env, process.getuid!());
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const r = spawnSync(SBSH, ['resident'], { env: v.env, encoding: 'utf8', timeout: 30_000 });
    assert.is(r.status, 2);
    assert.match(r.stderr, /is open to other users \(mode 755\); it is not used\.\nFix: remove it/);
    forget(v);
  });
  t('SIGTERM to the resident: no new line goes to it, the running one finishes and still gets its signals, then it leaves', async () => {
    const v = world();
    const r = await startResident(v);
    try {
      const run = await sleeping(v);
      r.child.kill('SIGTERM');
      await poll(() => r.log().includes('stopping'));
      const next = await client(v, ['-c', './report.sh n m']).done;
      assert.is(next.status, 7, next.stderr);
      assert.is(r.log().split('ran its line').length, 1, 'the new line ran without the resident');
      run.child.kill('SIGTERM');
      assert.is((await run.done).status, 143);
      assert.is(await r.exited, 0);
      assert.equal(sleepers(), []);
      assert.not.ok(existsSync(residentDir(v.env, process.getuid!())));
    } finally {
      r.child.kill('SIGKILL');
      forget(v);
    }
  });
  t('--idle: with nothing asked it leaves after that long, and takes its directory with it', async () => {
    const v = world();
    const r = await startResident(v, ['--idle', '1']);
    assert.ok(existsSync(residentDir(v.env, process.getuid!())));
    assert.is(await r.exited, 0);
    assert.match(r.log(), /stopping \(idle\)/);
    assert.not.ok(existsSync(residentDir(v.env, process.getuid!())));
    forget(v);
  });
  t.run();
}
