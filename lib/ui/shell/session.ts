import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn as spawnPty, type IPty } from 'node-pty';
import { newId, type Audit } from '../../audit/bus.js';
import type { Prepared } from '../../sandbox/types.js';
import { expandAliases } from './aliases.js';
import { openChannel } from './channel.js';
import type { Decider, Decision } from './decide.js';
import { decisionRow } from './display.js';
import { isIncomplete } from './incomplete.js';
import { createMarkerParser, type Marker } from './markers.js';
import { createOutputView } from './output.js';
import { encodeDone, encodeReply, type HookMessage, type Reply } from './protocol.js';
import { runOnTerminal, type TerminalRun } from './run.js';

// The interactive shell: the user's bash in a pty, its Enter key routed
// through sbsh by shells/sbsh-init.bash. State lives in that one bash (cwd,
// variables, $?, history, jobs); a sandboxed line sees it and sets $?.

export interface ShellSession {
  /** pty output with sbsh's markers removed. */
  onOutput(cb: (data: string) => void): void;
  /** Keyboard input to the pty. */
  write(data: string): void;
  resize(cols: number, rows: number): void;
  onExit(cb: (status: number) => void): void;
  /** decision/start/exit/violation/network events of this session. */
  audit: Audit;
}

export interface SessionControl {
  /** Signals the shell (SIGHUP: as if its terminal went away). */
  kill(signal?: NodeJS.Signals): void;
  /** pid of the shell. */
  readonly pid: number;
}

export interface ShellSessionOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
  login: boolean;
  audit: Audit;
  /** Print each decision as one dim row before the line runs (the plain terminal; the pane shows them itself). */
  announce?: boolean;
  /** Decides each line; the full pipeline (plan, guard, backend) by default. */
  decider?: Decider;
  /** How long the hook waits for a decision before it gives up on the line (not running it). Default 30 s. */
  decisionTimeoutSeconds?: number;
}

/** Where sbsh-init.bash lives: `shells/` at the package root, above lib/ or dist/lib/. */
export function initScriptPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'shells', 'sbsh-init.bash');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`sbsh: shells/sbsh-init.bash not found above ${fileURLToPath(import.meta.url)}. Fix: reinstall sbsh (the package ships shells/).`);
}

/** How long keyboard input waits for the shell's startup files before sbsh says so. */
const STARTUP_NOTICE_MS = 10_000;
/** How long an exiting session waits for decisions still being made. */
const HUNG_DECISION_MS = 2_000;

interface Line {
  id: string;
  /** As typed (after history expansion): what the screen shows, and what a continuation line is added to. */
  typed: string;
  seq: string;
  decision: Decision;
  /** The hook replaced the line (`__sbsh_run`/`__sbsh_say`): sbsh shows the text instead. */
  rewritten: boolean;
  /** When bash started running it (X marker). Before that, a second request with the same seq continues it. */
  startedAt: number | null;
  run: TerminalRun | null;
  /** The sandboxed command's process group, from the backend's start event: resizes are passed to it. */
  group: number | null;
  finished: boolean;
}

function ptyEnv(env: NodeJS.ProcessEnv, extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return { ...out, ...extra };
}

function replyFor(line: Line): Reply {
  const d = line.decision;
  if (d.action === 'host') return { action: 'host', id: line.id };
  if (d.action === 'sandbox') return { action: 'run', id: line.id };
  return { action: d.endSession ? 'end' : 'say', id: line.id, status: d.status, message: d.message };
}

export async function startShellSession(opts: ShellSessionOptions): Promise<ShellSession & SessionControl> {
  const { audit } = opts;
  const decider = opts.decider ?? (await (await import('./decide.js')).createPipelineDecider({ audit, cwd: opts.cwd, env: opts.env }));
  const init = initScriptPath();
  const nonce = randomBytes(16).toString('hex');
  const channel = openChannel(opts.env);

  let pty: IPty;
  try {
    pty = spawnPty('bash', ['--rcfile', init, '-i'], {
      name: opts.env.TERM || 'xterm-256color',
      cols: opts.cols,
      rows: opts.rows,
      cwd: opts.cwd,
      env: ptyEnv(opts.env, { SBSH_CHANNEL: channel.dir, SBSH_NONCE: nonce, SBSH_LOGIN: opts.login ? '1' : '0', SBSH_DECISION_TIMEOUT: String(opts.decisionTimeoutSeconds ?? 30) }),
    });
  } catch (err) {
    channel.close();
    throw err;
  }
  // The terminal sandboxed lines run on (node-pty names it on every Unix).
  const ptsName = (pty as unknown as { ptsName?: string }).ptsName;
  if (!ptsName) {
    pty.kill('SIGKILL');
    channel.close();
    throw new Error('sbsh: node-pty did not name the shell\'s terminal (ptsName); sandboxed lines could not run on it. Fix: reinstall node-pty (npm ci).');
  }
  const tty: string = ptsName;
  let cols = opts.cols;

  // --- output: markers out, sbsh's own rows in ---------------------------
  const outputListeners: Array<(data: string) => void> = [];
  let unread: string[] = [];
  function show(data: string): void {
    if (!data) return;
    if (outputListeners.length === 0) unread.push(data);
    for (const l of outputListeners) l(data);
  }

  const parser = createMarkerParser(nonce);
  /** The hooks are installed (R); input flows from the first prompt after that, when readline reads it. */
  let hooked = false;
  let ready = false;
  const heldInput: string[] = [];
  const view = createOutputView();
  /** The line the hook asked about last. */
  let current: Line | null = null;
  /** Lines decided and not yet reported finished, by id. */
  const open = new Map<string, Line>();

  function onMarker(m: Marker): void {
    switch (m.kind) {
      case 'R':
        hooked = true;
        return;
      case 'P':
        view.promptStarts();
        return;
      case 'Q':
        view.promptEnds();
        decider.prompting?.();
        if (hooked && !ready) {
          ready = true;
          for (const data of heldInput.splice(0)) pty.write(data);
        }
        return;
      case 'H':
        view.hide();
        return;
      case 'X':
        show(view.reveal(current?.rewritten ? current.typed : null));
        if (current && current.startedAt === null) lineStarts(current);
        return;
      case 'D': {
        // Whatever was hidden belonged to a line that never ran (Ctrl-C right after Enter).
        show(view.reveal(null));
        const line = open.get(m.args[0] ?? '');
        const status = Number(m.args[1]);
        if (line && Number.isInteger(status)) void finish(line, status);
        return;
      }
    }
  }

  function lineStarts(line: Line): void {
    line.startedAt = Date.now();
    for (const note of line.decision.notes) show(note + '\r\n');
    if (opts.announce) show(decisionRow(line.decision.summary, cols));
    if (line.decision.action === 'host') audit.emit({ type: 'start', id: line.id, backend: 'host', pid: null });
  }

  /** The line is over (its `D` marker, or the shell is gone): report it and undo what its preparation set up. */
  async function finish(line: Line, status: number): Promise<void> {
    if (line.finished) return;
    if (line.run) {
      // The stand-in went away while the sandbox still runs (it was killed):
      // stop the sandbox; its own end reports the line.
      line.run.signal('SIGTERM');
      return;
    }
    line.finished = true;
    open.delete(line.id);
    const d = line.decision;
    try {
      if (d.action === 'sandbox') await d.prepared.dispose(status);
      audit.emit({ type: 'exit', id: line.id, status, signal: null, duration_ms: line.startedAt === null ? 0 : Date.now() - line.startedAt });
    } catch (err) {
      // Reporting must not take the shell down.
      show(`sbsh: could not record the end of line ${line.id}: ${(err as Error).message}\r\n`);
    }
  }

  /** Runs a sandboxed line on the shell's terminal; its end (or failure to start) answers the waiting `__sbsh_run`. */
  function startRun(line: Line, prepared: Prepared): void {
    const unsubscribe = audit.subscribe((e) => {
      if (e.type === 'start' && e.id === line.id && e.backend !== 'host') line.group = e.pid;
    });
    const ended = (status: number, signal: string | null) => {
      unsubscribe();
      line.finished = true;
      open.delete(line.id);
      audit.emit({ type: 'exit', id: line.id, status, signal, duration_ms: Date.now() - (line.startedAt ?? Date.now()) });
      channel.done(encodeDone(line.id, status));
    };
    const failed = (err: Error) => {
      show(`sbsh: the sandbox could not be started: ${err.message}\r\nThe command was not run (not on the host either).\r\n`);
      ended(125, null);
    };
    try {
      line.run = runOnTerminal(prepared, tty);
    } catch (err) {
      void prepared.dispose(125);
      return failed(err as Error);
    }
    line.run.result.then((r) => ended(r.status, r.signal), failed);
  }

  // --- the hook's requests ------------------------------------------------
  /** The request the hook is waiting for; an answer to an older one comes too late (the hook gave up). */
  let latest = '';
  const deciding = new Set<Promise<void>>();

  /** The answer to a line request; null when the hook no longer waits for it. */
  async function onLine(m: Extract<HookMessage, { type: 'line' }>): Promise<Reply | null> {
    // Same prompt as a line bash accepted: bash is reading a continuation of it (PS2).
    const continued = current && !current.finished && current.seq === m.seq && current.decision.action === 'host' && current.startedAt === null ? current : null;
    const typed = continued ? `${continued.typed}\n${m.text}` : m.text;
    // What bash will run: its aliases expanded.
    const text = expandAliases(typed, m.aliases);
    // Lines of earlier prompts are over, whether or not their D marker has been read yet.
    for (const line of [...open.values()]) {
      if (line.seq !== m.seq) await finish(line, m.last && m.last.id === line.id ? m.last.status : 130);
    }
    if (await isIncomplete(text)) return continued ? { action: 'host', id: continued.id } : { action: 'more' };
    const id = continued ? continued.id : newId();
    const decision = await decider.decide({ id, line: text, cwd: m.cwd, env: m.env });
    if (continued && decision.action !== 'host') {
      // Its own preparation is undone here; the first part ends with bash's D marker.
      if (decision.action === 'sandbox') await decision.prepared.dispose(130);
      return {
        action: 'abort',
        message: `sbsh: bash read this line as a continuation of the previous one, and together they are not host-safe (${decision.summary}). Nothing ran; enter the whole command again.`,
      };
    }
    const line: Line = { id, typed, seq: m.seq, decision, rewritten: decision.action !== 'host', startedAt: null, run: null, group: null, finished: false };
    if (m.reqno !== latest) {
      // The hook gave up waiting and nobody will run it: undo its preparation (124, as timeout(1) says).
      await finish(line, 124);
      return null;
    }
    current = line;
    open.set(id, line);
    return replyFor(line);
  }

  async function answer(m: Extract<HookMessage, { type: 'line' }>): Promise<void> {
    let reply: Reply | null;
    try {
      reply = await onLine(m);
    } catch (err) {
      const e = err as Error;
      reply = { action: 'say', id: newId(), status: 125, message: `sbsh: internal error while deciding this line: ${e.message}\nNothing was run.` };
    }
    // An answer the hook no longer waits for would only sit in the FIFO.
    if (reply && m.reqno === latest) channel.reply(encodeReply(m.reqno, reply));
  }

  function onMessage(m: HookMessage): void {
    if (m.type === 'line') {
      // The hook sends one request at a time; a second one while a decision
      // is still being made means the hook gave up on the first.
      latest = m.reqno;
      const pending = answer(m);
      deciding.add(pending);
      void pending.finally(() => deciding.delete(pending));
    } else if (m.type === 'go') {
      const line = open.get(m.id);
      if (line && line.decision.action === 'sandbox' && !line.run) startRun(line, line.decision.prepared);
      else {
        show(`sbsh: nothing is prepared for line ${m.id}; not run.\r\n`);
        channel.done(encodeDone(m.id, 125));
      }
    } else if (m.type === 'sig') {
      open.get(m.id)?.run?.signal(m.signal === 'INT' ? 'SIGINT' : 'SIGTERM');
    }
  }

  channel.onMessage(onMessage);

  pty.onData((chunk) => {
    for (const p of parser.push(chunk)) {
      if ('text' in p) show(view.text(p.text));
      else onMarker(p.marker);
    }
  });

  const startupNotice = setTimeout(() => {
    if (!ready) show('\r\nsbsh: still waiting for your shell startup files (~/.bashrc, ~/.profile) to finish; keyboard input is held until then.\r\n');
  }, STARTUP_NOTICE_MS);
  startupNotice.unref();

  const exitListeners: Array<(status: number) => void> = [];
  let exitStatus: number | null = null;
  pty.onExit(({ exitCode, signal }) => {
    clearTimeout(startupNotice);
    for (const p of parser.end()) if ('text' in p) show(view.text(p.text));
    show(view.reveal(null));
    const status = signal ? 128 + signal : exitCode;
    void (async () => {
      try {
        // A decision still being made when the shell is gone is undone when it
        // completes; one that hangs does not keep sbsh from exiting.
        await Promise.race([Promise.all(deciding), new Promise((r) => setTimeout(r, HUNG_DECISION_MS).unref())]);
        for (const line of [...open.values()]) {
          await finish(line, status);
          if (line.run) await line.run.result.catch(() => undefined);
        }
      } finally {
        channel.close();
        exitStatus = status;
        for (const l of exitListeners) l(status);
      }
    })();
  });

  return {
    audit,
    pid: pty.pid,
    onOutput(cb) {
      outputListeners.push(cb);
      const backlog = unread;
      unread = [];
      for (const data of backlog) cb(data);
    },
    write(data) {
      if (ready) pty.write(data);
      else heldInput.push(data);
    },
    resize(c, r) {
      cols = c;
      pty.resize(c, r);
      // The pty tells its foreground group, which a sandboxed command is not
      // in (own session): tell the sandbox's group too.
      for (const line of open.values()) {
        if (line.run && line.group !== null) {
          try {
            process.kill(-line.group, 'SIGWINCH');
          } catch {
            // gone already
          }
        }
      }
    },
    onExit(cb) {
      if (exitStatus !== null) cb(exitStatus);
      else exitListeners.push(cb);
    },
    kill(signal = 'SIGHUP') {
      pty.kill(signal);
    },
  };
}
