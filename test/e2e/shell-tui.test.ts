import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { skipWithReason } from '../helpers/skip.js';
import { e2eMissing, makeFixture } from '../ui-shell/e2e-fixture.js';

// `sbsh` with a terminal: the shell session and the decisions pane together
// (lib/ui/index.ts wires them), real pipeline, real sandbox, in tmux.

const COLS = 120;
const ROWS = 30;

const why = e2eMissing();
if (why) {
  skipWithReason(test, 'sbsh with the pane in tmux', why);
  test.run();
} else {
  const fx = makeFixture({ 'exit3.sh': 'echo in-the-sandbox; exit 3' });
  const { tmux } = fx;
  const waitFor = (what: string, ok: (text: string) => boolean) => tmux.waitFor(what, (l) => ok(l.join('\n')), 20_000);
  const row = (text: string, command: string) => text.split('\n').find((l) => l.includes('│') && l.includes(command)) ?? '';

  test('the pane lists each line the session decides, with its outcome', async () => {
    fx.start([], COLS, ROWS);
    await waitFor('the prompt and the pane', (t) => /\(sbsh\) repo[#$]/.test(t) && t.includes('sbsh decisions'));
    tmux.type('ls');
    tmux.keys('Enter');
    await waitFor('the host row', (t) => /host\s+host-safe\s+ls\b.*exit 0/.test(row(t, ' ls ')));
    tmux.type('./exit3.sh');
    tmux.keys('Enter');
    const text = (await waitFor('the sandbox row', (t) => /exit 3/.test(row(t, './exit3.sh')))).join('\n');
    assert.match(row(text, './exit3.sh'), /sandbox:bwrap\s+build/);
    assert.match(text, /^\(sbsh\) repo[#$] \.\/exit3\.sh\s*$/m);
    assert.match(text, /^in-the-sandbox\s*$/m);
  });

  test('exit leaves sbsh with the status of the shell', async () => {
    tmux.type('exit 4');
    tmux.keys('Enter');
    await fx.until('sbsh to exit', () => fx.status() !== null, 20_000);
    assert.is(fx.status(), '4');
  });

  test.after(() => fx.remove());
  test.run();
}
