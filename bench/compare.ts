// This build of sbsh against another one (e.g. a worktree of an older
// commit, built), in turns on the same machine: start-up, a sandboxed no-op,
// and `npm install` of a small real project with bare npm as the baseline.
// Needs the npm registry.
// Run: npm run build && node dist/bench/compare.js OTHER/bin/sbsh [runs]
//   e.g. git worktree add /tmp/old COMMIT && (cd /tmp/old && ln -s "$PWD/node_modules" . && npm run build)
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchWorkspace, median, timeInTurns, type Sample } from './measure.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const mine = join(root, 'bin/sbsh');
const other = process.argv[2];
const runs = Number(process.argv[3] ?? 15);
if (!other || !existsSync(other)) throw new Error('usage: node dist/bench/compare.js OTHER/bin/sbsh [runs]');

const ws = benchWorkspace('sbsh-bench-compare-');
writeFileSync(join(ws, 'noop.sh'), '#!/bin/sh\nexit 0\n');
chmodSync(join(ws, 'noop.sh'), 0o755);
writeFileSync(join(ws, 'package.json'), JSON.stringify({
  name: 'bench-project', version: '1.0.0', private: true,
  dependencies: { debug: '4.3.4', 'is-number': '7.0.0', 'kind-of': '6.0.3', semver: '7.6.0', chalk: '4.1.2' },
}, null, 2));
const env = { ...process.env, SBSH_AUDIT_LOG: join(ws, '.audit.jsonl'), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
const clean = () => rmSync(join(ws, 'node_modules'), { recursive: true, force: true });
if (spawnSync('npm', ['install'], { cwd: ws, env, stdio: 'inherit' }).status !== 0) throw new Error('npm install on the host failed: is the registry reachable?');

const both = (what: string, args: string[]) => [
  { name: `${what} (other)`, argv: [process.execPath, other, ...args] },
  { name: `${what} (this)`, argv: [process.execPath, mine, ...args] },
];
const rows: Sample[] = [
  ...timeInTurns(both('sbsh plan -c ./noop.sh', ['plan', '-c', './noop.sh']), { cwd: ws, env, runs }),
  ...timeInTurns(both('sbsh -c ./noop.sh', ['-c', './noop.sh']), { cwd: ws, env, runs }),
  ...timeInTurns([...both("sbsh -c 'npm install'", ['-c', 'npm install']), { name: 'npm install (host)', argv: ['npm', 'install'] }], { cwd: ws, env, runs, warmup: 1, before: clean }),
];
const host = median(rows.find((r) => r.name === 'npm install (host)')!.ms);
console.log(`### ${other} (other) against ${mine} (this), in turns\n\nmedian of ${runs} runs each\n\n| what | median ms | min ms | ratio to npm install (host) |\n|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.name} | ${median(r.ms).toFixed(1)} | ${Math.min(...r.ms).toFixed(1)} | ${r.name.includes('npm install') ? (median(r.ms) / host).toFixed(3) : ''} |`);
