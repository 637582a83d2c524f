import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '../../lib/audit/schema.js';
import { asUser } from '../helpers/process.js';
import { SBSH } from '../helpers/sbsh.js';
import { Tmux, tmuxAvailable } from '../ui-pane/tmux.js';

// A fixture repository and a private tmux server for the shell's
// end-to-end tests (test/e2e/shell-*.test.ts): real bin/sbsh, real sandbox.

/** Why these tests cannot run here, or null. */
export function e2eMissing(): string | null {
  if (process.platform !== 'linux') return 'the bwrap sandbox needs Linux';
  if (spawnSync('bwrap', ['--version']).status !== 0) return 'bubblewrap is not installed (apt-get install -y bubblewrap)';
  return tmuxAvailable();
}

export interface Fixture {
  dir: string;
  home: string;
  repo: string;
  env: NodeJS.ProcessEnv;
  tmux: Tmux;
  /** Starts `bin/sbsh ARGS` in the repository, in tmux; its exit status goes to a file. */
  start(args: string[], cols: number, rows: number): void;
  /** sbsh's exit status once it has exited, else null. */
  status(): string | null;
  events(): AuditEvent[];
  /** Polls a condition that is not on the screen (tmux may be gone by then). */
  until(what: string, ok: () => boolean, timeoutMs: number): Promise<void>;
  /** pids of processes whose whole command line is `cmd`. */
  pgrep(cmd: string): string[];
  remove(): void;
}

/** A git repository holding `files` (`*.sh`: an sh body, or a whole script starting with `#!`, made executable) and an empty `sub/`. */
export function makeFixture(files: Record<string, string>, opts: { as?: { uid: number; gid: number } } = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'sbsh-e2e-shell-'));
  // Run as root, sbsh runs the sandbox as an unprivileged uid: it must be able to reach the repository.
  chmodSync(dir, 0o755);
  const home = join(dir, 'home');
  const repo = join(dir, 'repo');
  const statusFile = join(dir, 'status');
  const auditLog = join(dir, 'audit.jsonl');
  mkdirSync(home);
  mkdirSync(join(repo, 'sub'), { recursive: true });
  execFileSync('git', ['init', '-q', repo]);
  for (const [name, body] of Object.entries(files)) {
    const script = name.endsWith('.sh');
    writeFileSync(join(repo, name), script && !body.startsWith('#!') ? `#!/bin/sh\n${body}\n` : body, { mode: script ? 0o755 : 0o644 });
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    SBSH_AUDIT_LOG: auditLog,
  };
  // Another user owns the repository and HOME and runs sbsh; tmux stays root's.
  if (opts.as) execFileSync('chown', ['-R', `${opts.as.uid}:${opts.as.gid}`, repo, home]);
  const tmux = new Tmux(join(dir, 'tmux.sock'));
  return {
    dir, home, repo, env, tmux,
    start(args, cols, rows) {
      const argv = asUser([SBSH, ...args], opts.as).map((a) => `'${a}'`).join(' ');
      tmux.start(`cd '${repo}' && ${argv}; echo $? > '${statusFile}'`, cols, rows, env);
    },
    status: () => (existsSync(statusFile) ? readFileSync(statusFile, 'utf8').trim() || null : null),
    events: () => (existsSync(auditLog) ? readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEvent) : []),
    async until(what, ok, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    pgrep(cmd) {
      const r = spawnSync('pgrep', ['-f', `^${cmd}$`], { encoding: 'utf8' });
      return r.stdout.trim().split('\n').filter(Boolean);
    },
    remove() {
      tmux.kill();
      // sbsh may still be writing its state as it exits.
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
