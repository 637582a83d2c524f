import { z } from 'zod';
import { Class } from './types.js';

// The classification rules as they appear under `classify:` in a policy file.
// Owned by lib/classify; lib/policy only relies on every rule having `id` and
// `class` (for tighten-only merging) and treats the rest as opaque.

const oneOrMany = z.union([z.string(), z.array(z.string())]);

export const ClassifyRule = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'rule ids are lower-case words joined by - . or _'),
  class: Class,
  why: z.string(),
  /** Resolved command names this rule applies to (globs allowed: `python3*`). */
  command: oneOrMany,
  /** First positional argument after the command's own options, if the rule needs one. */
  subcommand: oneOrMany.optional(),
  /** A regular expression tested against the unquoted argv joined by single spaces. */
  argv: z.string().optional(),
  ecosystem: z.string().optional(),
});
export type ClassifyRule = z.infer<typeof ClassifyRule>;

export const ClassifyConfig = z.strictObject({
  rules: z.array(ClassifyRule).default([]),
});
export type ClassifyConfig = z.infer<typeof ClassifyConfig>;
