import type { IBuffer, IBufferCell, IBufferLine } from '@xterm/headless';
import { escapeText } from './tags.js';

// xterm buffer cells → blessed-tagged lines. A run of cells with the same
// attributes becomes one `{attrs}text{/}`; palette colours become `{N-fg}`
// (blessed reduces them to what the real terminal supports), true colours
// `{#rrggbb-fg}`. A wide character is emitted once: xterm gives it a
// zero-width cell after it and blessed (fullUnicode) reserves the second
// column itself. Dim, italic and strikethrough have no blessed tag and are
// dropped. Pure apart from reading the buffer.

function colour(isRgb: boolean, isPalette: boolean, value: number): string | null {
  if (isPalette) return String(value);
  if (isRgb) return '#' + value.toString(16).padStart(6, '0');
  return null;
}

/** The cell's blessed attributes, joined as one tag body (`bold,1-fg`); '' for default. */
export function cellAttrs(cell: IBufferCell): string {
  const a: string[] = [];
  if (cell.isBold()) a.push('bold');
  if (cell.isUnderline()) a.push('underline');
  if (cell.isBlink()) a.push('blink');
  if (cell.isInverse()) a.push('inverse');
  if (cell.isInvisible()) a.push('invisible');
  const fg = colour(cell.isFgRGB(), cell.isFgPalette(), cell.getFgColor());
  if (fg !== null) a.push(`${fg}-fg`);
  const bg = colour(cell.isBgRGB(), cell.isBgPalette(), cell.getBgColor());
  if (bg !== null) a.push(`${bg}-bg`);
  return a.join(',');
}

function run(attrs: string, text: string): string {
  return attrs ? `{${attrs}}${escapeText(text)}{/}` : escapeText(text);
}

/**
 * One buffer line, `cols` cells wide, as a tagged string. Trailing blank
 * cells with default attributes are left out (the element's own blank
 * fills them), so an idle 200-column line costs nothing to parse.
 */
export function renderLine(line: IBufferLine | undefined, cols: number, scratch: IBufferCell): string {
  if (!line) return '';
  let out = '';
  let attrs = '';
  let text = '';
  for (let x = 0; x < cols; x++) {
    const cell = line.getCell(x, scratch);
    if (!cell) break;
    if (cell.getWidth() === 0) continue;
    const a = cellAttrs(cell);
    if (a !== attrs) {
      out += run(attrs, text);
      attrs = a;
      text = '';
    }
    text += cell.getChars() || ' ';
  }
  return out + run(attrs, attrs ? text : text.replace(/ +$/, ''));
}

/** The visible screen of `buffer` as `rows` tagged lines. */
export function renderScreen(buffer: IBuffer, cols: number, rows: number): string[] {
  const scratch = buffer.getNullCell();
  const lines: string[] = [];
  for (let y = 0; y < rows; y++) lines.push(renderLine(buffer.getLine(buffer.viewportY + y), cols, scratch));
  return lines;
}

/** Where the cursor is on the visible screen; xterm reports x = cols while a wrap is pending. */
export function cursorCell(buffer: IBuffer, cols: number): { x: number; y: number } {
  return { x: Math.min(buffer.cursorX, cols - 1), y: buffer.cursorY };
}
