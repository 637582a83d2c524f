import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makePlan } from '../../lib/plan/index.js';
import { denialMessage } from '../../lib/guard/index.js';
import { skipWithReason } from '../helpers/skip.js';
import { e2eMissing, makeFixture } from '../ui-shell/e2e-fixture.js';

// `sbsh --no-tui` in a real terminal (tmux), over a fixture repository, with
// the real pipeline and the real bubblewrap sandbox. The steps build on each
// other, in order: one shell session, as a user would type it.

const COLS = 100;
const ROWS = 30;
const SLEEP = 'sleep 100.4173';

const why = e2eMissing();
if (why) {
  skipWithReason(test, 'sbsh --no-tui in tmux', why);
  test.run();
} else {
  const fx = makeFixture({
    'show-foo.sh': 'echo "FOO=[$FOO]"',
    'exit3.sh': 'exit 3',
    'sleep.sh': `exec ${SLEEP}`,
    'write-home.sh': 'echo pwned > "$HOME/pwned" 2>/dev/null; echo "write-home done"',
    'ask.sh': 'printf "name? "; read name; echo "got [$name]"',
    'winch.sh': '#!/bin/bash\ntrap \'echo "winch $(stty size)"\' WINCH\necho "size $(stty size)"\nwhile :; do sleep 0.1; done\n',
    'notes.txt': Array.from({ length: 200 }, (_, i) => `note line ${i + 1}`).join('\n'),
  });
  const { tmux, repo } = fx;

  const screen = () => tmux.capture().join('\n');
  const waitFor = (what: string, re: RegExp, timeoutMs = 20_000) => tmux.waitFor(what, (l) => re.test(l.join('\n')), timeoutMs);
  /** Clears the screen (readline's C-l, no command), types the line and Enter. */
  async function type(line: string): Promise<void> {
    tmux.keys('C-l');
    await tmux.waitFor('a cleared screen', (l) => /^\(sbsh\) /.test(l[0] ?? '') && l.slice(1).every((x) => x.trim() === ''), 20_000);
    tmux.type(line);
    tmux.keys('Enter');
  }
  const eventsFor = (line: string) => {
    const all = fx.events();
    const ids = new Set(all.filter((e) => e.type === 'decision' && e.line === line).map((e) => e.id));
    return all.filter((e) => ids.has(e.id));
  };

  test('sbsh starts in the repository with its prompt', async () => {
    fx.start(['--no-tui'], COLS, ROWS);
    await waitFor('the first prompt', /\(sbsh\) repo[#$]/);
  });

  test('cd into a sub-folder, then pwd there', async () => {
    await type('cd sub');
    await waitFor('the new prompt', /\(sbsh\) repo\/sub[#$]/);
    await type('pwd');
    await waitFor('pwd', new RegExp(`^${join(repo, 'sub')}$`, 'm'));
    assert.match(screen(), /^sbsh: host \(host-safe/m);
  });

  test('an exported variable reaches a sandboxed script exactly when the default policy passes it', async () => {
    await type('export FOO=1; cd ..');
    await waitFor('back in the root', /\(sbsh\) repo[#$]\s*$/m);
    const plan = await makePlan('./show-foo.sh', { cwd: repo, env: { ...fx.env, FOO: '1' } });
    assert.is(plan.action, 'sandbox', 'a repository script runs in the sandbox');
    const passed = plan.sandbox!.env.pass.includes('FOO');
    await type('./show-foo.sh');
    await waitFor('show-foo.sh output', /^FOO=\[.*\]$/m);
    assert.match(screen(), passed ? /^FOO=\[1\]$/m : /^FOO=\[\]$/m);
    assert.match(screen(), new RegExp(`^sbsh: sandbox:${plan.backend} \\(${plan.class}`, 'm'));
    // The line as typed, not sbsh's rewrite of it.
    assert.match(screen(), /\(sbsh\) repo[#$] \.\/show-foo\.sh$/m);
    assert.not.match(screen(), /__sbsh_/);
  });

  test('a sandboxed script exits 3; $? is 3 on the next line', async () => {
    await type('./exit3.sh');
    await waitFor('the status in the prompt', /\(sbsh\) repo \[3\][#$]/);
    await type('echo "status=$?"');
    await waitFor('$?', /^status=3$/m);
    const ev = eventsFor('./exit3.sh');
    assert.ok(ev.some((e) => e.type === 'start' && e.backend === 'bwrap' && e.pid !== null), JSON.stringify(ev));
    assert.ok(ev.some((e) => e.type === 'exit' && e.status === 3), JSON.stringify(ev));
  });

  test('Ctrl-C stops a sandboxed sleep; nothing is left running; the session goes on', async () => {
    await type('./sleep.sh');
    await fx.until('the sleep to start', () => fx.pgrep(SLEEP).length > 0, 20_000);
    tmux.keys('C-c');
    await waitFor('the prompt after Ctrl-C', /\(sbsh\) repo \[130\][#$]/);
    await fx.until('the sleep to be gone', () => fx.pgrep(SLEEP).length === 0, 5000);
    await type('echo "status=$? alive"');
    await waitFor('the session to go on', /^status=130 alive$/m);
  });

  test('a denied line shows the rule and the reason and runs nothing', async () => {
    const plan = await makePlan('sudo ls', { cwd: repo, env: fx.env });
    assert.is(plan.action, 'deny');
    await type('sudo ls');
    await waitFor('the denial', /\[126\][#$]/);
    assert.ok(screen().includes(denialMessage(plan)), screen());
  });

  test('a sandboxed script cannot write to the home directory', async () => {
    await type('./write-home.sh');
    await waitFor('write-home.sh', /^write-home done$/m);
    assert.not.ok(existsSync(join(fx.home, 'pwned')), 'the file was not written on the host');
  });

  test('a sandboxed script reads what the user types', async () => {
    await type('./ask.sh');
    await waitFor('the question', /^name\?/m);
    tmux.type('Ada');
    tmux.keys('Enter');
    await waitFor('the answer', /^got \[Ada\]$/m);
  });

  test('a window resize reaches a sandboxed program', async () => {
    await type('./winch.sh');
    await waitFor('the first size', new RegExp(`^size ${ROWS} ${COLS}$`, 'm'));
    tmux.resize(COLS - 10, ROWS - 5);
    await waitFor('SIGWINCH in the sandbox', new RegExp(`^winch ${ROWS - 5} ${COLS - 10}$`, 'm'));
    tmux.keys('C-c');
    await waitFor('the prompt', /\[130\][#$]/);
    tmux.resize(COLS, ROWS);
  });

  test('a full-screen program on a host line: less, then back to the prompt', async () => {
    const plan = await makePlan('less notes.txt', { cwd: repo, env: fx.env });
    assert.is(plan.action, 'host');
    await type('less notes.txt');
    await tmux.waitFor('less on the alternate screen', (l) => l[0] === 'note line 1' && /^(:|notes\.txt)/.test(l[l.length - 1] ?? ''), 20_000);
    tmux.type('G');
    await waitFor('the end of the file', /^note line 200$/m);
    tmux.type('q');
    await waitFor('the prompt again', /^\(sbsh\) repo[#$]\s*$/m);
  });

  test('exit leaves sbsh with the given status', async () => {
    await type('exit 5');
    await fx.until('sbsh to exit', () => fx.status() !== null, 20_000);
    assert.is(fx.status(), '5');
  });

  test.after(() => fx.remove());
  test.run();
}
