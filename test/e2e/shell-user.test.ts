import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { skipWithReason } from '../helpers/skip.js';
import { testUser } from '../sandbox/harness.js';
import { e2eMissing, makeFixture } from '../ui-shell/e2e-fixture.js';

// `sbsh --no-tui` run by a normal user (not root): its own FIFOs, pty and
// sandbox (bwrap without the root-only uid switch), in tmux.

const COLS = 100;
const ROWS = 30;
const SLEEP = 'sleep 100.5731';

const user = process.getuid?.() === 0 ? testUser() : null;
const why = e2eMissing() ?? (user ? null : 'needs root to run sbsh as the normal test user (useradd sbshtest)');
if (why || !user) {
  skipWithReason(test, 'sbsh --no-tui as a normal user', why ?? 'no test user');
  test.run();
} else {
  const fx = makeFixture({ 'uid.sh': 'echo "uid=$(id -u)"; exit 3', 'sleep.sh': `exec ${SLEEP}` }, { as: user });
  const { tmux } = fx;
  const waitFor = (what: string, re: RegExp) => tmux.waitFor(what, (l) => re.test(l.join('\n')), 20_000);
  const type = (line: string) => {
    tmux.type(line);
    tmux.keys('Enter');
  };

  test('a sandboxed line runs as the user, and its status comes back', async () => {
    fx.start(['--no-tui'], COLS, ROWS);
    await waitFor('the prompt', /\(sbsh\) repo\$/);
    type('./uid.sh');
    await waitFor('the status', /\(sbsh\) repo \[3\]\$/);
    assert.match(tmux.capture().join('\n'), new RegExp(`^uid=${user.uid}$`, 'm'));
    type('echo "status=$?"');
    await waitFor('$?', /^status=3$/m);
  });

  test('Ctrl-C stops a sandboxed line; nothing is left', async () => {
    type('./sleep.sh');
    await fx.until('the sleep to start', () => fx.pgrep(SLEEP).length > 0, 20_000);
    tmux.keys('C-c');
    await waitFor('the prompt after Ctrl-C', /\[130\]\$/);
    await fx.until('the sleep to be gone', () => fx.pgrep(SLEEP).length === 0, 5000);
  });

  test('exit leaves with the status', async () => {
    type('exit 6');
    await fx.until('sbsh to exit', () => fx.status() !== null, 20_000);
    assert.is(fx.status(), '6');
  });

  test.after(() => fx.remove());
  test.run();
}
