import type { Origin, PolicyLayer } from './schema.js';
import type { Ignored } from '../plan/schema.js';
import type { ClassifyRule } from '../classify/rule-schema.js';
import type { Layer } from './layer.js';

// Merging layers. A trusted layer (built-in, user, repository the user
// trusted) overrides what is below it key by key (`overlay`). An untrusted
// repository layer goes through ./tighten.ts instead.

export interface Merged {
  /** The merged policy (without `extends`). */
  policy: PolicyLayer;
  /** Which layer set each leaf, by dotted key; classification rules as `classify.rules.<id>`. */
  origins: Record<string, Origin>;
  ignored: Ignored[];
  /** Rules from an untrusted repository: consulted only to raise a line's class, never to lower it. */
  raiseOnlyRules: ClassifyRule[];
}

export function emptyMerged(): Merged {
  return { policy: {}, origins: {}, ignored: [], raiseOnlyRules: [] };
}

// Values a key has when no layer sets it; the planner applies the same ones.
export const DEFAULTS = {
  action: 'deny',
  backend: 'auto',
  network_mode: 'off',
  ecosystem_domains: false,
  ecosystem_paths: false,
  no_new_privileges: true,
  guard_strict: false,
} as const;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function getIn(root: Obj, path: readonly string[]): unknown {
  let v: unknown = root;
  for (const k of path) v = isObj(v) ? v[k] : undefined;
  return v;
}

export function setIn(root: Obj, path: readonly string[], value: unknown): void {
  let o = root;
  for (const k of path.slice(0, -1)) {
    if (!isObj(o[k])) o[k] = {};
    o = o[k] as Obj;
  }
  o[path[path.length - 1]!] = value;
}

export function originOf(layer: Layer): Origin {
  return { layer: layer.kind, file: layer.file };
}

/** A trusted layer: every key it sets replaces the one below; rules with the same id replace the rule. */
export function overlay(m: Merged, layer: Layer): void {
  const origin = originOf(layer);
  const walk = (over: Obj, path: string[]): void => {
    for (const [k, v] of Object.entries(over)) {
      const p = [...path, k];
      const key = p.join('.');
      if (v === undefined || key === 'extends') continue;
      if (key === 'classify.rules') {
        const rules = [...((getIn(m.policy, p) as ClassifyRule[] | undefined) ?? [])];
        for (const rule of v as ClassifyRule[]) {
          const i = rules.findIndex((r) => r.id === rule.id);
          if (i >= 0) rules[i] = structuredClone(rule);
          else rules.push(structuredClone(rule));
          m.origins[`${key}.${rule.id}`] = origin;
        }
        setIn(m.policy, p, rules);
      } else if (isObj(v)) {
        if (!isObj(getIn(m.policy, p))) setIn(m.policy, p, {});
        walk(v, p);
      } else {
        setIn(m.policy, p, structuredClone(v));
        m.origins[key] = origin;
      }
    }
  };
  walk(layer.data as Obj, []);
}
