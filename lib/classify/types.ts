import { z } from 'zod';

// Ordered from least to most risky. A line's class is the riskiest of its
// parts. `install` ranks above `build` because the install profile is the
// superset a mixed line (`npm ci && npm test`) needs; `unknown` ranks below
// both because it is only "we could not tell", still sandboxed.
export const CLASSES = ['host-safe', 'unknown', 'build', 'install', 'dangerous'] as const;
export const Class = z.enum(CLASSES);
export type Class = z.infer<typeof Class>;

export function riskOf(c: Class): number {
  return CLASSES.indexOf(c);
}

export function riskiest(a: Class, b: Class): Class {
  return riskOf(a) >= riskOf(b) ? a : b;
}

export const Reason = z.object({
  /** Rule id from the policy (`npm-install`) or a built-in check (`guard.redirect-outside-workspace`). */
  rule: z.string(),
  class: Class,
  /** The simple command (source text) the reason is about. */
  command: z.string(),
  /** One human sentence. */
  why: z.string(),
  /** Ecosystem of an install/build (npm, pypi, cargo, go, rubygems, composer, maven, gradle), used to pick network domains. */
  ecosystem: z.string().optional(),
});
export type Reason = z.infer<typeof Reason>;

export const Classification = z.object({
  class: Class,
  /** Every reason found, riskiest first. The first one explains the line's class. */
  reasons: z.array(Reason),
});
export type Classification = z.infer<typeof Classification>;
