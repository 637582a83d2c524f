import { Plan, type LimitsPlan, type SandboxPlan } from '../../lib/plan/schema.js';

// Hand-built plans for driving the backend before (and besides) the planner.

export const NO_LIMITS: LimitsPlan = { memory_mb: null, pids: null, cpu_seconds: null, wall_seconds: null };

export interface PlanInput extends Partial<Omit<SandboxPlan, 'env' | 'limits'>> {
  workspace: string;
  home: string;
  env?: Partial<SandboxPlan['env']>;
  limits?: Partial<LimitsPlan>;
}

export function sandboxPlan(line: string, s: PlanInput): Plan {
  return Plan.parse({
    line,
    action: 'sandbox',
    class: 'build',
    backend: 'bwrap',
    profile: 'test',
    reasons: [],
    sandbox: {
      cwd: s.workspace,
      writable: [],
      masked: [],
      exclude_patterns: [],
      network: { mode: 'off', domains: [] },
      no_new_privileges: true,
      ...s,
      env: { pass: ['PATH', 'LANG', 'TERM'], set: {}, denied: [], ...s.env },
      limits: { ...NO_LIMITS, ...s.limits },
    },
    policy_files: [],
    ignored: [],
  });
}
