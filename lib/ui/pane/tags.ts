// blessed tag helpers. Any text that reaches a tagged blessed element goes
// through `escapeText`: a command line containing `{red-fg}` must show those
// characters, not change colour, and a host name sent by untrusted code
// (the proxy logs what the sandbox asked for) must not carry escape
// sequences to the user's terminal: blessed passes `\x1b[...m` through.

function caret(c: string): string {
  const code = c.charCodeAt(0);
  if (code === 0x7f) return '^?';
  if (code < 0x20) return '^' + String.fromCharCode(code + 0x40);
  return '\ufffd';
}

/** Control characters in caret notation (`^[`), C1 controls as U+FFFD. Idempotent. */
export function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, caret);
}

export function escapeText(text: string): string {
  return printable(text).replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));
}

/** `text` (escaped) in the given blessed attributes, e.g. `styled(['bold', 'red-fg'], 'x')`. */
export function styled(attrs: readonly string[], text: string): string {
  if (attrs.length === 0) return escapeText(text);
  return `{${attrs.join(',')}}${escapeText(text)}{/}`;
}

/**
 * Cuts `text` to `width` code points, marking the cut with `…`. Code points,
 * not columns: pane text is mostly ASCII, and the pane clips rather than
 * wraps, so a wide character can only cost the last column.
 */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  return width === 1 ? '…' : chars.slice(0, width - 1).join('') + '…';
}

/** Display length in code points, matching `truncate`. */
export function textWidth(text: string): number {
  return Array.from(text).length;
}

/** `text` padded with spaces to `width` code points, matching `textWidth`. */
export function padTo(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - textWidth(text)));
}
