// Overhead of `sbsh -c` on a sandboxed no-op script, against (same run):
// the bare host, bare bwrap with the exact argv sbsh builds, and srt
// (@anthropic-ai/sandbox-runtime). Also sbsh's own start-up: `sbsh plan`,
// and `sbsh -c` through a resident sbsh (its stdio /dev/null: the resident
// takes terminals, pipes and /dev/null, and node's own pipes are sockets).
// Run: npx tsc -p . && node dist/bench/overhead.js [runs]
import { chmodSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makePlan } from '../lib/plan/index.js';
import { backendFor } from '../lib/sandbox/index.js';
import { createAudit } from '../lib/audit/bus.js';
import { report, timeCommand, median, type Sample, benchWorkspace, startResident } from './measure.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const sbsh = join(root, 'bin/sbsh');
const srt = join(root, 'node_modules/.bin/srt');
const runs = Number(process.argv[2] ?? 20);

const ws = benchWorkspace('sbsh-bench-');
writeFileSync(join(ws, 'noop.sh'), '#!/bin/sh\nexit 0\n');
chmodSync(join(ws, 'noop.sh'), 0o755);
const env = { ...process.env, SBSH_AUDIT_LOG: join(ws, '.audit.jsonl') };

const plan = await makePlan('./noop.sh', { cwd: ws, env });
if (plan.action !== 'sandbox') throw new Error(`expected ./noop.sh to be sandboxed, got ${plan.action}`);
const prepared = await backendFor(plan.backend!).prepare(plan, { env, audit: createAudit({ logPath: null }), id: 'bench' });
// sbsh hands bwrap a status pipe on fd 3 and a go-ahead gate on fd 4; the
// bare run has neither. It still joins the (already running) network
// monitor's namespace, so the monitor's own start-up is sbsh's overhead.
const bareArgs = [...prepared.args];
for (const flag of ['--json-status-fd', '--block-fd']) {
  const at = bareArgs.indexOf(flag);
  if (at >= 0) bareArgs.splice(at, 2);
}
const bareBwrap = [prepared.file, ...bareArgs];

writeFileSync(join(ws, 'srt-settings.json'), JSON.stringify({ network: { allowedDomains: [], deniedDomains: [] }, filesystem: { denyRead: [], allowWrite: [ws], denyWrite: [] } }));

const samples: Sample[] = [
  timeCommand('host: sh ./noop.sh', ['sh', '-c', './noop.sh'], { cwd: ws, runs }),
  timeCommand('bare bwrap (sbsh argv)', bareBwrap, { cwd: ws, env: prepared.env, runs }),
];
// Undone before sbsh runs: its stand-ins for missing writable paths would
// otherwise look like the project's own directories to every sbsh run.
await prepared.dispose(0);
samples.push(
  timeCommand('sbsh plan -c ./noop.sh (start-up, nothing runs)', [sbsh, 'plan', '--json', '-c', './noop.sh'], { cwd: ws, env, runs }),
  timeCommand('sbsh -c ./noop.sh', [sbsh, '-c', './noop.sh'], { cwd: ws, env, runs }),
  timeCommand('srt -c ./noop.sh', [process.execPath, srt, '--settings', join(ws, 'srt-settings.json'), '-c', './noop.sh'], { cwd: ws, env, runs }),
);
const resident = await startResident(sbsh, ws, env);
samples.push(timeCommand('sbsh -c ./noop.sh through the resident sbsh', [sbsh, '-c', './noop.sh'], { cwd: ws, env: { ...env, XDG_RUNTIME_DIR: resident.runtime }, runs, stdio: 'ignore' }));
const taken = await resident.stop();
// timeCommand's two warm-up runs count too.
if (taken !== runs + 2) throw new Error(`the resident ran ${taken} of the ${runs + 2} no-ops it was asked`);
console.log(report('sandboxed no-op: ratios against srt', samples, 'srt -c ./noop.sh'));
console.log(report('sandboxed no-op: ratios against bare bwrap', samples, 'bare bwrap (sbsh argv)'));
const startup = median(samples[2]!.ms);
console.log(`sbsh start-up (plan, node included): ${startup.toFixed(1)} ms; sbsh -c minus bare bwrap: ${(median(samples[3]!.ms) - median(samples[1]!.ms)).toFixed(1)} ms`);
