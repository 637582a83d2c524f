import { emitDecision, type Audit } from '../../audit/bus.js';
import { createSessionGuard, denialMessage, type GuardConfig, type SessionGuard } from '../../guard/index.js';
import { findWorkspace, loadPolicy, makePlan } from '../../plan/index.js';
import type { Plan } from '../../plan/schema.js';
import { backendFor } from '../../sandbox/index.js';
import { setupFailureMessage, type Prepared, type SetupError } from '../../sandbox/types.js';
import { decisionSummary } from './display.js';

// One line typed at the prompt → what the shell does with it: the same
// pipeline as `sbsh -c` (plan, decision event, guard, backend.prepare), up to
// the point where something would run.

export interface LineRequest {
  id: string;
  line: string;
  cwd: string;
  /** The shell's exported environment as it is now. */
  env: NodeJS.ProcessEnv;
}

export type Decision =
  | { action: 'host'; summary: string; notes: string[] }
  | { action: 'sandbox'; summary: string; notes: string[]; prepared: Prepared }
  /** Nothing runs: `message` is printed, `$?` becomes `status`; `endSession` in strict mode. */
  | { action: 'refuse'; summary: string; notes: string[]; status: number; message: string; endSession: boolean };

export interface Decider {
  decide(req: LineRequest): Promise<Decision>;
  /** The shell has drawn its prompt (readline also redraws it) and waits for a person: work done now delays no line. */
  prompting?(): void;
}

export const EXIT_DENIED = 126;
export const EXIT_SETUP = 125;
export const EXIT_POLICY = 2;

/** Loosening attempts a repository policy made, each told once per session. */
function noteIgnored(plan: Plan, told: Set<string>): string[] {
  const notes: string[] = [];
  for (const ig of plan.ignored) {
    const key = `${ig.file}\0${ig.key}`;
    if (told.has(key)) continue;
    told.add(key);
    notes.push(`sbsh: ignored ${ig.key} from ${ig.file}: ${ig.why}`);
  }
  return notes;
}

async function guardConfig(cwd: string, env: NodeJS.ProcessEnv): Promise<GuardConfig> {
  try {
    const g = (await loadPolicy({ cwd, env })).policy.guard;
    return { strict: g?.strict ?? false, kill_after: g?.kill_after ?? 1 };
  } catch {
    // A broken policy file is reported on every line; it cannot loosen anything.
    return { strict: false, kill_after: 1 };
  }
}

export async function createPipelineDecider(opts: { audit: Audit; cwd: string; env: NodeJS.ProcessEnv }): Promise<Decider> {
  const { audit } = opts;
  backendFor('bwrap').warm?.(findWorkspace(opts.cwd));
  // One guard per session, configured by the policy where the session starts.
  const guard: SessionGuard = createSessionGuard(await guardConfig(opts.cwd, opts.env), audit);
  const told = new Set<string>();
  let warmNext: (() => void) | null = null;

  return {
    prompting() {
      const w = warmNext;
      warmNext = null;
      w?.();
    },
    async decide({ id, line, cwd, env }) {
      let plan: Plan;
      try {
        plan = await makePlan(line, { cwd, env });
      } catch (err) {
        const e = err as Error;
        if (e.name !== 'PolicyError') throw err;
        return { action: 'refuse', summary: 'sbsh: policy error', notes: [], status: EXIT_POLICY, message: `sbsh: ${e.message}\nNothing was run.`, endSession: false };
      }
      emitDecision(audit, id, plan, cwd);
      const summary = decisionSummary(plan);
      const notes = noteIgnored(plan, told);
      if (plan.action === 'host') return { action: 'host', summary, notes };
      if (plan.action === 'deny') {
        const verdict = guard.recordDenied(plan, id);
        const message = denialMessage(plan) + (verdict.message ? `\n${verdict.message}` : '');
        return { action: 'refuse', summary, notes, status: EXIT_DENIED, message, endSession: verdict.endSession };
      }
      try {
        const backend = backendFor(plan.backend!);
        const prepared = await backend.prepare(plan, { env, audit, id });
        const workspace = plan.sandbox!.workspace;
        // Bridged like this line: the next one is often the same command again.
        const network = plan.sandbox!.network.mode === 'allow';
        // The next sandboxed line's network monitor starts at the prompt after
        // this one, while the user types: started sooner, it competes with
        // this line for the CPU, and its spawn (~10 ms) holds up the relay
        // that shows the prompt.
        const dispose = async (status: number) => {
          await prepared.dispose(status);
          warmNext = () => backend.warm?.(workspace, { network });
        };
        return { action: 'sandbox', summary, notes, prepared: { ...prepared, dispose } };
      } catch (err) {
        const e = err as SetupError;
        if (e.name !== 'SetupError') throw err;
        audit.emit({ type: 'violation', id, kind: 'setup', rule: `backend.${plan.backend}`, detail: e.message });
        const message = setupFailureMessage(plan.backend, e);
        return { action: 'refuse', summary, notes, status: EXIT_SETUP, message, endSession: false };
      }
    },
  };
}
