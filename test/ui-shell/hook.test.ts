import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { markerText } from '../../lib/ui/shell/markers.js';
import { fakeDecider, type FakeDecider } from './fake-decider.js';
import { drive, type Driven } from './harness.js';

// The hook protocol of shells/sbsh-init.bash, driven through a real bash in
// a pty with a stand-in decider (fake-decider.ts: no isolation claimed):
// which lines reach sbsh, what bash runs, what the user sees, $?, history.

const SCRIPTS = {
  'ws/show.sh': '#!/bin/sh\necho "show cwd=$PWD foo=[$FOO]"\n',
  'ws/exit3.sh': '#!/bin/sh\nexit 3\n',
  'ws/canary.sh': '#!/bin/sh\ntouch "$HOME/canary-$1"\necho canary-ran\n',
  'ws/sleepy.sh': '#!/bin/sh\nexec sleep 97.4321\n',
};

const last = (d: FakeDecider) => d.asked[d.asked.length - 1]!;
const visible = (t: Driven) => t.since();

// ---------------------------------------------------------------------------
const one = suite('one session');
let t: Driven;
let decider: FakeDecider;

one.before(async () => {
  decider = fakeDecider();
  t = await drive({ decider, files: SCRIPTS, env: { HISTCONTROL: 'ignorespace' } });
});
one.after(async () => {
  await t.close();
});

one('a host line runs in the shell itself; sbsh was asked with the line, cwd and env', async () => {
  await t.run('echo hi-$((1+2))', /^hi-3$/m);
  assert.is(last(decider).line, 'echo hi-$((1+2))');
  assert.is(last(decider).cwd, t.ws);
  assert.is(last(decider).env.HOME, t.home);
});

one('cd and export on the host are seen by the next sandboxed line', async () => {
  await t.run('cd sub && export FOO=bar-1', /\(sbsh\) ws\/sub/);
  await t.run('../show.sh', /^show cwd=.*\/ws\/sub foo=\[bar-1\]$/m);
  assert.is(last(decider).cwd, join(t.ws, 'sub'));
  assert.is(last(decider).env.FOO, 'bar-1');
  await t.run('unset FOO; cd ..', /\(sbsh\) ws#|\(sbsh\) ws\$/);
  await t.run('./show.sh', /foo=\[\]$/m);
  assert.is(last(decider).env.FOO, undefined);
});

one('the prompt after a sandboxed line is told to the decider once the line is disposed', async () => {
  await t.run('true', /\n\(sbsh\) ws[#$] $/);
  const before = decider.prompts.length;
  await t.run('./show.sh', /^show cwd=[^\n]*\n\(sbsh\) ws[#$] $/m);
  const id = last(decider).id;
  const told = decider.prompts.slice(before);
  assert.ok(told.length > 0, 'the prompt was told');
  // Readline may draw the prompt again while it accepts the line; the last drawing is the one after it.
  assert.ok(told.at(-1)!.includes(id), 'the line was disposed before its next prompt was told');
});

one('the screen shows the line as typed, never the rewrite', async () => {
  await t.run('./show.sh # typed', /show cwd=/);
  assert.ok(/\(sbsh\) ws[#$] \.\/show\.sh # typed$/m.test(visible(t)), visible(t));
  assert.not.ok(visible(t).includes('__sbsh_'), visible(t));
  assert.not.ok(t.raw().includes('__sbsh_'));
});

one("a sandboxed line's status is $? of the next line", async () => {
  await t.run('./exit3.sh', /\[3\][#$]/);
  await t.run('echo "status=$?"', /^status=3$/m);
  const exit = t.events.find((e) => e.type === 'exit' && e.status === 3);
  assert.ok(exit, 'an exit event with status 3');
  const disposed = decider.disposed.find((d) => d.id === exit!.id);
  assert.equal(disposed?.status, 3);
});

one('a refused line prints the reason, runs nothing and sets $? to 126', async () => {
  await t.run('sudo ./canary.sh refused', /denied by fake\.sudo: no sudo here/);
  await t.run('echo "status=$?"', /^status=126$/m);
  assert.not.ok(existsSync(join(t.home, 'canary-refused')));
});

one('history keeps the lines as typed, not the rewrites', async () => {
  await t.run('history', /\d+\s+history$/m);
  const text = visible(t);
  assert.match(text, /\d+\s+\.\/exit3\.sh$/m);
  assert.match(text, /\d+\s+sudo \.\/canary\.sh refused$/m);
  assert.not.ok(/\d+\s+__sbsh_/m.test(text), text);
});

one('HISTCONTROL=ignorespace is honoured for sandboxed lines too', async () => {
  await t.run(' ./show.sh secret-line', /show cwd=/);
  await t.run('history 3', /\d+\s+history 3$/m);
  assert.not.ok(visible(t).includes('secret-line\n'), 'line with a leading space kept out of history');
  assert.not.match(visible(t), /\d+\s+\.\/show\.sh secret-line/);
});

one('an unfinished line goes on in readline and is planned whole', async () => {
  const before = decider.asked.length;
  await t.type('for i in 1 2; do\r');
  await t.waitForScreen(/for i in 1 2; do$/m);
  await new Promise((r) => setTimeout(r, 200));
  assert.is(decider.asked.length, before, 'nothing planned while the construct is open');
  await t.run('./show.sh $i; done', /show cwd=.* foo=\[\]\n.*show cwd=/);
  assert.is(decider.asked.length, before + 1);
  assert.is(last(decider).line, 'for i in 1 2; do\n./show.sh $i; done');
});

one('an unfinished line with non-ASCII text goes on at its end', async () => {
  await t.type('echo "é\r');
  await t.waitForScreen(/echo "é$/m);
  await t.run('b"', /^é\nb$/m);
  assert.is(last(decider).line, 'echo "é\nb"');
});

one('history expansion: sbsh plans what bash will run', async () => {
  await t.run('./show.sh bang', /show cwd=/);
  await t.run('!!', /show cwd=/);
  assert.is(last(decider).line, './show.sh bang');
});

one('C-o (operate-and-get-next) goes through sbsh too', async () => {
  await t.type('./canary.sh c-o\x0f');
  await t.waitForScreen(/^canary-ran$/m);
  assert.is(last(decider).line, './canary.sh c-o');
  // operate-and-get-next put the same line back for editing: clear it.
  await t.type('\x15');
});

one('M-# (insert-comment) goes through sbsh and runs nothing', async () => {
  await t.type('./canary.sh m-hash\x1b#');
  await t.waitFor(() => last(decider).line === '#./canary.sh m-hash', 'the commented line planned');
  await t.run('echo after-comment', /^after-comment$/m);
  assert.not.ok(existsSync(join(t.home, 'canary-m-hash')));
});

one('a marker with a guessed nonce in a program\'s output hides nothing', async () => {
  const forged = markerText('0123456789abcdef0123456789abcdef', 'H').replace(/\x1b/g, '\\033').replace(/\x07/g, '\\007');
  await t.run(`printf '${forged}'; echo still-visible`, /^still-visible$/m);
  await t.run('echo and-after', /^and-after$/m);
});

one('vi mode: Enter still goes through sbsh', async () => {
  await t.run('set -o vi', /set -o vi\n/);
  await t.run('./canary.sh vi', /^canary-ran$/m);
  assert.is(last(decider).line, './canary.sh vi');
  await t.run('set -o emacs', /set -o emacs\n/);
});

one('Ctrl-C stops a sandboxed line: 130, nothing left running, the shell goes on', async () => {
  await t.type('./sleepy.sh\r');
  await t.waitFor(() => pgrep('sleep 97.4321').length > 0, 'the sleep to start');
  await t.type('\x03');
  await t.waitForScreen(/\[130\][#$]/);
  assert.equal(pgrep('sleep 97.4321'), []);
  await t.run('echo "status=$?"', /^status=130$/m);
});

one('exit leaves with the given status', async () => {
  await t.type('exit 7\r');
  assert.is(await t.exited, 7);
});

// ---------------------------------------------------------------------------
const alone = suite('separate sessions');

alone('no decision: the line is not run, the shell says so', async () => {
  const d = fakeDecider();
  const s = await drive({ decider: d, files: SCRIPTS, decisionTimeoutSeconds: 1 });
  try {
    await s.run('hang; ./canary.sh hang', /no decision came back in 1 s; the line was not run/, 5000);
    assert.not.ok(existsSync(join(s.home, 'canary-hang')));
    // The line is still there to edit; the shell still works.
    await s.type('\x15');
    await s.run('echo alive', /^alive$/m);
  } finally {
    await s.close();
  }
});

alone('a continuation bash asks for itself is planned together with what came before', async () => {
  const d = fakeDecider();
  const s = await drive({ decider: d, files: SCRIPTS });
  try {
    // sbsh checks for unfinished lines without the shell's extglob, so this
    // looks like an error to it, and bash (extglob on) wants more.
    await s.run('shopt -s extglob', /shopt -s extglob\n/);
    await s.type('echo @(a|\r');
    await s.waitFor(() => last(d).line === 'echo @(a|', 'the first part planned');
    await s.run('./canary.sh cont)', /together they are not host-safe/);
    assert.is(last(d).line, 'echo @(a|\n./canary.sh cont)');
    await s.run('echo alive', /^alive$/m);
    assert.not.ok(existsSync(join(s.home, 'canary-cont')));
  } finally {
    await s.close();
  }
});

alone("aliases: sbsh plans what bash will run", async () => {
  const d = fakeDecider();
  const s = await drive({ decider: d, files: SCRIPTS });
  try {
    await s.run("alias ls=./canary.sh p='echo x |'", /\n\(sbsh\) /);
    await s.run('ls aliased', /^canary-ran$/m);
    assert.is(last(d).line, './canary.sh aliased');
    // An alias that leaves the line unfinished: readline goes on, as for any open construct.
    const asked = d.asked.length;
    await s.type('p\r');
    await new Promise((r) => setTimeout(r, 300));
    assert.is(d.asked.length, asked, 'not planned while unfinished');
    await s.run('cat', /^x$/m);
    assert.is(last(d).line, 'echo x |\ncat');
  } finally {
    await s.close();
  }
});

alone('a refusal that ends the session (strict guard) leaves with 126', async () => {
  const s = await drive({ decider: fakeDecider() });
  await s.run('sudo --last ls', /denied by fake\.sudo/);
  assert.is(await s.exited, 126);
  await s.close();
});

alone('C-x C-e edits the line and does not run it', async () => {
  const d = fakeDecider();
  const s = await drive({
    decider: d,
    files: { ...SCRIPTS, 'ed.sh': '#!/bin/sh\nprintf "./canary.sh edited\\n" > "$1"\n' },
    env: { EDITOR: '' },
  });
  try {
    await s.run(`export VISUAL=${join(s.dir, 'ed.sh')}`, /\n\(sbsh\) /);
    const asked = d.asked.length;
    await s.type('echo x\x18\x05');
    await s.waitForScreen(/\.\/canary\.sh edited$/m);
    await new Promise((r) => setTimeout(r, 300));
    assert.is(d.asked.length, asked, 'nothing planned, nothing run');
    assert.not.ok(existsSync(join(s.home, 'canary-edited')));
    await s.type('\r');
    await s.waitForScreen(/^canary-ran$/m);
    assert.is(last(d).line, './canary.sh edited');
  } finally {
    await s.close();
  }
});

alone('input typed before the shell is ready is held, then goes through sbsh', async () => {
  const d = fakeDecider();
  const s = await drive({ decider: d, files: { ...SCRIPTS, 'home/.bashrc': 'sleep 0.5\n' } });
  try {
    await s.run('./canary.sh early', /^canary-ran$/m);
    assert.is(last(d).line, './canary.sh early');
  } finally {
    await s.close();
  }
});

alone('prompt: a customised PS1 is kept and tagged; the status shows in sbsh\'s own', async () => {
  const custom = await drive({ decider: fakeDecider(), files: { 'home/.bashrc': "PS1='my-prompt> '\n" } });
  try {
    await custom.run('echo x', /\(sbsh\) my-prompt> echo x/);
  } finally {
    await custom.close();
  }
  const own = await drive({ decider: fakeDecider() });
  try {
    await own.run('false', /\(sbsh\) ws \[1\][#$]/);
    await own.run('true', /\(sbsh\) ws[#$]\s*$/);
  } finally {
    await own.close();
  }
});

alone('login mode reads the profile files, and the history file is per user', async () => {
  const s = await drive({
    decider: fakeDecider(),
    login: true,
    files: { 'home/.bash_profile': 'export FROM_PROFILE=yes\n', 'home/.bashrc': 'export FROM_BASHRC=yes\n' },
  });
  await s.run('echo "p=$FROM_PROFILE r=$FROM_BASHRC"', /^p=yes r=$/m);
  await s.type('exit\r');
  assert.is(await s.exited, 0);
  const hist = join(s.home, '.state', 'sbsh', 'history');
  assert.match(readFileSync(hist, 'utf8'), /echo "p=\$FROM_PROFILE/);
  await s.close();
});

alone('history carries over to the next session', async () => {
  const state = mkdtempSync(join(tmpdir(), 'sbsh-state-'));
  try {
    const first = await drive({ decider: fakeDecider(), env: { XDG_STATE_HOME: state } });
    await first.run('echo from-the-first-session', /^from-the-first-session$/m);
    await first.type('exit\r');
    await first.exited;
    await first.close();
    const second = await drive({ decider: fakeDecider(), env: { XDG_STATE_HOME: state } });
    try {
      await second.run('history', /\d+\s+echo from-the-first-session$/m);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

alone('resize reaches the shell', async () => {
  const s = await drive({ decider: fakeDecider() });
  try {
    s.session.resize(120, 40);
    await s.run('stty size', /^40 120$/m);
  } finally {
    await s.close();
  }
});

alone('plain mode announces each decision as one dim row before the output', async () => {
  const s = await drive({ decider: fakeDecider(), files: SCRIPTS, announce: true });
  try {
    await s.run('./show.sh', /show cwd=/);
    const rows = s.screen();
    const i = rows.findIndex((r) => r.includes('sbsh: sandbox:fake (build) fake.script'));
    assert.ok(i > 0, rows.join('\n'));
    assert.match(rows[i - 1]!, /\.\/show\.sh$/);
    assert.match(rows[i + 1]!, /^show cwd=/);
    assert.ok(s.raw().includes('\x1b[2msbsh: sandbox:fake'));
  } finally {
    await s.close();
  }
});

function pgrep(pattern: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `^${pattern}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

one.run();
alone.run();
