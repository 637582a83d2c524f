import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough, Writable } from 'node:stream';
import { createAudit } from '../../lib/audit/bus.js';
import { FRAME_MS, runPane } from '../../lib/ui/pane/index.js';
import type { ShellSession } from '../../lib/ui/shell/session.js';
import { decision } from './events.js';

// runPane in-process, between a scripted session and an output stream that
// records what reaches the "terminal" and when: routing, batching and
// restoring measured without tmux's own latency in the way.

class Screen extends Writable {
  readonly writes: Array<{ at: number; data: string }> = [];
  columns = 100;
  rows = 30;
  isTTY = true;
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.writes.push({ at: performance.now(), data: chunk.toString() });
    done();
  }
  all(): string {
    return this.writes.map((w) => w.data).join('');
  }
  /** Resolves with the time of the first write at or after `from` that contains `text`. */
  async written(text: string, from: number, timeoutMs = 2000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const w = this.writes.find((x) => x.at >= from && x.data.includes(text));
      if (w) return w.at;
      await new Promise((r) => setImmediate(r));
    }
    throw new Error(`${JSON.stringify(text)} never reached the terminal`);
  }
}

interface Scripted extends ShellSession {
  typed: string[];
  sizes: Array<[number, number]>;
  output(data: string): void;
  exit(status: number): void;
}

function scriptedSession(): Scripted {
  let out: (d: string) => void = () => {};
  let onExit: (s: number) => void = () => {};
  const s: Scripted = {
    audit: createAudit({ logPath: null }),
    typed: [],
    sizes: [],
    onOutput: (cb) => void (out = cb),
    onExit: (cb) => void (onExit = cb),
    write: (d) => void s.typed.push(d),
    resize: (c, r) => void s.sizes.push([c, r]),
    output: (d) => out(d),
    exit: (status) => onExit(status),
  };
  return s;
}

function started() {
  const session = scriptedSession();
  const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
  const stdout = new Screen();
  const done = runPane(session, { stdin, stdout: stdout as unknown as NodeJS.WriteStream });
  return { session, stdin, stdout, done };
}

const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

test('keys reach the session; the pane keys resize it; Ctrl-C and SIGINT become an interrupt', async () => {
  const { session, stdin, done } = started();
  await tick();
  assert.equal(session.sizes.at(-1), [100, 21], 'terminal region above a 9-row strip');
  stdin.write('ls -la\r');
  stdin.write('\x03');
  process.emit('SIGINT');
  await tick();
  assert.equal(session.typed, ['ls -la\r', '\x03', '\x03']);
  stdin.write('\x1dp');
  await tick();
  assert.equal(session.sizes.at(-1), [100, 30], 'pane hidden: the whole screen');
  session.exit(0);
  assert.is(await done, 0);
});

test('a keystroke’s echo is drawn within a frame; a flood is drawn at most once a frame', async () => {
  const { session, stdout, done } = started();
  await tick(100);
  const echo: number[] = [];
  for (let i = 0; i < 40; i++) {
    const ch = String.fromCharCode(65 + (i % 26));
    await tick(FRAME_MS + 4); // an idle gap, as between keystrokes
    const t0 = performance.now();
    session.output(ch);
    echo.push((await stdout.written(ch, t0)) - t0);
  }

  const before = stdout.writes.length;
  const t0 = performance.now();
  const line = '\x1b[32mgreen\x1b[0m {braces} ' + 'x'.repeat(60) + '\r\n';
  for (let i = 0; i < 4000; i++) {
    session.output(`${i} ${line}`);
    if (i % 100 === 0) await new Promise((r) => setImmediate(r));
  }
  session.output('flood-done');
  await stdout.written('flood-done', t0, 10_000);
  const floodMs = performance.now() - t0;
  const frames = stdout.writes.length - before;

  console.log(
    `pane: echo drawn after median ${percentile(echo, 0.5).toFixed(1)} ms, p95 ${percentile(echo, 0.95).toFixed(1)} ms; ` +
      `4000 lines (${((4000 * line.length) / 1024).toFixed(0)} KiB) drawn in ${floodMs.toFixed(0)} ms with ${frames} terminal writes`,
  );
  assert.ok(frames <= floodMs / FRAME_MS + 3, `${frames} writes in ${floodMs} ms: more than one per frame`);
  session.exit(0);
  await done;
});

test('a decision is drawn in the pane', async () => {
  const { session, stdout, done } = started();
  await tick();
  const t0 = performance.now();
  session.audit.emit(decision('a', { line: 'npm-ci-marker' }));
  // Drawn on its own, without waiting for terminal output to trigger a frame.
  const ms = (await stdout.written('npm-ci-marker', t0)) - t0;
  console.log(`pane: decision drawn after ${ms.toFixed(1)} ms`);
  session.exit(0);
  await done;
});

test('exit restores the terminal: normal screen, cursor shown, input modes off, status returned', async () => {
  const { session, stdout, done } = started();
  session.output('\x1b[?2004h\x1b[?1h');
  await stdout.written('\x1b[?2004h', 0); // the program's bracketed paste, mirrored to the terminal
  const mark = stdout.writes.length;
  session.exit(42);
  assert.is(await done, 42);
  const tail = stdout.writes.slice(mark).map((w) => w.data).join('');
  for (const seq of ['\x1b[?2004l', '\x1b[?1l', '\x1b[?1049l', '\x1b[?25h']) {
    assert.ok(tail.includes(seq), `restores with ${JSON.stringify(seq)}: ${JSON.stringify(tail)}`);
  }
  const count = stdout.writes.length;
  session.output('late output');
  await tick();
  assert.is(stdout.writes.length, count, 'nothing drawn after exit');
});

test.run();
