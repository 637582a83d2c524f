import type { Audit } from '../audit/bus.js';
import type { Plan } from '../plan/schema.js';

// bash-guard enforcement at the session level. Findings themselves come from
// the classifier (class `dangerous`, rule ids `guard.*`); the policy turns them
// into `deny`. This counts the violations a session has run into so that, in
// strict mode, the Nth one ends the session (policy `guard.kill_after`).

export interface GuardConfig {
  strict: boolean;
  kill_after: number;
}

export interface Verdict {
  /** The session must end now (strict mode, limit reached). */
  endSession: boolean;
  count: number;
  message: string | null;
}

export interface SessionGuard {
  /** Records a denied plan as a violation and says whether the session goes on. */
  recordDenied(plan: Plan, id: string): Verdict;
  readonly count: number;
}

export function denialMessage(plan: Plan): string {
  const r = plan.reasons[0];
  const rule = r ? r.rule : `rules.${plan.class}`;
  const why = r ? r.why : `the policy denies ${plan.class} commands`;
  const cmd = r && r.command !== plan.line ? ` (in \`${r.command}\`)` : '';
  return `sbsh: denied by ${rule}${cmd}: ${why}`;
}

/** The audit record of a line the policy denied. */
export function recordDenial(audit: Audit, plan: Plan, id: string): void {
  const r = plan.reasons[0];
  audit.emit({ type: 'violation', id, kind: 'denied', rule: r?.rule ?? `rules.${plan.class}`, detail: r?.why ?? plan.line });
}

export function createSessionGuard(config: GuardConfig, audit: Audit): SessionGuard {
  let count = 0;
  return {
    get count() {
      return count;
    },
    recordDenied(plan, id) {
      count += 1;
      recordDenial(audit, plan, id);
      if (!config.strict || count < config.kill_after) return { endSession: false, count, message: null };
      const message = `sbsh: strict guard: ${count} policy violations in this session (guard.kill_after: ${config.kill_after}); ending the session.`;
      audit.emit({ type: 'violation', id, kind: 'session-killed', rule: 'guard.kill_after', detail: message });
      return { endSession: true, count, message };
    },
  };
}
