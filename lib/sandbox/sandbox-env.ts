import type { SandboxPlan } from '../plan/schema.js';

/**
 * The sandbox's environment, built from nothing: the plan's pass-through
 * names that the caller has, then the plan's values, then what the backend
 * itself must set (HOME, proxy variables). A denied name never appears,
 * whoever asks for it, except in `fixed`, whose values are sbsh's own.
 */
export function sandboxEnv(
  plan: SandboxPlan['env'],
  caller: NodeJS.ProcessEnv,
  fixed: Record<string, string>,
): Record<string, string> {
  const denied = new Set(plan.denied);
  const env: Record<string, string> = {};
  for (const name of plan.pass) {
    const value = caller[name];
    if (value !== undefined && !denied.has(name)) env[name] = value;
  }
  for (const [name, value] of Object.entries(plan.set)) {
    if (!denied.has(name)) env[name] = value;
  }
  return { ...env, ...fixed };
}
