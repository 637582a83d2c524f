import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Plan } from '../plan/schema.js';
import { createAudit } from '../audit/bus.js';
import { backendFor, runPrepared, type ProbeResult } from '../sandbox/index.js';

/**
 * Runs `true` in a bwrap sandbox whose network goes through the sbsh proxy
 * and bridge, for real: what an install profile needs beyond bwrap itself.
 */
export async function probeNetwork(): Promise<ProbeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sbsh-doctor-'));
  // As root the sandbox runs as an unprivileged uid, which must reach the workspace.
  chmodSync(dir, 0o755);
  const started = Date.now();
  try {
    const plan = Plan.parse({
      line: 'true', action: 'sandbox', class: 'install', backend: 'bwrap', profile: 'doctor', reasons: [],
      sandbox: {
        workspace: dir, cwd: dir, writable: [], masked: [], exclude_patterns: [], home: process.env.HOME ?? dir,
        env: { pass: ['PATH'].filter((n) => process.env[n] !== undefined), set: {}, denied: [] },
        network: { mode: 'allow', domains: ['registry.npmjs.org:443'] },
        no_new_privileges: true,
        limits: { memory_mb: null, pids: null, cpu_seconds: null, wall_seconds: 30 },
      },
      policy_files: [], ignored: [],
    });
    const p = await backendFor('bwrap').prepare(plan, { env: process.env, audit: createAudit({ logPath: null }), id: 'doctor' });
    const r = await runPrepared(p, { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
    return r.status === 0
      ? { backend: 'network-proxy', works: true, detail: `ran \`true\` in bwrap behind the proxy and bridge in ${Date.now() - started} ms`, fix: null }
      : { backend: 'network-proxy', works: false, detail: `\`true\` behind the proxy exited ${r.status}`, fix: 'apt-get install -y systemd' };
  } catch (err) {
    const e = err as Error & { fix?: string };
    return { backend: 'network-proxy', works: false, detail: e.message, fix: e.fix ?? null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
