import type { Node } from '../parse/types.js';
import type { ClassifyConfig } from '../classify/rule-schema.js';
import { riskOf, type Classification } from '../classify/types.js';
import { classify, type ClassifyContext } from '../classify/index.js';
import type { LoadedPolicy } from '../policy/load.js';


interface Configs {
  trusted: ClassifyConfig;
  /** Trusted rules plus an untrusted repository's rules, or null when it has none. */
  withRepo: ClassifyConfig | null;
}

// One pair of configs per loaded policy, so a classifier that caches
// compiled rules per config object keeps its cache across lines.
const configs = new WeakMap<LoadedPolicy, Configs>();

function configsFor(p: LoadedPolicy): Configs {
  let c = configs.get(p);
  if (!c) {
    const rules = p.policy.classify?.rules ?? [];
    const guard = p.policy.classify?.guard;
    // Appended: among non-dangerous rules the last match wins (lib/classify/rule-schema.ts).
    c = { trusted: { rules, guard }, withRepo: p.raiseOnlyRules.length ? { rules: [...rules, ...p.raiseOnlyRules], guard } : null };
    configs.set(p, c);
  }
  return c;
}

/**
 * The line's classification under the trusted rules; an untrusted
 * repository's rules are consulted too, and win only when they make the
 * line riskier. A line's class is the riskiest of its commands', so taking
 * the riskier of the two classifications raises commands and never lowers one.
 */
export function classifyLine(tree: Node, policy: LoadedPolicy, ctx: ClassifyContext): Classification {
  const { trusted, withRepo } = configsFor(policy);
  const base = classify(tree, trusted, ctx);
  if (!withRepo) return base;
  const raised = classify(tree, withRepo, ctx);
  return riskOf(raised.class) > riskOf(base.class) ? raised : base;
}
