import { readFileSync } from 'node:fs';
import { createAudit } from '../../lib/audit/bus.js';
import { Plan } from '../../lib/plan/schema.js';
import { backendFor, runPrepared, SetupError } from '../../lib/sandbox/index.js';

// What `sbsh -c` does with a plan, as a separate process, so tests can run it
// as another user and send it signals: node drive.js JOB.json
// JOB = { plan, env, auditLog }. Exit status: the command's, or 125.

interface Job {
  plan: unknown;
  env: NodeJS.ProcessEnv;
  auditLog: string;
}

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Job;
const plan = Plan.parse(job.plan);
const audit = createAudit({ logPath: job.auditLog });
const ctx = { env: job.env, audit, id: 'drive' };
try {
  const prepared = await backendFor(plan.backend!).prepare(plan, ctx);
  const r = await runPrepared(prepared, 'inherit');
  process.exitCode = r.status;
} catch (err) {
  if (!(err instanceof SetupError)) throw err;
  process.stderr.write(`sbsh: sandbox setup failed: ${err.message}\nFix: ${err.fix}\n`);
  audit.emit({ type: 'violation', id: 'drive', kind: 'setup', rule: 'backend.bwrap', detail: err.message });
  process.exitCode = 125;
}
