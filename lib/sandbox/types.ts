import type { Plan } from '../plan/schema.js';
import type { Audit } from '../audit/bus.js';

// One interface for every backend. A backend turns a plan into a process
// description (`prepare`) so that both `sbsh -c` (inherited stdio) and the
// interactive shell (a pty) can start it the same way; `dispose` undoes
// whatever prepare set up (proxy, temp files, ownership changes).

export interface RunContext {
  /** The caller's environment; the plan says which names pass. */
  env: NodeJS.ProcessEnv;
  audit: Audit;
  /** The id of this command line in the audit log. */
  id: string;
  /** `$0 $1 ...` for the line, as with `bash -c LINE NAME ARGS...`; empty when none were given. */
  positional?: string[];
  /** Where sbsh's own messages about this run go; sbsh's stderr unless given. */
  say?: (text: string) => void;
}

export interface Prepared {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Extra file descriptors to hand to the child at fd 3.. (e.g. a seccomp filter). */
  fds: number[];
  /** Called once the process has exited (status as sbsh reports it). Never throws. */
  dispose(status: number): Promise<void>;
}

/** The sandbox could not be set up. sbsh exits 125 and the command does not run anywhere. */
export class SetupError extends Error {
  constructor(
    message: string,
    /** The exact command or change that fixes it. */
    readonly fix: string,
  ) {
    super(message);
    this.name = 'SetupError';
  }
}

/** What the user reads when a sandbox could not be built (exit 125). */
export function setupFailureMessage(backend: string | null, err: SetupError): string {
  return `sbsh: sandbox setup failed (${backend}): ${err.message}\nFix: ${err.fix}\nThe command was not run (not on the host either).`;
}

export interface ProbeResult {
  backend: string;
  works: boolean;
  /** What was run to find out, and what happened. */
  detail: string;
  /** How to get it working when it does not. */
  fix: string | null;
}

export interface Backend {
  readonly name: string;
  /** Runs a trivial command in this backend for real. */
  probe(): Promise<ProbeResult>;
  /** Throws SetupError when the sandbox cannot be built. */
  prepare(plan: Plan, ctx: RunContext): Promise<Prepared>;
  /** Starts, ahead of need, what the next prepare() for `workspace` will use (with its network, when `network`); never throws. */
  warm?(workspace: string, opts?: { network?: boolean }): void;
}
