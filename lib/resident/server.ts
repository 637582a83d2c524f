import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, realpathSync, rmSync, write, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { auditLogPath, createAudit, newId } from '../audit/bus.js';
import { executePlan } from '../cli/execute.js';
import { makeFifos, openFifo, writeAll } from '../cli/fifo.js';
import { makePlan } from '../plan/index.js';
import { backendFor } from '../sandbox/index.js';
import type { SignalSource } from '../sandbox/run.js';
import { lineSplitter, NAMESPACES, parseEnviron, parseMessage, processDifferences, requestArgs, startTime, type ClientSignal, type ProcessFacts } from './protocol.js';

// The resident sbsh (`sbsh resident`): one long-lived process per user that
// takes `sbsh -c LINE` from bin/sbsh (a bash script), so that a line that
// runs in the sandbox pays neither node's start nor the loading of sbsh
// (≈ 200 ms here, every time). It plans and runs the line as `sbsh -c`
// would, with the client's own environment, working directory, and
// terminal or pipes, opened from /proc/PID; the client waits, passes its
// signals on, and exits with the status. What it does not take (a host line,
// stdio that is a file or a socket, anything unusual) it hands back before
// anything has happened, and the client runs sbsh the usual way.

/**
 * Where the resident listens: the user's runtime directory when it is under
 * /run, else /tmp; both are private (tmpfs) inside every sandbox. A runtime
 * directory with `.` or `..` steps or doubled slashes is not taken: bin/sbsh
 * must find the same place with bash alone, which cannot normalise a path.
 */
export function residentDir(env: NodeJS.ProcessEnv, uid: number): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && runtime.startsWith('/run/') && !runtime.includes('/.') && !runtime.includes('//')) return join(runtime, 'sbsh-resident');
  return `/tmp/sbsh-resident-${uid}`;
}

/** The script the clients run; the resident answers only processes running it. */
const CLIENT = fileURLToPath(new URL('../../../bin/sbsh', import.meta.url));

/** How often a run checks that its client still exists. */
const CLIENT_POLL_MS = 250;
/** How often, and how far apart, the client's stdio is looked at again while it is the request FIFO. */
const STDIO_TRIES = 50;
const STDIO_RETRY_MS = 2;
/** How long the end of a run waits for sbsh's messages to reach a client's stderr. */
const FLUSH_MS = 5_000;

interface Run {
  signal(sig: ClientSignal): void;
  go(): void;
}

/** Signals that arrive before anything listens are kept (the first one), as sbsh keeps its own while it prepares. */
function signalChannel(): { source: SignalSource; send(sig: ClientSignal): void } {
  const handlers = new Set<(sig: NodeJS.Signals) => void>();
  let early: ClientSignal | null = null;
  return {
    source(handler) {
      handlers.add(handler);
      if (early) handler(early);
      return () => handlers.delete(handler);
    },
    send(sig) {
      if (handlers.size === 0) early ??= sig;
      for (const h of handlers) h(sig);
    },
  };
}

function orNull<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}

const writeP = promisify(write);

/**
 * sbsh's own messages to a client's stderr (`fd`, which it then owns),
 * written in order by libuv's threads: a terminal or pipe that nobody reads
 * holds up that client's messages, not the resident (a write to it would
 * block). The fd is closed only after the last write has returned, so that
 * no write can reach a file that reuses its number.
 */
function messagesTo(fd: number): { say(text: string): void; flushed(ms: number): Promise<void>; close(): void } {
  let chain = Promise.resolve();
  let closed = false;
  const all = async (data: Buffer) => {
    for (let off = 0; off < data.length; ) off += (await writeP(fd, data, off)).bytesWritten;
  };
  return {
    say(text) {
      if (!closed) chain = chain.then(() => all(Buffer.from(text))).catch(() => {});
    },
    flushed: (ms) => Promise.race([chain, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]),
    close() {
      closed = true;
      void chain.then(() => closeSync(fd));
    },
  };
}

/**
 * The client's stdin, stdout and stderr, opened anew from /proc: a terminal,
 * a pipe or a character device (/dev/null) is the same object opened again.
 * A regular file is not (its offset would not be shared), nor is a socket
 * (it cannot be opened): a reason, and the client runs sbsh itself.
 *
 * bash points the client's stdout at the request FIFO for the moment it
 * writes a message there (`printf … 1<>req`), so one of them may be that
 * FIFO just now: it is looked at again a little later, and never handed to a
 * command (which could then talk to the resident as any client).
 */
async function openStdio(pid: number, fifo: { dev: number; ino: number }): Promise<[number, number, number] | string> {
  for (let attempt = 0; ; attempt++) {
    const fds: number[] = [];
    let why: string | null = null;
    try {
      for (const n of [0, 1, 2]) {
        const fd = openSync(`/proc/${pid}/fd/${n}`, (n === 0 ? constants.O_RDONLY : constants.O_WRONLY) | constants.O_NOCTTY);
        fds.push(fd);
        const st = fstatSync(fd);
        if (st.dev === fifo.dev && st.ino === fifo.ino) why = 'its stdin, stdout or stderr is the resident\'s own request FIFO';
        else if (!st.isFIFO() && !st.isCharacterDevice()) return close(fds, 'its stdin, stdout or stderr is not a terminal, a pipe or /dev/null');
      }
    } catch (err) {
      return close(fds, `its stdin, stdout or stderr cannot be opened (${(err as Error).message})`);
    }
    if (why === null) return fds as [number, number, number];
    close(fds, why);
    if (attempt >= STDIO_TRIES) return why;
    await new Promise((resolve) => setTimeout(resolve, STDIO_RETRY_MS));
  }
}

function close(fds: number[], why: string): string {
  for (const fd of fds) closeSync(fd);
  return why;
}

function factsOf(proc: string): ProcessFacts {
  return {
    status: readFileSync(`${proc}/status`, 'utf8'),
    limits: readFileSync(`${proc}/limits`, 'utf8'),
    namespaces: Object.fromEntries(NAMESPACES.map((ns) => [ns, orNull(() => readlinkSync(`${proc}/ns/${ns}`))])),
  };
}

/** Why `dir` may not be used, or null: it must be a real directory of ours that nobody else can enter. */
function unsafeDir(dir: string, uid: number): string | null {
  const st = orNull(() => lstatSync(dir));
  if (!st) return null;
  if (!st.isDirectory()) return `${dir} exists and is not a directory`;
  if (st.uid !== uid) return `${dir} belongs to uid ${st.uid}`;
  if ((st.mode & 0o077) !== 0) return `${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)})`;
  return null;
}

/** The pid in `dir/pid` when that process is a resident sbsh that still runs. */
function runningResident(dir: string): number | null {
  const pid = Number(orNull(() => readFileSync(join(dir, 'pid'), 'utf8').trim()));
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  const cmdline = orNull(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  return cmdline?.split('\0').includes('resident') ? pid : null;
}

export interface ResidentOptions {
  env: NodeJS.ProcessEnv;
  /** Exit after this long with nothing running and nothing asked; null: never. */
  idleMs: number | null;
  /** Where the resident says what it does (its stderr). */
  log(text: string): void;
}

/** Serves until SIGTERM, SIGINT or the idle time; resolves with the exit status. */
export async function serveResident(opts: ResidentOptions): Promise<number> {
  const uid = process.getuid!();
  const dir = residentDir(opts.env, uid);
  const unsafe = unsafeDir(dir, uid);
  if (unsafe) {
    opts.log(`sbsh resident: ${unsafe}; it is not used.\nFix: remove it (rm -r ${dir}) or set XDG_RUNTIME_DIR to your own runtime directory.\n`);
    return 2;
  }
  const other = runningResident(dir);
  if (other) {
    opts.log(`sbsh resident: one already runs for this user (pid ${other}, ${dir}).\n`);
    return 2;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { mode: 0o700 });
  makeFifos(dir, ['req']);
  const reqFd = openFifo(join(dir, 'req'));
  const requestFifo = fstatSync(reqFd);
  // Written last: a client takes the pid file to mean the FIFO is there.
  writeFileSync(join(dir, 'pid'), `${process.pid}\n`);
  opts.log(`sbsh resident: pid ${process.pid}, listening in ${dir}\n`);

  const client = realpathSync(CLIENT);
  const ownFacts = factsOf('/proc/self');
  const runs = new Map<number, Run>();
  let idle: NodeJS.Timeout | null = null;
  let finish!: (status: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let stopping = false;

  const stopIfDone = () => {
    if (!stopping || runs.size > 0) return;
    rmSync(dir, { recursive: true, force: true });
    requests.destroy();
    finish(0);
  };
  const armIdle = () => {
    if (idle) clearTimeout(idle);
    idle = null;
    if (opts.idleMs !== null && runs.size === 0) idle = setTimeout(() => stop('idle'), opts.idleMs);
  };
  const requests = new Socket({ fd: reqFd, readable: true, writable: false });
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    opts.log(`sbsh resident: stopping (${why})${runs.size ? `, after ${runs.size} running command(s)` : ''}\n`);
    // No new client finds it from here on. Those running finish, and their
    // signals still reach their commands through the FIFO.
    rmSync(join(dir, 'pid'), { force: true });
    if (idle) clearTimeout(idle);
    stopIfDone();
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(sig, () => stop(sig));

  const splitter = lineSplitter();
  requests.on('data', (chunk: Buffer) => {
    for (const line of splitter.push(chunk)) {
      const m = parseMessage(line);
      if (m?.type === 'sig') runs.get(m.pid)?.signal(m.signal);
      else if (m?.type === 'go') runs.get(m.pid)?.go();
      else if (m?.type === 'run' && !runs.has(m.pid)) {
        const channel = signalChannel();
        let go!: () => void;
        const said = new Promise<void>((resolve) => (go = resolve));
        runs.set(m.pid, { signal: channel.send, go });
        armIdle();
        void serveOne(m.pid, m.fd, m.argc, channel, said).finally(() => {
          runs.delete(m.pid);
          armIdle();
          stopIfDone();
        });
      }
    }
  });
  armIdle();

  async function serveOne(pid: number, replyFd: number, argc: number, signals: ReturnType<typeof signalChannel>, go: Promise<void>): Promise<void> {
    const proc = `/proc/${pid}`;
    // Only a process of this user is answered at all.
    const st = orNull(() => lstatSync(proc));
    if (!st || st.uid !== uid) return;
    const reply = orNull(() => openSync(`${proc}/fd/${replyFd}`, constants.O_WRONLY | constants.O_NONBLOCK));
    if (reply === null) return;
    // The client's answer pipe, non-blocking: the client reads it all the time.
    const answer = (text: string) => writeAll(reply, Buffer.from(`${text}\n`));
    // What is not taken, and why, goes to the resident's log: the client runs it as before, silently.
    const handBack = (why: string) => {
      opts.log(`sbsh resident: pid ${pid}: not taken: ${why}\n`);
      answer('node');
    };
    let stdio: [number, number, number] | null = null;
    let messages: ReturnType<typeof messagesTo> | null = null;
    let watch: NodeJS.Timeout | null = null;
    try {
      const born = startTime(readFileSync(`${proc}/stat`, 'utf8'));
      const args = requestArgs(readFileSync(`${proc}/cmdline`), argc);
      // Only bin/sbsh, started just as a command started from here would be.
      if (!args || orNull(() => realpathSync(args.script)) !== client) return handBack(`not ${client} -c LINE`);
      const differences = processDifferences(ownFacts, factsOf(proc));
      if (differences.length > 0) return handBack(`it would start its command with other ${differences.join(', ')}`);
      if (stopping) return handBack('the resident is stopping');
      // Whether the client is still the one that asked: same process, still
      // running bin/sbsh (one that gave up and ran node instead is not).
      const stillAsking = () => orNull(() => startTime(readFileSync(`${proc}/stat`, 'utf8'))) === born && requestArgs(readFileSync(`${proc}/cmdline`), argc)?.script === args.script;
      answer('took');
      const gone = new Promise<void>((resolve) => {
        watch = setInterval(() => {
          if (!stillAsking()) resolve();
        }, CLIENT_POLL_MS);
      });
      if ((await Promise.race([go.then(() => 'go'), gone.then(() => 'gone')])) === 'gone') return;
      const env = parseEnviron(readFileSync(`${proc}/environ`));
      const cwd = readlinkSync(`${proc}/cwd`);
      let plan;
      try {
        plan = await makePlan(args.line, { cwd, env });
      } catch (err) {
        // A policy or set-up error: sbsh -c reports it, as it always does.
        return handBack(`planning failed (${(err as Error).message.split('\n')[0]})`);
      }
      // Host lines run in the client's own terminal, as its own child.
      if (plan.action === 'host') return handBack('a host line');
      const opened = await openStdio(pid, requestFifo);
      if (typeof opened === 'string') return handBack(opened);
      stdio = opened;
      const [stdin, stdout, stderr] = stdio;
      messages = messagesTo(stderr);
      const say = messages.say;
      // A client that is gone (killed) has nobody to run for: its command is
      // ended as a hang-up ends it.
      void gone.then(() => signals.send('SIGHUP'));
      let status: number;
      try {
        // A relative SBSH_AUDIT_LOG means the client's directory, as for sbsh -c.
        const log = resolve(cwd, auditLogPath(env));
        const audit = createAudit({ logPath: log, onLogError: (e) => say(`sbsh: audit log ${log} not written (${e.message}); commands still run. Fix: check that directory's permissions or set SBSH_AUDIT_LOG.\n`) });
        status = await executePlan(plan, { audit, id: newId(), env, cwd, positional: args.positional, stdio: { stdin, stdout, stderr }, say, signals: signals.source });
      } catch (err) {
        say(`sbsh: internal error: ${(err as Error).stack ?? String(err)}\nNothing further was run.\n`);
        status = 125;
      }
      // Shown before the client exits, unless its stderr is stuck.
      await messages.flushed(FLUSH_MS);
      answer(`done ${status}`);
      opts.log(`sbsh resident: pid ${pid}: ran its line, exit ${status}\n`);
      // The next line is often the same command again: its monitor starts now.
      if (plan.sandbox) backendFor(plan.backend!).warm?.(plan.sandbox.workspace, { network: plan.sandbox.network.mode === 'allow' });
    } catch (err) {
      // Before anything ran (executePlan reports its own failures).
      handBack((err as Error).message);
    } finally {
      if (watch) clearInterval(watch);
      for (const fd of stdio?.slice(0, 2) ?? []) closeSync(fd);
      if (messages) messages.close();
      else if (stdio) closeSync(stdio[2]);
      closeSync(reply);
    }
  }

  return finished;
}
