import { z } from 'zod';
import { Class } from '../classify/types.js';
import { ClassifyConfig } from '../classify/rule-schema.js';

// The policy file. Every layer (built-in, user, repository) has this shape;
// all keys are optional in a layer and the merged result is complete.
// Strict objects: an unknown key is an error naming file:line:col.

export const BACKENDS = ['auto', 'bwrap', 'podman', 'docker', 'seatbelt', 'ssh', 'tart'] as const;
export const BackendName = z.enum(BACKENDS);
export type BackendName = z.infer<typeof BackendName>;

export const Action = z.enum(['host', 'sandbox', 'deny']);
export type Action = z.infer<typeof Action>;

export const RuleAction = z.strictObject({
  action: Action,
  /** Required when action is sandbox: a key of `profiles`. */
  profile: z.string().optional(),
});
export type RuleAction = z.infer<typeof RuleAction>;

export const Workspace = z.strictObject({
  /** Relative to the workspace root; the only places a sandboxed command may write. */
  writable_paths: z.array(z.string()).optional(),
  /** Globs relative to the workspace root, hidden (masked empty) inside the sandbox. */
  exclude_paths: z.array(z.string()).optional(),
  /**
   * Add the writable paths of the ecosystems the line's commands belong to
   * (see `ecosystems`); a line of no known ecosystem gets every ecosystem's.
   */
  ecosystem_paths: z.boolean().optional(),
});

export const Environment = z.strictObject({
  /** Names (globs allowed) copied from the caller's environment. */
  pass_through: z.array(z.string()).optional(),
  /** Values set inside the sandbox. */
  set: z.record(z.string(), z.string()).optional(),
  /** Names (globs allowed) never passed, whatever else says. Deny always wins. */
  deny: z.array(z.string()).optional(),
});

export const Network = z.strictObject({
  mode: z.enum(['off', 'allow']).optional(),
  /** `host`, `host:port`, `*.suffix`, `*.suffix:port`. Port defaults to 443 and 80. */
  domains: z.array(z.string()).optional(),
  /** Add the domains of the ecosystems the line's install/build commands belong to (see `ecosystems`). */
  ecosystem_domains: z.boolean().optional(),
});

export const Limits = z.strictObject({
  memory_mb: z.number().int().positive().optional(),
  pids: z.number().int().positive().optional(),
  cpu_seconds: z.number().int().positive().optional(),
  wall_seconds: z.number().int().positive().optional(),
});

export const Profile = z.strictObject({
  description: z.string().optional(),
  backend: BackendName.optional(),
  workspace: Workspace.optional(),
  /** Absolute or `~/`-relative paths outside the workspace that are masked (credentials). */
  mask_paths: z.array(z.string()).optional(),
  environment: Environment.optional(),
  network: Network.optional(),
  no_new_privileges: z.boolean().optional(),
  limits: Limits.optional(),
});
export type Profile = z.infer<typeof Profile>;

export const Guard = z.strictObject({
  /** In strict mode the Nth violation in a session ends it. */
  strict: z.boolean().optional(),
  kill_after: z.number().int().positive().optional(),
});

export const Ecosystem = z.strictObject({
  /** Reachable through the proxy from a profile with `network.ecosystem_domains`. */
  domains: z.array(z.string()).optional(),
  /** Writable in a profile with `workspace.ecosystem_paths`: as `workspace.writable_paths`. */
  writable_paths: z.array(z.string()).optional(),
});

export const PolicyLayer = z.strictObject({
  version: z.literal(1).optional(),
  /** Start from another built-in policy (`default`, `strict`, `ci`, `demo`) instead of `default`. Built-in and user layers only. */
  extends: z.string().optional(),
  classify: ClassifyConfig.partial().optional(),
  rules: z.partialRecord(Class, RuleAction).optional(),
  profiles: z.record(z.string(), Profile).optional(),
  ecosystems: z.record(z.string(), Ecosystem).optional(),
  guard: Guard.optional(),
});
export type PolicyLayer = z.infer<typeof PolicyLayer>;

/** Where a merged value came from, for `sbsh policy show`. */
export const Origin = z.object({
  layer: z.enum(['builtin', 'user', 'repo']),
  file: z.string(),
});
export type Origin = z.infer<typeof Origin>;
