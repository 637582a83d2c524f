import { z } from 'zod';
import { Class, Reason } from '../classify/types.js';
import { Action } from '../policy/schema.js';

// The plan: everything a run will do, decided before it runs.
// `sbsh plan --json` prints exactly this object; it is a stable interface
// (tests and other tools read it), so fields are only ever added.

export const RunBackend = z.enum(['host', 'bwrap', 'podman', 'docker', 'seatbelt', 'ssh', 'tart']);
export type RunBackend = z.infer<typeof RunBackend>;

export const NetworkPlan = z.object({
  mode: z.enum(['off', 'allow']),
  /** Normalised allowlist entries: `host:port` or `*.suffix:port`. */
  domains: z.array(z.string()),
});
export type NetworkPlan = z.infer<typeof NetworkPlan>;

export const LimitsPlan = z.object({
  memory_mb: z.number().int().positive().nullable(),
  pids: z.number().int().positive().nullable(),
  cpu_seconds: z.number().int().positive().nullable(),
  wall_seconds: z.number().int().positive().nullable(),
});
export type LimitsPlan = z.infer<typeof LimitsPlan>;

export const SandboxPlan = z.object({
  /** Absolute path of the workspace root (git root, or cwd). */
  workspace: z.string(),
  /** Absolute cwd the command starts in (same path inside the sandbox). */
  cwd: z.string(),
  /** Absolute paths writable inside; everything else is read-only or absent. */
  writable: z.array(z.string()),
  /** Absolute paths that exist on the host and are masked (appear empty) inside. */
  masked: z.array(z.string()),
  /** The exclude globs the masked workspace paths came from. */
  exclude_patterns: z.array(z.string()),
  /** HOME inside the sandbox: a fresh tmpfs at the same path as the caller's HOME. */
  home: z.string(),
  env: z.object({
    /** Names copied from the caller's environment (present ones only). */
    pass: z.array(z.string()),
    /** Values set by the policy (never secrets: policy files are not secret). */
    set: z.record(z.string(), z.string()),
    /** Names present in the caller's environment that were withheld. */
    denied: z.array(z.string()),
  }),
  network: NetworkPlan,
  no_new_privileges: z.boolean(),
  limits: LimitsPlan,
});
export type SandboxPlan = z.infer<typeof SandboxPlan>;

export const Ignored = z.object({
  /** The policy file that tried to loosen a value. */
  file: z.string(),
  /** Dotted key, e.g. `profiles.install.network.domains`. */
  key: z.string(),
  why: z.string(),
});
export type Ignored = z.infer<typeof Ignored>;

export const Plan = z.object({
  line: z.string(),
  action: Action,
  class: Class,
  backend: RunBackend.nullable(),
  profile: z.string().nullable(),
  reasons: z.array(Reason),
  /** Present when action is `sandbox`. */
  sandbox: SandboxPlan.nullable(),
  /** Policy files merged into this plan, lowest layer first. */
  policy_files: z.array(z.string()),
  /** Loosening attempts from untrusted layers, reported and not applied. */
  ignored: z.array(Ignored),
});
export type Plan = z.infer<typeof Plan>;
