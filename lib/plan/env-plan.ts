import type { z } from 'zod';
import type { Environment } from '../policy/schema.js';
import type { SandboxPlan } from './schema.js';
import { matchesAnyName } from '../policy/globs.js';

/**
 * Which of the caller's variables pass into the sandbox. Only names are
 * recorded; `deny` wins over both pass_through and set.
 */
export function planEnv(env: NodeJS.ProcessEnv, spec: z.infer<typeof Environment> | undefined): SandboxPlan['env'] {
  const passGlobs = spec?.pass_through ?? [];
  const denyGlobs = spec?.deny ?? [];
  const pass: string[] = [];
  const denied: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (env[name] === undefined) continue;
    (matchesAnyName(passGlobs, name) && !matchesAnyName(denyGlobs, name) ? pass : denied).push(name);
  }
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec?.set ?? {})) if (!matchesAnyName(denyGlobs, name)) set[name] = value;
  return { pass, set, denied };
}
