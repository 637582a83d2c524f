import { modeChanges, promptTail, redisplay } from './display.js';

// What the user sees of the shell's output, around sbsh's markers: the text
// passes through, except readline's display of a line the hook rewrote
// (`__sbsh_run ID`), which is held back and replaced by the prompt and the
// line as typed. Pure state; the session feeds it and shows what it returns.

/** Readline's display of a rewritten line is a few rows; past this something went wrong, and it is shown. */
const MAX_HIDDEN = 64 * 1024;
/** A prompt is shorter than this; a prompt start without its end stops being recorded. */
const MAX_PROMPT = 8 * 1024;

export interface OutputView {
  /** Terminal output between markers; returns what to show now. */
  text(t: string): string;
  /** P marker: a prompt is being printed. */
  promptStarts(): void;
  /** Q marker: the prompt is complete. */
  promptEnds(): void;
  /** H marker: the hook rewrote the line; readline's display of it follows. */
  hide(): void;
  /**
   * The line runs (X marker; `typed`: the line to show in place of the
   * rewrite), or never will (D marker; null). Returns what to show now.
   */
  reveal(typed: string | null): string;
  /** The last row of the last prompt, as printed. */
  readonly prompt: string;
}

export function createOutputView(): OutputView {
  let capture: string | null = null;
  let prompt = '';
  let hidden: string | null = null;
  return {
    get prompt() {
      return prompt;
    },
    text(t) {
      if (capture !== null) capture = capture.length > MAX_PROMPT ? null : capture + t;
      if (hidden === null) return t;
      hidden += t;
      if (hidden.length <= MAX_HIDDEN) return '';
      const all = hidden;
      hidden = null;
      return all;
    },
    promptStarts() {
      capture = '';
    },
    promptEnds() {
      // Readline redraws only a prompt's last row, without the start marker of a multi-row prompt.
      if (capture !== null) prompt = promptTail(capture);
      capture = null;
    },
    hide() {
      hidden = '';
    },
    reveal(typed) {
      if (hidden === null) return '';
      // Terminal modes readline switched (bracketed paste, keypad) still apply.
      const modes = modeChanges(hidden);
      hidden = null;
      return typed === null ? modes : modes + redisplay(prompt, typed);
    },
  };
}
