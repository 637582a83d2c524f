import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import xterm from '@xterm/headless';
import { createAudit } from '../../lib/audit/bus.js';
import type { AuditEvent } from '../../lib/audit/schema.js';
import type { Decider } from '../../lib/ui/shell/decide.js';
import { startShellSession, type SessionControl, type ShellSession } from '../../lib/ui/shell/session.js';

// Drives a real shell session (real bash in a pty, the real init script)
// and renders its output in a headless xterm, so tests see the screen a
// user would see.

export interface Driven {
  session: ShellSession & SessionControl;
  dir: string;
  home: string;
  ws: string;
  events: AuditEvent[];
  /** Raw output, markers removed. */
  raw(): string;
  /** The visible screen and scrollback, one string per row, right-trimmed. */
  screen(): string[];
  /** The rows from the one the cursor was on when keys were last typed. */
  since(): string;
  /** Sends keys, once the screen has caught up with the output so far. */
  type(keys: string): Promise<void>;
  /** Types `line` and Enter, then waits until `until` shows on the screen below where it was typed. */
  run(line: string, until: RegExp, timeoutMs?: number): Promise<void>;
  waitFor(pred: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Waits until `re` matches the rows since the last keys typed. */
  waitForScreen(re: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number>;
  close(): Promise<void>;
}

export interface DriveOptions {
  decider: Decider;
  login?: boolean;
  announce?: boolean;
  files?: Record<string, string>;
  env?: Record<string, string>;
  decisionTimeoutSeconds?: number;
}

export async function drive(opts: DriveOptions): Promise<Driven> {
  const dir = mkdtempSync(join(tmpdir(), 'sbsh-shell-'));
  const home = join(dir, 'home');
  const ws = join(dir, 'ws');
  mkdirSync(home);
  mkdirSync(join(ws, 'sub'), { recursive: true });
  // A git root: the workspace the prompt and the planner see.
  mkdirSync(join(ws, '.git'));
  for (const [path, text] of Object.entries(opts.files ?? {})) {
    const full = join(dir, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text, { mode: path.endsWith('.sh') ? 0o755 : 0o644 });
  }
  const audit = createAudit({ logPath: null });
  const events: AuditEvent[] = [];
  audit.subscribe((e) => events.push(e));
  const cols = 100;
  const rows = 30;
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    PATH: process.env.PATH,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    XDG_STATE_HOME: join(home, '.state'),
    ...opts.env,
  };
  const session = await startShellSession({
    cwd: ws, env, cols, rows, login: opts.login ?? false, audit, decider: opts.decider,
    announce: opts.announce ?? false, decisionTimeoutSeconds: opts.decisionTimeoutSeconds ?? 10,
  });
  const term = new xterm.Terminal({ cols, rows, scrollback: 1000, allowProposedApi: true });
  let raw = '';
  session.onOutput((d) => {
    raw += d;
    term.write(d);
  });
  const exited = new Promise<number>((resolve) => session.onExit(resolve));

  // xterm parses asynchronously: a write callback means everything before it is on the screen.
  const flush = () => new Promise<void>((resolve) => term.write('', resolve));
  const screen = () => {
    const b = term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < b.length; i++) out.push(b.getLine(i)?.translateToString(true) ?? '');
    while (out.length && out[out.length - 1] === '') out.pop();
    return out;
  };
  async function waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await flush();
      if (pred()) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${screen().join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  let mark = 0;
  const since = () => screen().slice(mark).join('\n');
  const waitForScreen = (re: RegExp, timeoutMs?: number) => waitFor(() => re.test(since()), String(re), timeoutMs);
  async function type(keys: string): Promise<void> {
    await flush();
    mark = term.buffer.active.baseY + term.buffer.active.cursorY;
    session.write(keys);
  }
  const settle = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
  // bash may not have acted on a SIGHUP yet (or still be reading its rc
  // files): a shell left behind would keep this test process alive.
  async function end(): Promise<void> {
    session.kill('SIGHUP');
    if (!(await settle(3000))) {
      session.kill('SIGKILL');
      await settle(3000);
    }
  }
  // The first prompt.
  try {
    await waitForScreen(/\(sbsh\) /);
  } catch (err) {
    await end();
    throw err;
  }

  return {
    session, dir, home, ws, events, exited, screen, since, waitFor, waitForScreen, type,
    raw: () => raw,
    async run(line, until, timeoutMs) {
      await type(line + '\r');
      await waitForScreen(until, timeoutMs);
    },
    async close() {
      await end();
      term.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
