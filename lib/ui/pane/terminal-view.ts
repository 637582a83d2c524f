import xterm from '@xterm/headless';
import { inputModes, type InputModes } from './input-modes.js';
import { cursorCell, renderScreen } from './render.js';

// The session's screen: a headless xterm the session's output is parsed
// into, read back as tagged lines for the blessed region. Also tracks what
// the public API does not expose directly: whether the program hid the
// cursor (DECTCEM, `CSI ? 25 l`).

export interface TerminalView {
  readonly cols: number;
  readonly rows: number;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** Called after each parsed write. */
  onChange(cb: () => void): void;
  /** The program rang the bell (BEL): readline does on a failed completion. */
  onBell(cb: () => void): void;
  lines(): string[];
  cursor(): { x: number; y: number; visible: boolean };
  inputModes(): InputModes;
  dispose(): void;
}

const CURSOR_MODE = 25;

/** `reply` gets the terminal's answers to the program's queries (cursor position, device attributes). */
export function createTerminalView(cols: number, rows: number, reply: (data: string) => void): TerminalView {
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000 });
  let cursorVisible = true;
  const setCursor = (visible: boolean) => (params: (number | number[])[]) => {
    if (params.includes(CURSOR_MODE)) cursorVisible = visible;
    return false; // let xterm handle the rest of the sequence too
  };
  term.parser.registerCsiHandler({ prefix: '?', final: 'h' }, setCursor(true));
  term.parser.registerCsiHandler({ prefix: '?', final: 'l' }, setCursor(false));
  // Full reset (RIS) and soft reset (DECSTR) show the cursor again.
  term.parser.registerEscHandler({ final: 'c' }, () => ((cursorVisible = true), false));
  term.parser.registerCsiHandler({ intermediates: '!', final: 'p' }, () => ((cursorVisible = true), false));
  term.onData(reply);

  return {
    get cols() {
      return term.cols;
    },
    get rows() {
      return term.rows;
    },
    write: (data) => term.write(data),
    resize: (c, r) => term.resize(Math.max(2, c), Math.max(1, r)),
    onChange: (cb) => void term.onWriteParsed(cb),
    onBell: (cb) => void term.onBell(cb),
    lines: () => renderScreen(term.buffer.active, term.cols, term.rows),
    cursor: () => ({ ...cursorCell(term.buffer.active, term.cols), visible: cursorVisible }),
    inputModes: () => inputModes(term.modes),
    dispose: () => term.dispose(),
  };
}
