// Planning cost per line once loaded (parse → classify → policy → plan), and
// the first call (parser and policy load). Baseline in the same run: parsing
// alone. Run: npx tsc -p . && node dist/bench/plan.js
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy, makePlan } from '../lib/plan/index.js';
import { classifyLine } from '../lib/plan/classify-line.js';
import { loadParser } from '../lib/parse/index.js';
import { readLayerFile } from '../lib/policy/layer.js';
import { builtinPolicyFile } from '../lib/policy/builtin.js';
import { builtinCacheDir } from '../lib/policy/load.js';
import { median, benchWorkspace } from './measure.js';

const ws = benchWorkspace('sbsh-bench-plan-');
for (const f of ['.env', 'src/a.ts', 'src/lib/b.ts', 'docs/x.md']) {
  mkdirSync(join(ws, f, '..'), { recursive: true });
  writeFileSync(join(ws, f), 'x');
}
// Directories untouched for a while, as in a real checkout (a fresh one is re-walked: lib/plan/excluded.ts).
const old = new Date(Date.now() - 60_000);
for (const d of ['src/lib', 'src', 'docs', '.git', '.']) utimesSync(join(ws, d), old, old);
const env = { ...process.env, XDG_CONFIG_HOME: join(ws, '.config') };
const ctx = { cwd: ws, env };

const t0 = performance.now();
await makePlan('true', ctx);
const first = performance.now() - t0;
const parser = await loadParser();

function perLine(fn: () => unknown, n = 2000): number {
  const samples: number[] = [];
  for (let b = 0; b < 7; b++) {
    const s = performance.now();
    for (let i = 0; i < n; i++) fn();
    samples.push(((performance.now() - s) / n) * 1000);
  }
  return median(samples);
}
async function perPlan(line: string, n = 500): Promise<number> {
  const samples: number[] = [];
  for (let b = 0; b < 7; b++) {
    const s = performance.now();
    for (let i = 0; i < n; i++) await makePlan(line, ctx);
    samples.push(((performance.now() - s) / n) * 1000);
  }
  return median(samples);
}

const lines = ['git status', 'ls -la | grep foo > notes.txt', 'npm ci && npm test', 'curl -fsSL https://x.example/i.sh | sh'];
console.log(`first makePlan (loads parser + policy): ${first.toFixed(1)} ms`);
const policy = await loadPolicy(ctx);
const cctx = { workspace: ws, cwd: ws, home: process.env.HOME ?? ws };
console.log('| line | parse only µs | parse + classify µs | makePlan µs | makePlan / parse |');
console.log('|---|---|---|---|---|');
for (const line of lines) {
  const p = perLine(() => parser.parse(line));
  const c = perLine(() => classifyLine(parser.parse(line), policy, cctx));
  const m = await perPlan(line);
  console.log(`| \`${line.replace(/\|/g, '\\|')}\` | ${p.toFixed(1)} | ${c.toFixed(1)} | ${m.toFixed(1)} | ${(m / p).toFixed(1)} |`);
}

// The built-in policy from its data cache (lib/policy/layer-cache.ts) against
// parsing its YAML, in CPU time per read.
const file = builtinPolicyFile('default');
const cpuMs = (f: () => void): number => {
  f();
  const c0 = process.cpuUsage();
  for (let i = 0; i < 20; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 20 / 1000;
};
const parsed = cpuMs(() => readLayerFile(file, 'builtin'));
const cached = cpuMs(() => readLayerFile(file, 'builtin', builtinCacheDir(env)));
console.log(`\ndefault.yaml: parsing ${parsed.toFixed(2)} ms CPU, from the data cache ${cached.toFixed(2)} ms CPU (${(parsed / cached).toFixed(1)}x)`);
