import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { INITIAL_KEYS, routeInput, splitKeys, type KeyAction, type KeyState, type Mode } from '../../lib/ui/pane/keys.js';

const PREFIX = '\x1d';
const send = (data: string): KeyAction => ({ type: 'send', data });
const at = (mode: Mode, prefix = false): KeyState => ({ mode, prefix });

const CASES: Array<[string, KeyState, string, KeyAction[], KeyState]> = [
  ['typing passes through', INITIAL_KEYS, 'ls -la\r', [send('ls -la\r')], INITIAL_KEYS],
  ['escape sequences pass through whole', INITIAL_KEYS, '\x1b[A\x1bOB\x1b[1;5C', [send('\x1b[A\x1bOB\x1b[1;5C')], INITIAL_KEYS],
  ['Ctrl-C goes to the session', INITIAL_KEYS, '\x03', [send('\x03')], INITIAL_KEYS],
  ['Ctrl-Z and Ctrl-\\ too', INITIAL_KEYS, '\x1a\x1c', [send('\x1a\x1c')], INITIAL_KEYS],
  ['a lone Esc (vim) passes through', INITIAL_KEYS, '\x1b', [send('\x1b')], INITIAL_KEYS],
  ['UTF-8 passes through', INITIAL_KEYS, 'échø 中文 😀', [send('échø 中文 😀')], INITIAL_KEYS],
  ['prefix p toggles the pane', INITIAL_KEYS, `${PREFIX}p`, [{ type: 'toggle-pane' }], INITIAL_KEYS],
  ['text around a pane command still goes out, in order', INITIAL_KEYS, `ab${PREFIX}pcd`, [send('ab'), { type: 'toggle-pane' }, send('cd')], INITIAL_KEYS],
  ['prefix split across chunks waits for its key', INITIAL_KEYS, PREFIX, [], at('terminal', true)],
  ['the key after a split prefix', at('terminal', true), 'p', [{ type: 'toggle-pane' }], INITIAL_KEYS],
  ['prefix twice sends one prefix', INITIAL_KEYS, `${PREFIX}${PREFIX}`, [send(PREFIX)], INITIAL_KEYS],
  ['prefix then another key types that key', INITIAL_KEYS, `${PREFIX}x`, [send('x')], INITIAL_KEYS],
  ['prefix then an arrow types the whole arrow', INITIAL_KEYS, `${PREFIX}\x1b[A`, [send('\x1b[A')], INITIAL_KEYS],
  ['prefix r opens the list', INITIAL_KEYS, `${PREFIX}r`, [{ type: 'open-list' }], at('list')],
  ['keys after opening the list in the same chunk act on the list', INITIAL_KEYS, `${PREFIX}rk`, [{ type: 'open-list' }, { type: 'move', to: 'up', in: 'list' }], at('list')],
  ['list: arrows in both cursor-key modes', at('list'), '\x1b[A\x1bOB', [{ type: 'move', to: 'up', in: 'list' }, { type: 'move', to: 'down', in: 'list' }], at('list')],
  ['list: j k g G', at('list'), 'jkgG', [
    { type: 'move', to: 'down', in: 'list' },
    { type: 'move', to: 'up', in: 'list' },
    { type: 'move', to: 'first', in: 'list' },
    { type: 'move', to: 'last', in: 'list' },
  ], at('list')],
  ['list: page keys, Home, End', at('list'), '\x1b[5~\x1b[6~\x1b[H\x1b[4~', [
    { type: 'move', to: 'page-up', in: 'list' },
    { type: 'move', to: 'page-down', in: 'list' },
    { type: 'move', to: 'first', in: 'list' },
    { type: 'move', to: 'last', in: 'list' },
  ], at('list')],
  ['list: Enter opens the reasons', at('list'), '\r', [{ type: 'open-popup' }], at('popup')],
  ['list: Esc goes back to the terminal', at('list'), '\x1b', [{ type: 'close-list' }], INITIAL_KEYS],
  ['list: q goes back too', at('list'), 'q', [{ type: 'close-list' }], INITIAL_KEYS],
  ['list: the prefix goes back too', at('list'), PREFIX, [{ type: 'close-list' }], INITIAL_KEYS],
  ['list: Ctrl-C still reaches the session', at('list'), '\x03', [send('\x03')], at('list')],
  ['list: other keys are not typed into the shell', at('list'), 'ls\r', [{ type: 'open-popup' }], at('popup')],
  ['popup: arrows scroll it', at('popup'), '\x1b[B', [{ type: 'move', to: 'down', in: 'popup' }], at('popup')],
  ['popup: Esc closes it, back to the list', at('popup'), '\x1b', [{ type: 'close-popup' }], at('list')],
  ['popup: Enter and q close it too', at('popup'), '\rq', [{ type: 'close-popup' }, { type: 'close-list' }], INITIAL_KEYS],
  ['popup: the prefix closes everything', at('popup'), PREFIX, [{ type: 'close-popup' }, { type: 'close-list' }], INITIAL_KEYS],
  ['popup: Ctrl-C reaches the session', at('popup'), '\x03', [send('\x03')], at('popup')],
  ['list: Alt-keys do nothing', at('list'), '\x1bx', [], at('list')],
  ['typing after q closed the list goes to the session', at('list'), 'qls', [{ type: 'close-list' }, send('ls')], INITIAL_KEYS],
];

for (const [name, state, input, actions, after] of CASES) {
  test(`routeInput: ${name}`, () => {
    const r = routeInput(state, input);
    assert.equal(r.actions, actions);
    assert.equal(r.state, after);
  });
}

test('splitKeys', () => {
  assert.equal(splitKeys('a\x1b[A\x1bOPb\x1b[1;5C\x1b'), ['a', '\x1b[A', '\x1bOP', 'b', '\x1b[1;5C', '\x1b']);
  assert.equal(splitKeys('\x1bx😀'), ['\x1bx', '😀']);
  assert.equal(splitKeys('\x1b[200~'), ['\x1b[200~']);
});

test.run();
