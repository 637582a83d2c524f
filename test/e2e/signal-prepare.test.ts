import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AuditEvent } from '../../lib/audit/schema.js';
import { processTable } from '../helpers/proc.js';
import { SBSH } from '../helpers/sbsh.js';
import { skipWithReason } from '../helpers/skip.js';

// A SIGTERM while `sbsh -c` is still preparing the sandbox, through the real
// bin/sbsh and bubblewrap: the command never starts, what was made ready is
// undone, and sbsh exits 143. The signal is sent while sbsh lends a large
// node_modules to the sandbox's uid (`find` and `chown -hR` over 30 000
// files, as root only): that is, certainly before the sandbox is spawned.

const s = suite('sbsh -c: a signal while the sandbox is being prepared');
const FILES_PER_DIR = 100;
const DIRS = 300;

/** A child of `parent` running `find` or `chown` over `path`. */
function lending(parent: number, path: string): boolean {
  return processTable().some((p) => p.ppid === parent && /(^|\/)(find|chown)$/.test(p.argv[0] ?? '') && p.argv.includes(path));
}

if (process.getuid?.() !== 0) {
  skipWithReason(s, 'a signal during preparation', 'only root lends workspace paths to the sandbox\'s uid, which is the window this test signals in; CI runs it as root');
} else {
  let base: string;
  s.before(() => {
    base = mkdtempSync(join(tmpdir(), 'sbsh-sigprep-'));
    chmodSync(base, 0o755);
  });
  s.after(() => rmSync(base, { recursive: true, force: true }));

  s('SIGTERM during preparation: 143, the command never ran, the lent node_modules is given back', async () => {
    const ws = join(base, 'ws');
    const home = join(base, 'home');
    mkdirSync(home);
    mkdirSync(ws);
    spawnSync('git', ['init', '-q', ws]);
    writeFileSync(join(ws, 'package.json'), '{"name":"x","version":"1.0.0","scripts":{"preinstall":"touch ran"}}\n');
    const modules = join(ws, 'node_modules');
    const made = spawnSync('bash', ['-c', `for d in $(seq ${DIRS}); do mkdir "$d" && (cd "$d" && touch $(seq ${FILES_PER_DIR})); done`], { cwd: (mkdirSync(modules), modules) });
    assert.is(made.status, 0, String(made.stderr));
    const log = join(base, 'audit.jsonl');
    const env = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', SBSH_AUDIT_LOG: log, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.state'), XDG_CACHE_HOME: join(home, '.cache') };

    const child = spawn(SBSH, ['-c', 'npm install'], { cwd: ws, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
    let signalled = false;
    for (let i = 0; i < 5000 && !signalled && child.exitCode === null; i++) {
      if (lending(child.pid!, modules)) {
        child.kill('SIGTERM');
        signalled = true;
      } else await new Promise((r) => setImmediate(r));
    }
    const { code, signal } = await exited;
    assert.ok(signalled, `sbsh was never seen lending ${modules}; stderr: ${stderr}`);
    assert.equal({ code, signal }, { code: 143, signal: null }, stderr);

    const events = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => AuditEvent.parse(JSON.parse(l)));
    assert.not.ok(events.some((e) => e.type === 'start'), 'the command was never started');
    const exit = events.find((e) => e.type === 'exit');
    assert.equal(exit && [exit.status, exit.signal], [143, 'SIGTERM']);
    assert.is(readdirSync(ws).includes('ran'), false);
    for (const p of [modules, join(modules, '1'), join(modules, String(DIRS), String(FILES_PER_DIR))]) {
      assert.is(lstatSync(p).uid, 0, `${p} is given back to root`);
    }
  });
}

s.run();
