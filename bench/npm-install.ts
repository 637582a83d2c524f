// `npm install` of a small real project from the registry, sandboxed by sbsh
// (through the proxy) against bare npm on the host, warm cache, in turns:
//  1. one command each: `npm install` against `sbsh -c 'npm install'` as a
//     new node process (as in a CI job's one install), and against the same
//     through the resident sbsh (`sbsh resident`, as in a Makefile or a
//     script that runs sbsh -c again and again). Every row's stdio is
//     /dev/null: the resident takes terminals, pipes and /dev/null, and
//     node's own pipes are sockets;
//  2. typed at a prompt: `npm install` in the interactive shell (`sbsh
//     --no-tui`) against the same line in bash, both in real ptys reading the
//     same startup files, timed from Enter to the next prompt (as a person
//     using sbsh as their shell).
// Needs the npm registry.
// Run: npx tsc -p . && node dist/bench/npm-install.js [runs]
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report, timeInTurns, median, npmBenchProject, pairedRatio, startResident, type Sample } from './measure.js';
import { benchShells, typedInTurns } from './pty.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const sbsh = join(root, 'bin/sbsh');
const runs = Number(process.argv[2] ?? 5);

function ratios(bare: Sample, sandboxed: Sample): string {
  return `ratio: ${(median(sandboxed.ms) / median(bare.ms)).toFixed(3)} (target ≤ 1.15); median of the per-turn ratios: ${pairedRatio(bare, sandboxed).toFixed(3)}`;
}

const { ws, env, clean, sameWork } = npmBenchProject('sbsh-bench-npm-');
console.log(sameWork(sbsh));

// Every row starts through env(1), which sets what the sbsh rows need, so
// all pay its exec alike.
const resident = await startResident(sbsh, ws, env);

const commands = timeInTurns([
  { name: 'npm install (host)', argv: ['env', 'npm', 'install'] },
  { name: "sbsh -c 'npm install' (a new node process)", argv: ['env', 'SBSH_RESIDENT=off', sbsh, '-c', 'npm install'] },
  { name: "sbsh -c 'npm install' (through the resident sbsh)", argv: ['env', `XDG_RUNTIME_DIR=${resident.runtime}`, sbsh, '-c', 'npm install'] },
], { cwd: ws, env, runs, warmup: 1, before: clean, stdio: 'ignore' });
const taken = await resident.stop();
if (taken !== runs + 1) throw new Error(`the resident ran ${taken} of the ${runs + 1} installs it was asked`);
console.log(report('npm install, warm cache: sandboxed vs bare, one command each', commands, 'npm install (host)'));
console.log(`${commands[1]!.name}: ${ratios(commands[0]!, commands[1]!)}`);
console.log(`${commands[2]!.name}: ${ratios(commands[0]!, commands[2]!)}\n`);

const shells = await benchShells(ws, env, [{ name: 'typed in sbsh (interactive shell)', bin: sbsh }]);
const typed = await typedInTurns(shells, 'npm install', { runs, before: clean });
console.log(report('npm install, warm cache: sandboxed vs bare, typed at a prompt', typed, typed[0]!.name));
console.log(ratios(typed[0]!, typed[1]!));
process.exit(0);

