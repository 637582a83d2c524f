import { closeSync, constants, openSync } from 'node:fs';
import { runPrepared, type RunResult, type Supervised } from '../../sandbox/index.js';
import type { RunHandle, Supervisor } from '../../sandbox/run.js';
import type { Prepared } from '../../sandbox/types.js';

// A sandboxed line of the interactive shell runs from sbsh, the same way as
// `sbsh -c` (runPrepared: the backend's own supervision, limits, status and
// cleanup), with the shell's terminal as its stdin, stdout and stderr. The
// shell meanwhile waits in `__sbsh_run`, which stands in the terminal's
// foreground and hands the Ctrl-C it gets on to `signal`.

export interface TerminalRun {
  /** Passes a signal to the sandboxed command the way the backend wants it passed. */
  signal(signal: 'SIGINT' | 'SIGTERM'): void;
  readonly result: Promise<RunResult>;
}

/** Runs `p` on the terminal whose slave side is `ttyPath` (the shell's pty). */
export function runOnTerminal(p: Prepared, ttyPath: string): TerminalRun {
  const s = p as Supervised;
  let supervisor: Supervisor | null = null;
  const early: Array<'SIGINT' | 'SIGTERM'> = [];
  // Same object, with the supervisor kept where Ctrl-C can reach it (runPrepared
  // itself only passes on the signals sbsh's own process receives).
  const watched: Supervised = Object.create(p, {
    supervise: {
      value(run: RunHandle): Supervisor {
        supervisor = s.supervise ? s.supervise(run) : { forward: (sig) => run.kill(sig), finish: () => ({}) };
        for (const sig of early.splice(0)) supervisor.forward(sig);
        return supervisor;
      },
    },
  });
  // O_NOCTTY: the terminal must not become sbsh's own controlling terminal.
  const fd = openSync(ttyPath, constants.O_RDWR | constants.O_NOCTTY);
  const result = runPrepared(watched, { stdin: fd, stdout: fd, stderr: fd }).finally(() => closeSync(fd));
  return {
    signal(sig) {
      if (supervisor) supervisor.forward(sig);
      else early.push(sig);
    },
    result,
  };
}
