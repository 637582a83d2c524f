// `npm install` of a small real project from the registry, sandboxed by sbsh
// (through the proxy) against bare npm on the host, warm cache, in turns:
//  1. one command each: `sbsh -c 'npm install'` against `npm install`, each
//     a new process (as in CI);
//  2. typed at a prompt: `npm install` in the interactive shell (`sbsh
//     --no-tui`) against the same line in bash, both in real ptys reading the
//     same startup files, timed from Enter to the next prompt (as a person
//     using sbsh as their shell).
// Needs the npm registry.
// Run: npx tsc -p . && node dist/bench/npm-install.js [runs]
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report, timeInTurns, median, npmBenchProject, pairedRatio, type Sample } from './measure.js';
import { benchShells, typedInTurns } from './pty.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const sbsh = join(root, 'bin/sbsh');
const runs = Number(process.argv[2] ?? 5);

function ratios(bare: Sample, sandboxed: Sample): string {
  return `ratio: ${(median(sandboxed.ms) / median(bare.ms)).toFixed(3)} (target ≤ 1.15); median of the per-turn ratios: ${pairedRatio(bare, sandboxed).toFixed(3)}`;
}

const { ws, env, clean, sameWork } = npmBenchProject('sbsh-bench-npm-');
console.log(sameWork(sbsh));

const commands = timeInTurns([
  { name: 'npm install (host)', argv: ['npm', 'install'] },
  { name: "sbsh -c 'npm install'", argv: [process.execPath, sbsh, '-c', 'npm install'] },
], { cwd: ws, env, runs, warmup: 1, before: clean });
console.log(report('npm install, warm cache: sandboxed vs bare, one command each', commands, 'npm install (host)'));
console.log(ratios(commands[0]!, commands[1]!) + '\n');

const shells = await benchShells(ws, env, [{ name: 'typed in sbsh (interactive shell)', bin: sbsh }]);
const typed = await typedInTurns(shells, 'npm install', { runs, before: clean });
console.log(report('npm install, warm cache: sandboxed vs bare, typed at a prompt', typed, typed[0]!.name));
console.log(ratios(typed[0]!, typed[1]!));
process.exit(0);
