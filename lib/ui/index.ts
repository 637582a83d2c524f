import { createAudit } from '../audit/bus.js';
import { runPlain } from './shell/plain.js';
import { startShellSession } from './shell/session.js';

export type { ShellSession } from './shell/session.js';

/**
 * `sbsh` with no line: the interactive shell. With a terminal on stdout the
 * decisions pane shows beside it, otherwise (or `--no-tui`) the plain
 * terminal with one dim row per decision. Resolves with the shell's exit status.
 */
export async function runInteractive(opts: { login: boolean; noTui: boolean }): Promise<number> {
  const tui = !opts.noTui && process.stdout.isTTY === true && process.stdin.isTTY === true;
  const audit = createAudit();
  const session = await startShellSession({
    cwd: process.cwd(),
    env: process.env,
    cols: process.stdout.columns || 80,
    rows: process.stdout.rows || 24,
    login: opts.login,
    audit,
    announce: !tui,
  });
  // sbsh's own process must outlive a hangup or TERM long enough to clean up:
  // the shell gets the signal, and its exit ends sbsh.
  const forward = (signal: NodeJS.Signals) => () => session.kill(signal);
  const handlers = (['SIGHUP', 'SIGTERM'] as const).map((sig) => [sig, forward(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  try {
    const io = { stdin: process.stdin, stdout: process.stdout };
    if (tui) {
      const { runPane } = await import('./pane/index.js');
      return await runPane(session, io);
    }
    return await runPlain(session, io);
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}
