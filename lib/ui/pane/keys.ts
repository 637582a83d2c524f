// Keyboard routing. Every byte goes to the shell session except the pane's
// own keys, which all start with the prefix C-] (a key shells and
// full-screen programs leave alone, unlike F-keys which htop and mc use):
//   C-] p    show/hide the decisions pane
//   C-] r    select a decision (↑↓ j k PgUp PgDn Home End), Enter opens
//            every reason, Esc or q goes back
//   C-] C-]  sends one C-] to the session
// Ctrl-C always goes to the session, in every mode: it interrupts the
// running command and never stops sbsh. Pure: bytes in, actions out.

export const PREFIX = '\x1d';
export const PREFIX_NAME = 'C-]';

export type Mode = 'terminal' | 'list' | 'popup';

export interface KeyState {
  mode: Mode;
  /** The previous byte was the prefix and its command key has not arrived yet. */
  prefix: boolean;
}

export type Move = 'up' | 'down' | 'page-up' | 'page-down' | 'first' | 'last';

export type KeyAction =
  | { type: 'send'; data: string }
  | { type: 'toggle-pane' }
  | { type: 'open-list' }
  | { type: 'close-list' }
  | { type: 'open-popup' }
  | { type: 'close-popup' }
  /** In the list, moves the selection; in the popup, scrolls it. */
  | { type: 'move'; to: Move; in: 'list' | 'popup' };

export const INITIAL_KEYS: KeyState = { mode: 'terminal', prefix: false };

const MOVES: Record<string, Move> = {
  '\x1b[A': 'up',
  '\x1bOA': 'up',
  k: 'up',
  '\x1b[B': 'down',
  '\x1bOB': 'down',
  j: 'down',
  '\x1b[5~': 'page-up',
  '\x1b[6~': 'page-down',
  '\x1b[H': 'first',
  '\x1bOH': 'first',
  '\x1b[1~': 'first',
  '\x1b[7~': 'first',
  g: 'first',
  '\x1b[F': 'last',
  '\x1bOF': 'last',
  '\x1b[4~': 'last',
  '\x1b[8~': 'last',
  G: 'last',
};
const ENTER = new Set(['\r', '\n']);
const BACK = new Set(['\x1b', 'q']);
const INTERRUPT = '\x03';

/** Length of the key starting at `i`: a CSI or SS3 sequence, an Alt-key pair, a lone Esc, or one code point. */
export function keyLength(data: string, i: number): number {
  if (data[i] !== '\x1b' || i + 1 >= data.length) return data.codePointAt(i)! > 0xffff ? 2 : 1;
  const next = data[i + 1];
  if (next === 'O' && i + 2 < data.length) return 3;
  if (next !== '[') return 2;
  let j = i + 2;
  while (j < data.length) {
    const c = data.charCodeAt(j);
    j++;
    if (c >= 0x40 && c <= 0x7e) break;
  }
  return j - i;
}

export function splitKeys(data: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < data.length; ) {
    const n = keyLength(data, i);
    keys.push(data.slice(i, i + n));
    i += n;
  }
  return keys;
}

/** What one key does outside the terminal, and the mode after it. */
function paneKey(mode: 'list' | 'popup', key: string): { mode: Mode; actions: KeyAction[] } {
  if (key === INTERRUPT) return { mode, actions: [{ type: 'send', data: INTERRUPT }] };
  if (key === PREFIX) {
    const actions: KeyAction[] = mode === 'popup' ? [{ type: 'close-popup' }, { type: 'close-list' }] : [{ type: 'close-list' }];
    return { mode: 'terminal', actions };
  }
  const move = MOVES[key];
  if (move) return { mode, actions: [{ type: 'move', to: move, in: mode }] };
  if (mode === 'list') {
    if (ENTER.has(key)) return { mode: 'popup', actions: [{ type: 'open-popup' }] };
    if (BACK.has(key)) return { mode: 'terminal', actions: [{ type: 'close-list' }] };
  } else if (ENTER.has(key) || BACK.has(key)) {
    return { mode: 'list', actions: [{ type: 'close-popup' }] };
  }
  return { mode, actions: [] };
}

/** The key after the prefix. */
function commandKey(key: string): { mode: Mode; actions: KeyAction[] } {
  if (key === 'p') return { mode: 'terminal', actions: [{ type: 'toggle-pane' }] };
  if (key === 'r') return { mode: 'list', actions: [{ type: 'open-list' }] };
  if (key === PREFIX) return { mode: 'terminal', actions: [{ type: 'send', data: PREFIX }] };
  // Not a pane command: the prefix is dropped and the key typed normally.
  return { mode: 'terminal', actions: [{ type: 'send', data: key }] };
}

function push(actions: KeyAction[], a: KeyAction): void {
  const last = actions[actions.length - 1];
  if (a.type === 'send' && last?.type === 'send') last.data += a.data;
  else actions.push(a);
}

/** Routes one chunk of keyboard input. A chunk may hold several keys (typing fast, pasting). */
export function routeInput(state: KeyState, data: string): { state: KeyState; actions: KeyAction[] } {
  let { mode, prefix } = state;
  const actions: KeyAction[] = [];
  let i = 0;
  while (i < data.length) {
    if (mode === 'terminal' && !prefix) {
      // Fast path: terminal bytes pass through untouched, escape sequences and all.
      const j = data.indexOf(PREFIX, i);
      const end = j < 0 ? data.length : j;
      if (end > i) push(actions, { type: 'send', data: data.slice(i, end) });
      if (j < 0) break;
      prefix = true;
      i = j + 1;
      continue;
    }
    const n = keyLength(data, i);
    const key = data.slice(i, i + n);
    i += n;
    const r = mode === 'terminal' ? commandKey(key) : paneKey(mode, key);
    prefix = false;
    mode = r.mode;
    for (const a of r.actions) push(actions, a);
  }
  return { state: { mode, prefix }, actions };
}
