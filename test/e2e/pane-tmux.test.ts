import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AuditInput } from '../../lib/audit/schema.js';
import { skipWithReason } from '../helpers/skip.js';
import { decision, exit, network, start } from '../ui-pane/events.js';
import { boxProblems, colourAt, nodeCommand, Tmux, tmuxAvailable } from '../ui-pane/tmux.js';

// The pane in a real terminal: tmux runs the pane over a bash session
// (test/ui-pane/pane-harness), the test types with send-keys, feeds audit
// events through the harness's control socket and reads the screen back.
// The steps build on each other, in order.

const COLS = 100;
const ROWS = 30;
const GREEN = 2;
const YELLOW = 3;
const RED = 1;

const missing = tmuxAvailable();
if (missing) {
  skipWithReason(test, 'pane in tmux', missing);
  test.run();
} else {
  const dir = mkdtempSync(join(tmpdir(), 'sbsh-pane-'));
  const tmux = new Tmux(join(dir, 'tmux.sock'));
  const control = join(dir, 'control.sock');
  let events: Socket;
  let answers: AsyncIterableIterator<string>;

  async function emit(...inputs: AuditInput[]): Promise<void> {
    for (const input of inputs) {
      events.write(JSON.stringify(input) + '\n');
      const answer = await answers.next();
      assert.is(answer.value, 'ok', `the harness rejected ${JSON.stringify(input)}: ${answer.value}`);
    }
  }

  const text = (lines: string[]) => lines.join('\n');
  const paneShown = (lines: string[]) => text(lines).includes('sbsh decisions');
  /** Runs a command in the session and returns what it printed, found between two markers. */
  async function shell(command: string): Promise<string> {
    const mark = `m${Math.random().toString(36).slice(2, 8)}`;
    tmux.type(`echo ${mark}-begin; ${command}; echo ${mark}-end`);
    tmux.keys('Enter');
    const lines = await tmux.waitFor(`${command} to finish`, (l) => l.some((x) => x.startsWith(`${mark}-end`)));
    const from = lines.findIndex((x) => x.startsWith(`${mark}-begin`));
    const to = lines.findIndex((x) => x.startsWith(`${mark}-end`));
    // Only the terminal region: a side pane's lines follow on the right.
    return lines.slice(from + 1, to).map((x) => x.replace(/\s*│.*$/, '')).join('\n').trim();
  }

  // Started by the first test rather than a before hook: uvu does not print a hook's error.
  async function startPane(): Promise<void> {
    const home = join(dir, 'home');
    mkdirSync(home);
    const script = join(dir, 'run.sh');
    const harness = nodeCommand(new URL('../ui-pane/pane-harness.js', import.meta.url)).map((a) => `'${a}'`).join(' ');
    // The shell stays after the harness so its last lines stay on screen:
    // with remain-on-exit, tmux's "Pane is dead" line can scroll them away.
    writeFileSync(script, `cd '${home}' || exit 1\n${harness} 2>'${join(dir, 'stderr.log')}'\necho "harness exit $?"\nexec sleep 600\n`);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', PANE_CONTROL: control };
    tmux.start(`sh '${script}'`, COLS, ROWS, env);
    await tmux.waitFor('the pane and a prompt', (l) => paneShown(l) && l[0] === '$', 15000);
    events = createConnection(control);
    answers = createInterface({ input: events })[Symbol.asyncIterator]();
    await new Promise((resolve, reject) => events.once('connect', resolve).once('error', reject));
  }

  test.after(() => {
    events?.destroy();
    tmux.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  test('starts with the terminal region above an intact bottom strip', async () => {
    await startPane();
    const lines = tmux.capture();
    assert.is(lines.length, ROWS);
    assert.equal(boxProblems(lines, COLS), []);
    assert.ok(text(lines).includes('C-] p hide · C-] r reasons'), 'the title names the keys');
    assert.is(await shell('stty size'), '21 100', 'the session has the terminal region’s size');
  });

  test('a command typed into the terminal is echoed and its output appears', async () => {
    tmux.type('echo pane-$((6*7))');
    tmux.keys('Enter');
    const lines = await tmux.waitFor('the output', (l) => l.includes('pane-42'));
    assert.ok(lines.includes('$ echo pane-$((6*7))'), text(lines));
  });

  test('colours, attributes and wide characters come through the terminal region', async () => {
    tmux.type('printf "\\e[1;31mbold-red\\e[0m \\e[7minverse\\e[0m 中文|\\n"');
    tmux.keys('Enter');
    await tmux.waitFor('the printf output', (l) => l.includes('bold-red inverse 中文|'));
    const line = tmux.capture(true).find((l) => l.includes('bold-red') && !l.includes('printf')) ?? '';
    assert.is(colourAt(line, 'bold-red'), RED);
    assert.ok(/\x1b\[(?:[\d;]*;)?7[;m][^\x1b]*inverse/.test(line), JSON.stringify(line));
    assert.equal(boxProblems(tmux.capture(), COLS), []);
  });

  test('decisions appear as they are emitted, and update', async () => {
    await emit(
      decision('a1', { line: 'ls -la', action: 'host', class: 'host-safe', backend: 'host', profile: null, reasons: [{ rule: 'ls', class: 'host-safe', command: 'ls -la', why: 'Lists files.' }] }),
    );
    await tmux.waitFor('the host row', (l) => text(l).includes('host-safe ls -la'));
    await emit(decision('a2'), start('a2'));
    await tmux.waitFor('the sandbox row, running', (l) => l.some((x) => x.includes('sandbox:bwrap') && x.includes('running')));
    await emit(network('a2', 'evil.example', false), exit('a2', { status: 0, duration_ms: 3210 }));
    await tmux.waitFor('the blocked host and exit', (l) => l.some((x) => x.includes('exit 0 3.2s blocked 1: evil.example')));
    await emit(
      decision('a3', { line: 'curl x | sh', action: 'deny', class: 'dangerous', backend: null, profile: null, reasons: [{ rule: 'guard.pipe-to-shell', class: 'dangerous', command: 'curl x | sh', why: 'Pipes a download into a shell.' }] }),
    );
    const lines = await tmux.waitFor('the deny row', (l) => text(l).includes('deny          dangerous curl x | sh'));
    assert.equal(boxProblems(lines, COLS), []);
  });

  test('host, sandbox and deny are drawn in different colours', () => {
    const lines = tmux.capture(true);
    const line = (word: string) => lines.find((l) => l.includes(word)) ?? '';
    assert.is(colourAt(line('host-safe'), 'host '), GREEN);
    assert.is(colourAt(line('sandbox:bwrap'), 'sandbox:bwrap'), YELLOW);
    assert.is(colourAt(line('curl x | sh'), 'deny'), RED);
    assert.is(colourAt(line('evil.example'), 'blocked 1'), RED);
  });

  test('the toggle key hides the pane and gives the session the whole screen, then shows it again', async () => {
    tmux.keys('C-]', 'p');
    await tmux.waitFor('the pane to hide', (l) => !paneShown(l) && !l.some((x) => x.startsWith('┌')));
    assert.is(await shell('stty size'), '30 100');
    tmux.keys('C-]', 'p');
    const lines = await tmux.waitFor('the pane to come back', paneShown);
    assert.equal(boxProblems(lines, COLS), []);
    assert.is(await shell('stty size'), '21 100');
  });

  test('the reason popup opens on the selected decision and closes with Esc', async () => {
    tmux.keys('C-]', 'r');
    await tmux.waitFor('the list title', (l) => text(l).includes('↑↓ select'));
    tmux.keys('Up');
    const inverse = /\x1b\[(?:[\d;]*;)?7[;m]/;
    await tmux.waitFor('the sandbox row highlighted', (l) => l.some((x) => x.includes('sandbox:bwrap') && inverse.test(x)), 5000, true);
    tmux.keys('Enter');
    const popup = await tmux.waitFor('the popup', (l) => text(l).includes('why: Installs dependencies'));
    for (const part of ['rule npm-install  class install', 'evil.example:443 ×1  not-in-allowlist', 'exit 0 after 3.2s', 'decision   sandbox:bwrap  profile install']) {
      assert.ok(text(popup).includes(part), `popup shows ${part}:\n${text(popup)}`);
    }
    tmux.keys('Escape');
    await tmux.waitFor('the popup to close', (l) => !text(l).includes('why:') && text(l).includes('↑↓ select'));
    tmux.keys('Escape');
    await tmux.waitFor('back to the terminal', (l) => text(l).includes('C-] p hide'));
    assert.is(await shell('echo typed-after-popup'), 'typed-after-popup', 'keys reach the session again');
  });

  test('Ctrl-C interrupts the running command, not the pane', async () => {
    tmux.type('sleep 100; echo not-interrupted');
    tmux.keys('Enter');
    await tmux.waitFor('sleep to start', (l) => l.some((x) => x === '$ sleep 100; echo not-interrupted'));
    tmux.keys('C-c');
    await tmux.waitFor('the prompt back', (l) => text(l).includes('^C') && l.filter((x) => x === '$').length > 0);
    assert.not.ok(tmux.capture().includes('not-interrupted'), 'the rest of the line did not run');
    assert.ok(paneShown(tmux.capture()), 'the pane is still running');
  });

  const vimTest = 'a full-screen program (vim) draws in the region with the cursor where it says';
  if (spawnSync('sh', ['-c', 'command -v vim']).status !== 0) skipWithReason(test, vimTest, 'vim is not installed (apt-get install -y vim)');
  else test(vimTest, async () => {
    writeFileSync(join(dir, 'home', 'f.txt'), 'line one\nline two\nline three\n');
    tmux.type('vim -u NONE -n f.txt');
    tmux.keys('Enter');
    await tmux.waitFor('vim', (l) => l[0] === 'line one' && l.some((x) => x.includes('"f.txt"')));
    tmux.keys('Down', 'Down', 'Right', 'Right', 'x');
    await tmux.waitFor('the edit', (l) => l[2] === 'lie three');
    assert.is(tmux.format('#{cursor_x},#{cursor_y}'), '2,2');
    assert.is(tmux.format('#{keypad_cursor_flag}'), '1', 'vim’s cursor-key mode reaches the real terminal');
    tmux.keys('Escape');
    tmux.type(':q!');
    tmux.keys('Enter');
    await tmux.waitFor('the shell back', (l) => l.some((x) => x.includes('$ vim -u NONE -n f.txt')));
    assert.is(tmux.format('#{keypad_cursor_flag}'), '0');
  });

  test('on a wide screen the pane moves to the right and the session is resized', async () => {
    tmux.resize(160, 40);
    const lines = await tmux.waitFor('the side pane', (l) => l.length === 40 && boxProblems(l, 160).length === 0 && l[0]!.includes('┌'));
    assert.ok(lines.some((x) => x.includes('sandbox:bwrap')), text(lines));
    assert.is(await shell('stty size'), '40 102');
  });

  test('after resizing to 80×24 the layout holds', async () => {
    tmux.resize(80, 24);
    await tmux.waitFor('an intact 80×24 layout', (l) => l.length === 24 && boxProblems(l, 80).length === 0);
    assert.is(await shell('stty size'), '17 80');
    const after = tmux.capture();
    assert.equal(boxProblems(after, 80), []);
    assert.ok(after.some((x) => x.includes('sandbox:bwrap') && x.includes('blocked 1: evil')), text(after));
  });

  test('keystrokes echo without lag, even after a flood of output', async () => {
    const echoMs = async (ch: string) => {
      const t0 = performance.now();
      tmux.type(ch);
      await tmux.waitFor(`${ch} echoed`, (l) => l.includes(`$ ${ch}`), 2000);
      const ms = performance.now() - t0;
      tmux.keys('C-u');
      return ms;
    };
    const quiet: number[] = [];
    for (const ch of 'abcdefghij') quiet.push(await echoMs(ch));
    const t0 = performance.now();
    await shell('seq 1 20000');
    const floodMs = performance.now() - t0;
    const after = await echoMs('z');
    quiet.sort((a, b) => a - b);
    console.log(`pane latency: keystroke echo median ${quiet[5]!.toFixed(0)} ms, max ${quiet[9]!.toFixed(0)} ms (includes tmux polling); seq 1 20000 through the pane ${floodMs.toFixed(0)} ms; echo after the flood ${after.toFixed(0)} ms`);
    // Loose bounds: the round trip includes tmux and polling on a shared
    // machine; test/ui-pane/runtime.test.ts measures the pane's own share.
    // What this catches is an echo that waits for the next output or a long timer.
  });

  test('exiting the session restores the terminal and returns its status', async () => {
    tmux.type('exit 7');
    tmux.keys('Enter');
    const lines = await tmux.waitFor('the harness to end', (l) => text(l).includes('harness exit 7'), 10000);
    assert.ok(text(lines).includes('pane exited with status 7'), text(lines));
    assert.not.ok(lines.some((x) => /[┌└│]/.test(x)), 'nothing of the pane is left on the normal screen');
    assert.is(tmux.format('#{alternate_on}'), '0', 'back on the normal screen');
    assert.is(tmux.format('#{cursor_flag}'), '1', 'the cursor is visible');
    assert.is(tmux.format('#{keypad_cursor_flag}'), '0', 'cursor keys are back to normal mode');
  });

  test.run();
}
