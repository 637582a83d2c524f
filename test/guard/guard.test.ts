import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAudit } from '../../lib/audit/bus.js';
import type { AuditEvent } from '../../lib/audit/schema.js';
import { createSessionGuard, denialMessage } from '../../lib/guard/index.js';
import type { Plan } from '../../lib/plan/schema.js';

const denied: Plan = {
  line: 'sudo rm -rf /', action: 'deny', class: 'dangerous', backend: null, profile: null,
  reasons: [{ rule: 'guard.privilege', class: 'dangerous', command: 'sudo rm -rf /', why: 'sudo escalates privileges' }],
  sandbox: null, policy_files: [], ignored: [],
};

test('denial message names the rule and the reason', () => {
  assert.is(denialMessage(denied), 'sbsh: denied by guard.privilege: sudo escalates privileges');
});

test('non-strict guard never ends the session but records every violation', () => {
  const audit = createAudit({ logPath: null });
  const events: AuditEvent[] = [];
  audit.subscribe((e) => events.push(e));
  const g = createSessionGuard({ strict: false, kill_after: 2 }, audit);
  for (let i = 0; i < 5; i++) assert.is(g.recordDenied(denied, `c${i}`).endSession, false);
  assert.is(g.count, 5);
  assert.is(events.filter((e) => e.type === 'violation' && e.kind === 'denied').length, 5);
});

test('strict guard ends the session at kill_after', () => {
  const audit = createAudit({ logPath: null });
  const events: AuditEvent[] = [];
  audit.subscribe((e) => events.push(e));
  const g = createSessionGuard({ strict: true, kill_after: 3 }, audit);
  assert.is(g.recordDenied(denied, 'a').endSession, false);
  assert.is(g.recordDenied(denied, 'b').endSession, false);
  const v = g.recordDenied(denied, 'c');
  assert.is(v.endSession, true);
  assert.match(v.message!, /3 policy violations/);
  assert.ok(events.some((e) => e.type === 'violation' && e.kind === 'session-killed'));
});

test.run();
