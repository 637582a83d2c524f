import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
 * 13 packages, with a home of its own (no startup files, npm's cache
 * filled by a first install on the host). Its .npmrc keeps registry URLs
 * out of the lockfile, so every install asks the registry for the 13
 * packuments (≈ 900 KB) and the sandboxed one goes through the proxy; the
 * lockfile and npm's cache stay between runs (warm cache), and `clean`
 * removes node_modules before each timed run.
 */
export function npmBenchProject(prefix: string): { ws: string; env: NodeJS.ProcessEnv; clean(): void } {
  const ws = benchWorkspace(prefix);
  const home = `${ws}-home`;
  mkdirSync(home, { mode: 0o755 });
  writeFileSync(join(ws, 'package.json'), JSON.stringify({
    name: 'bench-project', version: '1.0.0', private: true,
    dependencies: { debug: '4.3.4', 'is-number': '7.0.0', 'kind-of': '6.0.3', semver: '7.6.0', chalk: '4.1.2' },
  }, null, 2));
  writeFileSync(join(ws, '.npmrc'), 'omit-lockfile-registry-resolved=true\naudit=false\nfund=false\nupdate-notifier=false\n');
  // The caller's environment (CA settings, PATH), but none of its per-user files.
  const xdg = { XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.state'), XDG_CACHE_HOME: join(home, '.cache') };
  const env = { ...process.env, ...xdg, HOME: home, TERM: 'xterm-256color', SBSH_AUDIT_LOG: join(ws, '.audit.jsonl') };
  if (spawnSync('npm', ['install'], { cwd: ws, env, stdio: 'inherit' }).status !== 0) throw new Error('npm install on the host failed: is the registry reachable?');
  return { ws, env, clean: () => rmSync(join(ws, 'node_modules'), { recursive: true, force: true }) };
}
