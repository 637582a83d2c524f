import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runPrepared, type Supervised } from '../../lib/sandbox/run.js';

// runPrepared catches SIGINT, SIGTERM and SIGHUP before it spawns: a child is
// visible in /proc (and can be signalled about, as bwrap-run.test.ts's
// "SIGTERM while the sandbox is still being set up" does) once it has exec'd,
// which is before spawn() returns. A signal that came before the handlers
// would end sbsh at once, without its clean-up (seen once in CI: status null
// instead of 143). `args` is read by the spawn call itself, so a getter on it
// sees the handlers as they are at that moment.

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const count = () => SIGNALS.map((sig) => process.listenerCount(sig));

/** `file` with the arguments `atSpawn` returns, called as the spawn reads them. */
function prepared(file: string, atSpawn: () => string[]): Supervised {
  return {
    file,
    get args() {
      return atSpawn();
    },
    env: { PATH: process.env.PATH },
    cwd: '/',
    fds: [],
    dispose: async () => {},
  };
}

test('the signal handlers are in place when the child is spawned, and gone after the run', async () => {
  const before = count();
  let atSpawn: number[] | null = null;
  const p = prepared('/bin/true', () => {
    atSpawn ??= count();
    return [];
  });
  const r = await runPrepared(p, { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
  assert.is(r.status, 0);
  assert.equal(atSpawn, before.map((n) => n + 1));
  assert.equal(count(), before);
});

test('a signal that comes before the child exists reaches it once it runs', async () => {
  let sent = false;
  const p = prepared('/bin/sleep', () => {
    // As if it arrived between the handlers and the spawn.
    if (!sent) {
      sent = true;
      process.kill(process.pid, 'SIGTERM');
    }
    return ['5'];
  });
  const r = await runPrepared(p, { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
  assert.is(r.status, 143);
});

test.run();
