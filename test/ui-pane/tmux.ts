import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Drives a program in a private tmux server (own socket, no config) and
// reads its screen back, for the pane's real-terminal tests.

export function tmuxAvailable(): string | null {
  const r = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'tmux is not installed (apt-get install -y tmux)';
}

/** The node command line that runs a sibling test module: compiled `.js` under dist/, else the `.ts` through tsx. */
export function nodeCommand(moduleUrl: URL): string[] {
  const js = fileURLToPath(moduleUrl);
  if (existsSync(js)) return [process.execPath, js];
  // Resolved here: the program runs in another directory, where `tsx` alone would not resolve.
  return [process.execPath, '--import', import.meta.resolve('tsx'), js.replace(/\.js$/, '.ts')];
}

export class Tmux {
  constructor(private readonly socket: string) {}

  private run(args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Starts `command` (a shell string) in a detached session of cols×rows. */
  start(command: string, cols: number, rows: number, env: NodeJS.ProcessEnv): void {
    execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', 'new-session', '-d', '-x', String(cols), '-y', String(rows), command], { env });
  }

  /** `send-keys` arguments: key names (`Enter`, `C-c`, `C-]`) or literal text with `literal`. */
  keys(...keys: string[]): void {
    this.run(['send-keys', ...keys]);
  }

  type(text: string): void {
    this.run(['send-keys', '-l', text]);
  }

  /** The visible screen as lines; with `escapes`, SGR colour sequences included. */
  capture(escapes = false): string[] {
    return this.run(['capture-pane', '-p', ...(escapes ? ['-e'] : [])]).replace(/\n$/, '').split('\n');
  }

  format(fmt: string): string {
    return this.run(['display-message', '-p', fmt]).trim();
  }

  resize(cols: number, rows: number): void {
    this.run(['resize-window', '-x', String(cols), '-y', String(rows)]);
  }

  kill(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server']);
  }

  /** Polls the screen (with `escapes`, as `capture(true)`) until `ok` holds; on timeout throws with the last screen, so a failure shows what was there. */
  async waitFor(what: string, ok: (lines: string[]) => boolean, timeoutMs = 5000, escapes = false): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let lines: string[] = [];
    while (Date.now() < deadline) {
      lines = this.capture(escapes);
      if (ok(lines)) return lines;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; screen:\n${lines.join('\n')}`);
  }
}

/** The foreground colour (SGR number 0-15, or -1 for default) in effect where `word` first appears in an `-e` capture line. */
export function colourAt(line: string, word: string): number | null {
  const end = line.indexOf(word);
  if (end < 0) return null;
  let fg = -1;
  for (const m of line.slice(0, end).matchAll(/\x1b\[([\d;]*)m/g)) {
    const params = m[1] === '' ? [0] : m[1]!.split(';').map(Number);
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      if (p === 0 || p === 39) fg = -1;
      else if (p >= 30 && p <= 37) fg = p - 30;
      else if (p >= 90 && p <= 97) fg = p - 90 + 8;
      else if (p === 38 && params[i + 1] === 5) fg = params[(i += 2)]!;
      else if (p === 48 && params[i + 1] === 5) i += 2;
    }
  }
  return fg;
}

const WIDE = [[0x1100, 0x115f], [0x2e80, 0xa4cf], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe30, 0xfe4f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x1f300, 0x1f64f], [0x1f900, 0x1f9ff], [0x20000, 0x3fffd]];

/** A captured line as screen columns: a wide character (CJK, emoji) fills two, the second empty. Enough for the test's text. */
function cells(line: string): string[] {
  return Array.from(line).flatMap((c) => {
    const cp = c.codePointAt(0)!;
    return WIDE.some(([lo, hi]) => cp >= lo! && cp <= hi!) ? [c, ''] : [c];
  });
}

/**
 * Problems with the pane's box: it must touch the screen's right edge, and
 * every line between its corners must have a vertical bar in the box's
 * first and last column; no line may be wider than the screen. Empty when
 * the box is intact. Works for the bottom strip and the side pane.
 */
export function boxProblems(lines: string[], cols: number): string[] {
  const rows = lines.map(cells);
  const problems = rows.flatMap((r, i) => (r.length > cols ? [`line ${i} is ${r.length} wide`] : []));
  const top = rows.findIndex((r) => r.includes('┌'));
  if (top < 0) return [...problems, 'no box'];
  const left = rows[top]!.indexOf('┌');
  const right = rows[top]!.indexOf('┐');
  if (right !== cols - 1) problems.push(`the box ends at column ${right}, not at the edge ${cols - 1}`);
  const bottom = rows.findIndex((r, i) => i > top && r[left] === '└');
  if (bottom < 0) return [...problems, 'no bottom border'];
  for (let i = top + 1; i < bottom; i++) {
    if (rows[i]![left] !== '│' || rows[i]![right] !== '│') problems.push(`line ${i}: ${lines[i]}`);
  }
  if (rows[bottom]![right] !== '┘') problems.push(`line ${bottom}: ${lines[bottom]}`);
  return problems;
}
