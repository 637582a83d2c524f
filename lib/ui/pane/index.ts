import { PassThrough } from 'node:stream';
import blessed from 'blessed';
import type { ShellSession } from '../shell/session.js';
import { formatDetails } from './format.js';
import { DEFAULT_INPUT_MODES, modeSwitches, type InputModes } from './input-modes.js';
import { INITIAL_KEYS, routeInput, type KeyAction } from './keys.js';
import { computeLayout, paneTitle, type Layout, type Rect } from './layout.js';
import { FOLLOWING, moveSelection, paneLines, selectedIndex, startSelecting, type ListView } from './list-view.js';
import { applyEvent, type PaneRow } from './rows.js';
import { createTerminalRegion } from './terminal-region.js';
import { createTerminalView } from './terminal-view.js';

// The live decision pane: the session's terminal and the decisions list on
// one blessed screen. Side effects live here; the rest of lib/ui/pane is
// pure (keys, layout, rows, format, render) and unit-tested.

export interface PaneIO {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

/** At most one screen update per frame: a keystroke's echo after a quiet moment is drawn at once, a flood of output every 16 ms. */
export const FRAME_MS = 16;

const POPUP_MAX_WIDTH = 100;

function place(el: blessed.Widgets.BoxElement, r: Rect): void {
  el.left = r.left;
  el.top = r.top;
  el.width = r.width;
  el.height = r.height;
}

/** Runs the pane until the session exits; resolves with the session's exit status, the terminal restored. */
export function runPane(session: ShellSession, io: PaneIO): Promise<number> {
  return new Promise((resolve) => {
    const screen = blessed.screen({
      // The pane reads the keyboard itself (keys.ts): every byte the user
      // types must reach the session unchanged, which blessed's key parser
      // would not guarantee.
      input: new PassThrough(),
      output: io.stdout,
      fullUnicode: true,
      smartCSR: true,
      warnings: false,
    });
    // Draw borders with UTF-8 box characters rather than the terminal's
    // alternate character set (what NCURSES_NO_UTF8_ACS=1 does): ACS
    // switching garbles under tmux and in captured output. An explicit
    // NCURSES_NO_UTF8_ACS setting, or a non-UTF-8 locale, keeps blessed's choice.
    const tput = screen.tput as unknown as { unicode: boolean; brokenACS: boolean };
    if (process.env.NCURSES_NO_UTF8_ACS === undefined && tput.unicode) tput.brokenACS = true;

    const region = createTerminalRegion(screen);
    const paneBox = blessed.box({
      parent: screen,
      tags: true,
      wrap: false,
      border: { type: 'line' },
      style: { border: { fg: 'blue' }, label: { bold: true } },
    });
    const popup = blessed.box({
      parent: screen,
      hidden: true,
      tags: true,
      border: { type: 'line' },
      scrollable: true,
      alwaysScroll: true,
      style: { border: { fg: 'yellow' }, label: { bold: true } },
    });

    let keys = INITIAL_KEYS;
    let paneWanted = true;
    let rows: PaneRow[] = [];
    let list: ListView = FOLLOWING;
    let layout: Layout = computeLayout(screen.width as number, screen.height as number, { paneWanted, listOpen: false });
    let realModes: InputModes | null = null;
    let lastPane = '';
    let terminalDirty = true;
    let timer: NodeJS.Timeout | null = null;
    let lastDraw = 0;
    let closed = false;

    const view = createTerminalView(layout.terminal.width, layout.terminal.height, (reply) => session.write(reply));
    const paneHeight = () => (layout.pane ? Math.max(0, layout.pane.height - 2) : 0);
    const paneWidth = () => (layout.pane ? Math.max(0, layout.pane.width - 2) : 0);

    function relayout(): void {
      layout = computeLayout(screen.width as number, screen.height as number, { paneWanted, listOpen: keys.mode !== 'terminal' });
      region.place(layout.terminal);
      if (layout.terminal.width !== view.cols || layout.terminal.height !== view.rows) {
        view.resize(layout.terminal.width, layout.terminal.height);
        session.resize(view.cols, view.rows);
        terminalDirty = true;
      }
      if (layout.pane) {
        place(paneBox, layout.pane);
        paneBox.setLabel(paneTitle(keys.mode === 'terminal' ? 'terminal' : 'list', layout.pane.width));
        paneBox.show();
      } else {
        paneBox.hide();
      }
      if (keys.mode === 'popup') sizePopup();
      lastPane = '';
      schedule();
    }

    function sizePopup(): void {
      const cols = screen.width as number;
      const height = screen.height as number;
      const width = Math.min(cols - 2, POPUP_MAX_WIDTH);
      const wanted = popup.getContent().split('\n').length + 4; // border, a wrapped line or two
      place(popup, {
        left: Math.floor((cols - width) / 2),
        top: 1,
        width,
        height: Math.max(3, Math.min(height - 2, wanted)),
      });
      popup.setLabel(paneTitle('popup', width));
    }

    /** The popup shows the selected row, live: a running command's exit and blocked hosts appear as they happen. */
    function fillPopup(): void {
      const row = rows[selectedIndex(rows, list)];
      popup.setContent(row ? formatDetails(row) : 'No command selected.');
      sizePopup();
    }

    function draw(): void {
      timer = null;
      if (closed) return;
      if (terminalDirty) {
        terminalDirty = false;
        region.show(view.lines());
      }
      const modes = view.inputModes();
      const switches = modeSwitches(realModes, modes);
      realModes = modes;
      if (layout.pane) {
        const content = paneLines(rows, list, paneWidth(), paneHeight()).join('\n');
        if (content !== lastPane) paneBox.setContent((lastPane = content));
      }
      screen.render();
      if (switches) io.stdout.write(switches);
      const cursor = view.cursor();
      if (keys.mode === 'terminal' && cursor.visible) {
        screen.program.cup(layout.terminal.top + cursor.y, layout.terminal.left + cursor.x);
        screen.program.showCursor();
      } else {
        screen.program.hideCursor();
      }
      lastDraw = performance.now();
    }

    function schedule(): void {
      if (timer || closed) return;
      timer = setTimeout(draw, Math.max(0, FRAME_MS - (performance.now() - lastDraw)));
    }

    function act(a: KeyAction): void {
      switch (a.type) {
        case 'send':
          session.write(a.data);
          return;
        case 'toggle-pane':
          paneWanted = !paneWanted;
          return relayout();
        case 'open-list':
          relayout();
          list = startSelecting(rows, paneHeight());
          lastPane = '';
          return schedule();
        case 'close-list':
          list = FOLLOWING;
          return relayout();
        case 'open-popup':
          fillPopup();
          popup.resetScroll();
          popup.show();
          popup.setFront();
          return schedule();
        case 'close-popup':
          popup.hide();
          return schedule();
        case 'move':
          if (a.in === 'popup') {
            const page = Math.max(1, (popup.height as number) - 3);
            const by = { up: -1, down: 1, 'page-up': -page, 'page-down': page, first: -Infinity, last: Infinity }[a.to];
            if (Number.isFinite(by)) popup.scroll(by);
            else popup.setScrollPerc(by < 0 ? 0 : 100);
          } else {
            list = moveSelection(rows, list, a.to, paneHeight());
          }
          return schedule();
      }
    }

    const onKeys = (data: string) => {
      const r = routeInput(keys, data);
      keys = r.state;
      for (const a of r.actions) act(a);
    };
    // Ctrl-C arrives as a byte in raw mode and goes to the session. A SIGINT
    // sent to sbsh from elsewhere does the same instead of ending sbsh (and
    // keeps blessed's own SIGINT handler, which exits, from acting).
    const onSigint = () => session.write('\x03');
    const unsubscribe = session.audit.subscribe((e) => {
      rows = applyEvent(rows, e);
      if (keys.mode === 'popup') fillPopup();
      schedule();
    });

    function finish(status: number): void {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      unsubscribe();
      io.stdin.off('data', onKeys);
      process.off('SIGINT', onSigint);
      if (realModes) io.stdout.write(modeSwitches(realModes, DEFAULT_INPUT_MODES));
      screen.destroy();
      if (io.stdin.isTTY) io.stdin.setRawMode(wasRaw);
      io.stdin.pause();
      view.dispose();
      resolve(status);
    }

    const wasRaw = io.stdin.isTTY ? io.stdin.isRaw : false;
    if (io.stdin.isTTY) io.stdin.setRawMode(true);
    io.stdin.setEncoding('utf8');
    io.stdin.on('data', onKeys);
    io.stdin.resume();
    process.on('SIGINT', onSigint);
    screen.on('resize', relayout);
    view.onChange(() => {
      terminalDirty = true;
      schedule();
    });
    view.onBell(() => {
      if (!closed) io.stdout.write('\x07');
    });
    session.onOutput((data) => {
      if (!closed) view.write(data);
    });
    session.onExit(finish);
    relayout();
    session.resize(view.cols, view.rows);
  });
}
