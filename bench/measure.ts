import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Shared timing helpers for the benches: every bench measures its baseline
// in the same run and prints ratios against it.

export interface Sample {
  name: string;
  ms: number[];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The median of the per-turn ratios b[i] / a[i] of two samples timed in
 * turns: each pair ran seconds apart, so a change in the machine's load
 * that lasts longer than a turn falls on both, where it can move either
 * sample's own median.
 */
export function pairedRatio(a: Sample, b: Sample): number {
  if (a.ms.length !== b.ms.length) throw new Error(`pairedRatio: ${a.name} has ${a.ms.length} runs, ${b.name} ${b.ms.length}`);
  return median(b.ms.map((ms, i) => ms / a.ms[i]!));
}

/** Runs argv `runs` times (after `warmup` unmeasured runs); fails loudly if a run fails. */
export function timeCommand(name: string, argv: string[], opts: SpawnSyncOptions & { runs?: number; warmup?: number; before?: () => void } = {}): Sample {
  const { runs = 20, warmup = 2, before, ...spawnOpts } = opts;
  const ms: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    before?.();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOpts });
    const dt = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) {
      throw new Error(`bench ${name}: ${argv.join(' ')} exited ${r.status} ${r.signal ?? ''}\n${r.stderr?.toString() ?? ''}`);
    }
    if (i >= warmup) ms.push(dt);
  }
  return { name, ms };
}

/**
 * Times several commands in turns (A, B, A, B, …) rather than all runs of
 * one and then the other, so that a drift in the machine's load falls on
 * every command alike.
 */
export function timeInTurns(commands: { name: string; argv: string[] }[], opts: SpawnSyncOptions & { runs?: number; warmup?: number; before?: () => void } = {}): Sample[] {
  const { runs = 20, warmup = 2, ...rest } = opts;
  const samples = commands.map((c) => ({ name: c.name, ms: [] as number[] }));
  for (let i = 0; i < warmup + runs; i++) {
    commands.forEach((c, k) => {
      const [ms] = timeCommand(c.name, c.argv, { ...rest, runs: 1, warmup: 0 }).ms;
      if (i >= warmup) samples[k]!.ms.push(ms!);
    });
  }
  return samples;
}

export function report(title: string, samples: Sample[], baseline: string): string {
  const base = samples.find((s) => s.name === baseline);
  if (!base) throw new Error(`no baseline ${baseline}`);
  const b = median(base.ms);
  const rows = samples.map((s) => {
    const m = median(s.ms);
    return `| ${s.name} | ${m.toFixed(1)} | ${Math.min(...s.ms).toFixed(1)} | ${(m / b).toFixed(2)} |`;
  });
  return [`### ${title}`, '', `median of ${base.ms.length} runs; ratio against \`${baseline}\``, '', '| what | median ms | min ms | ratio |', '|---|---|---|---|', ...rows, ''].join('\n');
}

/** A fresh git workspace that sbsh's sandbox uid can reach (as root it runs as an unprivileged uid). */
export function benchWorkspace(prefix: string): string {
  const ws = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(ws, 0o755);
  spawnSync('git', ['init', '-q', ws]);
  return ws;
}

/**
 * The small real project the npm benches install: 5 registry dependencies,
 * 13 packages, its lockfile, and a home of its own (no startup files, npm's
 * cache filled by a first install on the host). npm's settings come from the
 * environment, the same on both sides: the sandbox reads the project's
 * .npmrc as an empty file (it may hold registry tokens), so settings there
 * would apply to the host's npm only. They turn off the audit, fund and
 * update checks, and make npm revalidate every cached package with the
 * registry (prefer-online): every install asks the registry for the 13
 * tarballs, and the sandboxed one does so through the proxy. The lockfile
 * and npm's cache stay between runs (warm cache); `clean` removes
 * node_modules before each timed run.
 */
export function npmBenchProject(prefix: string): { ws: string; env: NodeJS.ProcessEnv; clean(): void; sameWork(sbsh: string): string } {
  const ws = benchWorkspace(prefix);
  const home = `${ws}-home`;
  mkdirSync(home, { mode: 0o755 });
  writeFileSync(join(ws, 'package.json'), JSON.stringify({
    name: 'bench-project', version: '1.0.0', private: true,
    dependencies: { debug: '4.3.4', 'is-number': '7.0.0', 'kind-of': '6.0.3', semver: '7.6.0', chalk: '4.1.2' },
  }, null, 2));
  // The caller's environment (CA settings, PATH), but none of its per-user files.
  const xdg = { XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.state'), XDG_CACHE_HOME: join(home, '.cache') };
  // Names the default policy passes into the sandbox (npm_config_audit, ...).
  const npm = { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_prefer_online: 'true' };
  const env = { ...process.env, ...xdg, ...npm, HOME: home, TERM: 'xterm-256color', SBSH_AUDIT_LOG: join(ws, '.audit.jsonl') };
  if (spawnSync('npm', ['install'], { cwd: ws, env, stdio: 'inherit' }).status !== 0) throw new Error('npm install on the host failed: is the registry reachable?');
  const clean = () => rmSync(join(ws, 'node_modules'), { recursive: true, force: true });
  return { ws, env, clean, sameWork: (sbsh) => sameNpmWork(ws, env, sbsh, clean) };
}

/**
 * The registry requests of one install on each side (npm's own http log),
 * and an error when they differ: a ratio is only worth printing when the
 * sandboxed npm does the host's work, nothing more or less. (It once did an
 * audit the host's npm did not: the project's .npmrc, which turned it off,
 * reads empty inside the sandbox.)
 */
function sameNpmWork(ws: string, env: NodeJS.ProcessEnv, sbsh: string, clean: () => void): string {
  const requests = (argv: string[]) => {
    clean();
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd: ws, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}\n${r.stderr}`);
    return r.stderr.split('\n').filter((l) => l.startsWith('npm http fetch')).map((l) => l.replace(/ \d+ms.*$/, '')).sort();
  };
  const host = requests(['npm', 'install', '--loglevel=http']);
  const sandboxed = requests([sbsh, '-c', 'npm install --loglevel=http']);
  if (host.join('\n') !== sandboxed.join('\n')) {
    throw new Error(`the sandboxed npm install does other work than the host's:\nhost:\n${host.join('\n')}\nsandboxed:\n${sandboxed.join('\n')}`);
  }
  return `same work on both sides: ${host.length} registry requests per install`;
}

/**
 * A resident sbsh (`sbsh resident`) in a runtime directory of its own, so
 * that no other resident (the user's) answers: `runtime` is the
 * XDG_RUNTIME_DIR that finds it. `stop()` ends it and returns how many lines
 * it ran: the timed runs block this process, so its log is read at the end.
 */
export async function startResident(sbsh: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ runtime: string; stop(): Promise<number> }> {
  const parent = ['/run', process.env.XDG_RUNTIME_DIR ?? ''].find((d) => d.startsWith('/run') && writable(d));
  if (!parent) throw new Error('the resident rows need a writable runtime directory under /run (run as root, or set XDG_RUNTIME_DIR)');
  const runtime = mkdtempSync(join(parent, 'sbsh-bench-'));
  const child = spawn(sbsh, ['resident'], { cwd, env: { ...env, XDG_RUNTIME_DIR: runtime }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  const closed = new Promise((resolve) => child.once('close', resolve));
  while (!log.includes('listening')) {
    if (child.exitCode !== null) throw new Error(`sbsh resident exited ${child.exitCode}: ${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    runtime,
    async stop() {
      child.kill('SIGTERM');
      await closed;
      rmSync(runtime, { recursive: true, force: true });
      return log.split('ran its line, exit 0').length - 1;
    },
  };
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
