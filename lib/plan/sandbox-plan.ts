import type { Profile, PolicyLayer } from '../policy/schema.js';
import type { Reason } from '../classify/types.js';
import type { SandboxPlan } from './schema.js';
import { DEFAULTS } from '../policy/merge.js';
import { resolvePolicyPath } from '../policy/paths.js';
import { findExcluded } from './excluded.js';
import { existingPaths } from './existing.js';
import { planEnv } from './env-plan.js';
import { planNetwork } from './network-plan.js';

export interface SandboxInputs {
  workspace: string;
  cwd: string;
  /** The caller's HOME (absolute): `~` in the policy, and where the sandbox's fresh home goes. */
  home: string;
  env: NodeJS.ProcessEnv;
  profile: Profile;
  ecosystems: PolicyLayer['ecosystems'];
  reasons: readonly Reason[];
}

interface ResolvedPaths {
  writable: string[];
  maskCandidates: string[];
}

// Policy paths resolved once per (profile, workspace, home); the loaded
// policy is frozen and memoised, so its profile objects are stable keys.
const resolved = new WeakMap<Profile, Map<string, ResolvedPaths>>();

function resolvedPaths(p: Profile, workspace: string, home: string): ResolvedPaths {
  let byPlace = resolved.get(p);
  if (!byPlace) resolved.set(p, (byPlace = new Map()));
  const key = `${workspace}\0${home}`;
  let r = byPlace.get(key);
  if (!r) {
    r = {
      writable: sortedUnique((p.workspace?.writable_paths ?? []).map((w) => resolvePolicyPath(w, workspace, home))),
      maskCandidates: sortedUnique((p.mask_paths ?? []).map((m) => resolvePolicyPath(m, workspace, home))),
    };
    byPlace.set(key, r);
  }
  return r;
}

/**
 * The writable paths of the ecosystems the line's commands belong to, when
 * the profile asks for them: an npm install gets node_modules, not .venv.
 * A line of no known ecosystem gets every ecosystem's.
 */
function ecosystemWritable(i: SandboxInputs): string[] {
  if (!(i.profile.workspace?.ecosystem_paths ?? DEFAULTS.ecosystem_paths)) return [];
  const named = [...new Set(i.reasons.flatMap((r) => (r.ecosystem ? [r.ecosystem] : [])))];
  const chosen = named.length > 0 ? named : Object.keys(i.ecosystems ?? {});
  return chosen.flatMap((name) => (i.ecosystems?.[name]?.writable_paths ?? []).map((w) => resolvePolicyPath(w, i.workspace, i.home)));
}

/** Everything a sandboxed run of this profile will do, with every path absolute. */
export function planSandbox(i: SandboxInputs): SandboxPlan {
  const { profile: p, workspace, home } = i;
  const exclude = p.workspace?.exclude_paths ?? [];
  const paths = resolvedPaths(p, workspace, home);
  const limits = p.limits ?? {};
  return {
    workspace,
    cwd: i.cwd,
    writable: sortedUnique([...paths.writable, ...ecosystemWritable(i)]),
    masked: sortedUnique([...findExcluded(workspace, exclude), ...existingPaths(paths.maskCandidates)]),
    exclude_patterns: [...exclude],
    home,
    env: planEnv(i.env, p.environment),
    network: planNetwork(p.network, i.ecosystems, i.reasons),
    no_new_privileges: p.no_new_privileges ?? DEFAULTS.no_new_privileges,
    limits: {
      memory_mb: limits.memory_mb ?? null,
      pids: limits.pids ?? null,
      cpu_seconds: limits.cpu_seconds ?? null,
      wall_seconds: limits.wall_seconds ?? null,
    },
  };
}

function sortedUnique(xs: string[]): string[] {
  return [...new Set(xs)].sort();
}
