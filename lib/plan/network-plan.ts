import type { z } from 'zod';
import type { Network, PolicyLayer } from '../policy/schema.js';
import type { Reason } from '../classify/types.js';
import type { NetworkPlan } from './schema.js';
import { DEFAULTS } from '../policy/merge.js';
import { normaliseDomains } from '../policy/domains.js';

/** The allowlist: the profile's domains plus, if it asks, those of the ecosystems the line's commands belong to. */
export function planNetwork(net: z.infer<typeof Network> | undefined, ecosystems: PolicyLayer['ecosystems'], reasons: readonly Reason[]): NetworkPlan {
  const mode = net?.mode ?? DEFAULTS.network_mode;
  if (mode === 'off') return { mode, domains: [] };
  const entries = [...(net?.domains ?? [])];
  if (net?.ecosystem_domains ?? DEFAULTS.ecosystem_domains) {
    for (const r of reasons) if (r.ecosystem) entries.push(...(ecosystems?.[r.ecosystem]?.domains ?? []));
  }
  return { mode, domains: normaliseDomains(entries) };
}
