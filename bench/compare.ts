// This build of sbsh against another one (e.g. a worktree of an older
// commit, built), in turns on the same machine: start-up, a sandboxed no-op,
// and `npm install` of a small real project with bare npm as the baseline,
// as one command each and typed at the prompt of each interactive shell.
// Needs the npm registry.
// Run: npm run build && node dist/bench/compare.js OTHER/bin/sbsh [runs]
//   e.g. git worktree add /tmp/old COMMIT && (cd /tmp/old && ln -s "$PWD/node_modules" . && npm run build)
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, npmBenchProject, pairedRatio, timeInTurns, type Sample } from './measure.js';
import { benchShells, typedInTurns } from './pty.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const mine = join(root, 'bin/sbsh');
const other = process.argv[2];
const runs = Number(process.argv[3] ?? 15);
if (!other || !existsSync(other)) throw new Error('usage: node dist/bench/compare.js OTHER/bin/sbsh [runs]');

const { ws, env, clean, sameWork } = npmBenchProject('sbsh-bench-compare-');
console.log(`${sameWork(mine)}\n${sameWork(other)}`);
writeFileSync(join(ws, 'noop.sh'), '#!/bin/sh\nexit 0\n');
chmodSync(join(ws, 'noop.sh'), 0o755);

const both = (what: string, args: string[]) => [
  { name: `${what} (other)`, argv: [other, ...args] },
  { name: `${what} (this)`, argv: [mine, ...args] },
];
const rows: Sample[] = [
  ...timeInTurns(both('sbsh plan -c ./noop.sh', ['plan', '-c', './noop.sh']), { cwd: ws, env, runs }),
  ...timeInTurns(both('sbsh -c ./noop.sh', ['-c', './noop.sh']), { cwd: ws, env, runs }),
  ...timeInTurns([...both("sbsh -c 'npm install'", ['-c', 'npm install']), { name: 'npm install (host)', argv: ['npm', 'install'] }], { cwd: ws, env, runs, warmup: 1, before: clean }),
];
const shells = await benchShells(ws, env, [{ name: 'typed in sbsh (other)', bin: other }, { name: 'typed in sbsh (this)', bin: mine }]);
const typed = (await typedInTurns(shells, 'npm install', { runs, before: clean })).map((s) => ({ ...s, name: `npm install ${s.name}` }));
const ratio = (r: Sample) => {
  const base = r.name.includes('typed') ? typed[0]! : rows.find((x) => x.name === 'npm install (host)')!;
  return r.name.includes('npm install') ? (median(r.ms) / median(base.ms)).toFixed(3) : '';
};
console.log(`### ${other} (other) against ${mine} (this), in turns\n\nmedian of ${runs} runs each\n\n| what | median ms | min ms | ratio to bare npm install |\n|---|---|---|---|`);
const all = [...rows, ...typed];
for (const r of all) console.log(`| ${r.name} | ${median(r.ms).toFixed(1)} | ${Math.min(...r.ms).toFixed(1)} | ${ratio(r)} |`);
console.log('\nthis build against the other, median of the per-turn ratios:\n');
for (const r of all.filter((x) => x.name.endsWith('(this)'))) {
  const o = all.find((x) => x.name === r.name.replace('(this)', '(other)'))!;
  console.log(`- ${r.name.replace(' (this)', '')}: ${pairedRatio(o, r).toFixed(3)}`);
}
process.exit(0);
