import type { Plan } from '../../plan/schema.js';

// What sbsh itself puts on the terminal, as pure functions of what it knows.

/**
 * Terminal mode switches in `text` (DEC private modes such as bracketed
 * paste `ESC[?2004l`, keypad `ESC=`/`ESC>`). When sbsh hides readline's
 * display of a rewritten line, these still have to reach the terminal.
 */
export function modeChanges(text: string): string {
  return (text.match(/\x1b\[\?[0-9;]*[hl]|\x1b[=>]/g) ?? []).join('');
}

/** The line as readline shows it: newlines start a new row, other control characters appear as ^X. */
export function shownLine(line: string): string {
  return line.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => {
    if (c === '\n') return '\r\n';
    return c === '\x7f' ? '^?' : '^' + String.fromCharCode(c.charCodeAt(0) + 64);
  });
}

/** The last row of a prompt as printed (readline redraws only that row after a key binding ran). */
export function promptTail(printed: string): string {
  const nl = printed.lastIndexOf('\n');
  return nl < 0 ? printed : printed.slice(nl + 1);
}

/** What the terminal shows again in place of readline's display of `__sbsh_run ID`: the prompt and the line as typed. */
export function redisplay(prompt: string, line: string): string {
  return prompt + shownLine(line) + '\r\n';
}

const DIM = '\x1b[2m';
const NORMAL = '\x1b[22m';

function fit(text: string, cols: number): string {
  const chars = Array.from(text.replace(/[\x00-\x1f\x7f]/g, ' '));
  return chars.length < cols ? chars.join('') : chars.slice(0, Math.max(1, cols - 2)).join('') + '…';
}

/** One line saying what sbsh decided, e.g. `sbsh: sandbox:bwrap (build, profile build) repo-script`. */
export function decisionSummary(plan: Plan): string {
  const where = plan.action === 'sandbox' ? `sandbox:${plan.backend}` : plan.action;
  const profile = plan.profile ? `, profile ${plan.profile}` : '';
  const rule = plan.reasons[0]?.rule ?? `rules.${plan.class}`;
  return `sbsh: ${where} (${plan.class}${profile}) ${rule}`;
}

/** The decision as one dim row for the plain (no pane) terminal. */
export function decisionRow(summary: string, cols: number): string {
  return `${DIM}${fit(summary, cols)}${NORMAL}\r\n`;
}
