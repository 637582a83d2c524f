// `npm install` of a small real project from the registry, sandboxed by sbsh
// (through the proxy) against bare npm on the host, in the same run and in
// turns, warm cache: node_modules is removed before every run, the lockfile
// and npm's cache stay. Needs the npm registry.
// Run: npx tsc -p . && node dist/bench/npm-install.js [runs]
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report, timeInTurns, median, npmBenchProject } from './measure.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const sbsh = join(root, 'bin/sbsh');
const runs = Number(process.argv[2] ?? 5);

const { ws, env, clean } = npmBenchProject('sbsh-bench-npm-');

const samples = timeInTurns([
  { name: 'npm install (host)', argv: ['npm', 'install'] },
  { name: "sbsh -c 'npm install'", argv: [process.execPath, sbsh, '-c', 'npm install'] },
], { cwd: ws, env, runs, warmup: 1, before: clean });
console.log(report('npm install, warm cache: sandboxed vs bare', samples, 'npm install (host)'));
console.log(`ratio: ${(median(samples[1]!.ms) / median(samples[0]!.ms)).toFixed(3)} (target ≤ 1.15)`);
