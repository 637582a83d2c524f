import { spawn, type StdioOptions } from 'node:child_process';
import { writeSync } from 'node:fs';
import { constants } from 'node:os';
import type { Readable, Stream, Writable } from 'node:stream';
import type { Prepared } from './types.js';

// Starting a prepared command, shared by every backend and the host runner:
// spawn it, pass on the signals sbsh receives, wait, turn the outcome into a
// shell status and undo the preparation.

export type StdioTarget = 'inherit' | 'ignore' | number | Stream;
export type RunStdio = 'inherit' | { stdin: StdioTarget; stdout: StdioTarget; stderr: StdioTarget };

export interface RunResult {
  status: number;
  signal: string | null;
}

/** How one run is going, as runPrepared sees it; handed to a backend's supervisor. */
export interface RunHandle {
  /** pid of the spawned process (bwrap's monitor, or the host shell). */
  readonly pid: number;
  /** The status pipe the backend asked for (`Supervision.statusPipe`), else null. */
  readonly status: Readable | null;
  /** The gate the backend asked for (`Supervision.gatePipe`): the child waits until a byte is written. */
  readonly gate: Writable | null;
  /** Signals the spawned process itself. */
  kill(signal: NodeJS.Signals): void;
  /** Prints one line where the command's stderr goes (the user's terminal). */
  report(line: string): void;
}

/** What a supervisor decides once the spawned process has exited. */
export interface Outcome {
  /** Overrides the exit status (e.g. 125 when the sandbox never started). */
  status?: number;
  signal?: string | null;
}

export interface Supervisor {
  /** Passes a signal that sbsh received on to the command. */
  forward(signal: NodeJS.Signals): void;
  /** The spawned process itself exited (its stdio may still be held open by what it left behind). */
  exited?(exit: RunResult): void;
  /** The spawned process exited with this status/signal; stop timers and say what it means. */
  finish(exit: RunResult): Outcome;
}

/**
 * What runPrepared needs from a backend beyond the contract's Prepared
 * (proposed for lib/sandbox/types.ts; a Prepared without it runs in the
 * caller's process group with signals passed to the process itself).
 */
export interface Supervision {
  /**
   * Own session and process group. Sandboxes want this: bwrap's monitor must
   * survive the terminal's Ctrl-C so the signal can be passed to the sandboxed
   * group instead of killing the monitor (and with it, by --die-with-parent,
   * everything inside with SIGKILL). Host commands share the terminal instead.
   */
  detached: boolean;
  /** Give the child a pipe at the next fd after `fds` (bwrap --json-status-fd). */
  statusPipe: boolean;
  /** Give the child a pipe at the fd after that one, for the supervisor to release it (bwrap --block-fd). */
  gatePipe?: boolean;
  supervise(run: RunHandle): Supervisor;
}

export type Supervised = Prepared & Partial<Supervision>;

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Where the signals meant for a command come from: `handler` is called for
 * each until the returned function is called. sbsh's own SIGINT, SIGTERM and
 * SIGHUP by default; the resident sbsh's come from the client that asked.
 */
export type SignalSource = (handler: (sig: NodeJS.Signals) => void) => () => void;

/**
 * Holds SIGINT, SIGTERM and SIGHUP while a sandbox is being prepared: the
 * first one is kept, instead of ending sbsh at once with what was made ready
 * left in place. runPrepared catches them itself from its call on, so the
 * caller releases this only after calling it.
 */
export function holdSignals(source: SignalSource = onSignals): { readonly signal: NodeJS.Signals | null; release(): void } {
  let signal: NodeJS.Signals | null = null;
  const release = source((sig) => {
    signal ??= sig;
  });
  return {
    get signal() {
      return signal;
    },
    release,
  };
}

/** Calls `handler` for each SIGINT, SIGTERM and SIGHUP sbsh gets, until the returned function is called. */
function onSignals(handler: (sig: NodeJS.Signals) => void): () => void {
  const handlers = FORWARDED.map((sig) => {
    const h = () => handler(sig);
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}

export function statusOf(code: number | null, signal: NodeJS.Signals | null): RunResult {
  if (signal) return { status: 128 + (constants.signals[signal] ?? 0), signal };
  return { status: code ?? 1, signal: null };
}

function stdioFor(stdio: RunStdio, fds: number[], statusPipe: boolean, gatePipe: boolean): StdioOptions {
  const base: StdioTarget[] = stdio === 'inherit' ? ['inherit', 'inherit', 'inherit'] : [stdio.stdin, stdio.stdout, stdio.stderr];
  return [...base, ...fds, ...(statusPipe ? (['pipe'] as const) : []), ...(gatePipe ? (['pipe'] as const) : [])];
}

function reporter(stdio: RunStdio): (line: string) => void {
  const target = stdio === 'inherit' ? 2 : stdio.stderr;
  return (line) => {
    const text = line.endsWith('\n') ? line : line + '\n';
    try {
      if (typeof target === 'number') writeSync(target, text);
      else if (target === 'inherit') writeSync(2, text);
      else if (target !== 'ignore' && 'write' in target && typeof target.write === 'function') target.write(text);
    } catch {
      // A closed terminal must not turn a finished run into a crash.
    }
  };
}

/**
 * Runs a prepared command to completion. The status is the command's own,
 * 128+n for signal n; `dispose` runs exactly once, also when the spawn fails.
 */
export async function runPrepared(p: Prepared, stdio: RunStdio, opts: { signal?: AbortSignal; signals?: SignalSource; report?: (line: string) => void } = {}): Promise<RunResult> {
  const s = p as Supervised;
  const report = opts.report ?? reporter(stdio);
  let result: RunResult;
  try {
    result = await new Promise<RunResult>((resolvePromise) => {
      let settled = false;
      const resolve = (r: RunResult) => {
        if (settled) return;
        settled = true;
        cleanup();
        resolvePromise(r);
      };
      // Signals are caught before the spawn: the child is visible (and may be
      // signalled about) once it has exec'd, which is before spawn() returns,
      // and with no handler yet a SIGTERM would end sbsh without its clean-up.
      // One that comes before the child or its supervisor exists waits for them.
      let supervisor: Supervisor | null = null;
      let handle: RunHandle | null = null;
      let early: NodeJS.Signals | null = null;
      const forward = (sig: NodeJS.Signals) => {
        if (supervisor) supervisor.forward(sig);
        else if (s.supervise || !handle) early = sig;
        else handle.kill(sig);
      };
      const releaseSignals = (opts.signals ?? onSignals)(forward);
      const onAbort = () => forward('SIGTERM');
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      function cleanup(): void {
        releaseSignals();
        opts.signal?.removeEventListener('abort', onAbort);
      }

      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(p.file, p.args, {
          cwd: p.cwd,
          env: p.env,
          detached: s.detached ?? false,
          stdio: stdioFor(stdio, p.fds, s.statusPipe ?? false, s.gatePipe ?? false),
        });
      } catch (err) {
        cleanup();
        throw err;
      }
      const statusStream = s.statusPipe ? ((child.stdio[3 + p.fds.length] as Readable | null) ?? null) : null;
      const gate = s.gatePipe ? ((child.stdio[3 + p.fds.length + (s.statusPipe ? 1 : 0)] as Writable | null) ?? null) : null;
      gate?.on('error', () => {});
      const spawned: RunHandle = {
        pid: child.pid ?? -1,
        status: statusStream,
        gate,
        kill: (sig) => {
          try {
            child.kill(sig);
          } catch {
            // already gone
          }
        },
        report,
      };
      handle = spawned;

      child.once('error', (err) => {
        report(`sbsh: could not start ${p.file}: ${err.message}`);
        // 127 like a shell when the program is missing, 126 when it cannot run.
        resolve({ status: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126, signal: null });
      });
      child.once('spawn', () => {
        if (s.supervise) supervisor = s.supervise(spawned);
        if (early) forward(early);
        if (opts.signal?.aborted) forward('SIGTERM');
      });
      child.once('exit', (code, signal) => supervisor?.exited?.(statusOf(code, signal)));
      child.once('close', (code, signal) => {
        if (settled) return;
        const exit = statusOf(code, signal);
        const outcome = supervisor?.finish(exit) ?? {};
        resolve({ status: outcome.status ?? exit.status, signal: outcome.signal === undefined ? exit.signal : outcome.signal });
      });
    });
  } catch (err) {
    await p.dispose(126);
    throw err;
  }
  await p.dispose(result.status);
  return result;
}
