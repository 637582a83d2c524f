import blessed from 'blessed';
import type { Rect } from './layout.js';

// The blessed side of the terminal region: one single-row box per screen
// row, inside a container that stays behind the pane and the popup. A row
// box is re-parsed only when its line changed, so a keystroke's echo costs
// one line of tag parsing instead of the whole screen (measured at 200×60:
// ~1 ms a frame instead of ~10 ms).

export interface TerminalRegion {
  place(r: Rect): void;
  /** Shows `lines` (tagged, one per row); unchanged rows are left alone. */
  show(lines: readonly string[]): void;
}

export function createTerminalRegion(screen: blessed.Widgets.Screen): TerminalRegion {
  const container = blessed.box({ parent: screen });
  const rows: blessed.Widgets.BoxElement[] = [];
  const shown: string[] = [];

  return {
    place(r) {
      container.left = r.left;
      container.top = r.top;
      container.width = r.width;
      container.height = r.height;
      while (rows.length < r.height) {
        rows.push(blessed.box({ parent: container, top: rows.length, left: 0, width: '100%', height: 1, tags: true, wrap: false }));
        shown.push('');
      }
      while (rows.length > r.height) {
        rows.pop()!.destroy();
        shown.pop();
      }
    },
    show(lines) {
      rows.forEach((row, i) => {
        const line = lines[i] ?? '';
        if (line !== shown[i]) row.setContent((shown[i] = line));
      });
    },
  };
}
