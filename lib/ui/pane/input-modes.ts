import type { IModes } from '@xterm/headless';

// Keyboard modes that programs in the session set and that change what the
// real terminal sends: arrows as `ESC O A` (application cursor keys, vim
// and less ask for it), keypad keys, and bracketed paste (bash 5.1 turns it
// on). The headless xterm absorbs the program's request, so the pane
// repeats it to the real terminal, and switches everything off on exit.

export interface InputModes {
  cursorKeys: boolean;
  keypad: boolean;
  bracketedPaste: boolean;
}

export const DEFAULT_INPUT_MODES: InputModes = { cursorKeys: false, keypad: false, bracketedPaste: false };

const SWITCH: Record<keyof InputModes, [on: string, off: string]> = {
  cursorKeys: ['\x1b[?1h', '\x1b[?1l'],
  keypad: ['\x1b=', '\x1b>'],
  bracketedPaste: ['\x1b[?2004h', '\x1b[?2004l'],
};

export function inputModes(m: IModes): InputModes {
  return { cursorKeys: m.applicationCursorKeysMode, keypad: m.applicationKeypadMode, bracketedPaste: m.bracketedPasteMode };
}

/** The sequences that take the real terminal from `prev` (null: unknown, set everything) to `next`. */
export function modeSwitches(prev: InputModes | null, next: InputModes): string {
  let out = '';
  for (const key of Object.keys(SWITCH) as Array<keyof InputModes>) {
    if (prev === null || prev[key] !== next[key]) out += SWITCH[key][next[key] ? 0 : 1];
  }
  return out;
}
