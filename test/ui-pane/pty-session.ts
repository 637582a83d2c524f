import { spawn } from 'node-pty';
import { createAudit } from '../../lib/audit/bus.js';
import type { ShellSession } from '../../lib/ui/shell/session.js';

// A stand-in for lib/ui/shell's session: plain bash in a pty, with an audit
// bus the test emits events into. Enough to drive the real pane.

export function bashSession(opts: { cwd: string; env: NodeJS.ProcessEnv; cols?: number; rows?: number }): ShellSession {
  const pty = spawn('bash', ['--norc', '--noprofile', '-i'], {
    name: 'xterm-256color',
    cols: opts.cols ?? 80,
    rows: opts.rows ?? 24,
    cwd: opts.cwd,
    env: opts.env,
  });
  return {
    audit: createAudit({ logPath: null }),
    onOutput: (cb) => void pty.onData(cb),
    write: (data) => pty.write(data),
    resize: (cols, rows) => pty.resize(cols, rows),
    onExit: (cb) => void pty.onExit((e) => cb(e.signal ? 128 + e.signal : e.exitCode)),
  };
}
