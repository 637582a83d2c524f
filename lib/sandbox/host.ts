import { basename } from 'node:path';
import { findExecutable } from '../net/bridge.js';
import type { Plan } from '../plan/schema.js';
import { SetupError, type RunContext } from './types.js';
import type { Supervised } from './run.js';

// The host runner, for lines classified host-safe (after bash-guard): the
// caller's own bash with the caller's environment, in the caller's terminal.

export interface HostContext extends RunContext {
  /** `sbsh -c LINE ARG0 ARG1...`: $0, $1... of the line, as with `bash -c`. */
  positional?: string[];
}

/** $SHELL when it is bash (its rc files and options are the ones the user expects), else bash from PATH. */
export function hostShell(env: NodeJS.ProcessEnv): string | null {
  if (env.SHELL && basename(env.SHELL) === 'bash') return env.SHELL;
  return findExecutable('bash', env.PATH);
}

export async function prepareHost(plan: Plan, ctx: HostContext): Promise<Supervised> {
  const shell = hostShell(ctx.env);
  if (!shell) throw new SetupError('bash is not on PATH, and host commands run with bash', 'apt-get install -y bash, or put bash on PATH');
  const env = { ...ctx.env };
  return {
    file: shell,
    args: ['-c', plan.line, ...(ctx.positional ?? [])],
    env,
    cwd: plan.sandbox?.cwd ?? process.cwd(),
    fds: [],
    dispose: async () => {},
    detached: false,
    statusPipe: false,
    supervise(run) {
      ctx.audit.emit({ type: 'start', id: ctx.id, backend: 'host', pid: run.pid });
      return {
        forward(signal) {
          // The command shares sbsh's process group, so a Ctrl-C typed at the
          // terminal already reached it; passing it on would deliver it twice.
          if (signal === 'SIGINT' && process.stdin.isTTY) return;
          run.kill(signal);
        },
        finish: () => ({}),
      };
    },
  };
}
