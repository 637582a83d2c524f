import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AuditEvent } from '../../lib/audit/schema.js';
import { applyEvent, blockedCount, allowedCount, MAX_HOSTS, OTHER_HOSTS, type PaneRow } from '../../lib/ui/pane/rows.js';
import { decision, exit, network, start, violation } from './events.js';

function fold(events: AuditEvent[], maxRows?: number): PaneRow[] {
  return events.reduce<PaneRow[]>((rows, e) => applyEvent(rows, AuditEvent.parse(e), maxRows), []);
}

type Expect = Partial<PaneRow> & { blockedCount?: number; allowedCount?: number };

const CASES: Array<[string, AuditEvent[], Expect[]]> = [
  ['decision only', [decision('a')], [{ id: 'a', line: 'npm install', action: 'sandbox', backend: 'bwrap', state: 'decided', status: null }]],
  [
    'decision → start → network refused → exit',
    [decision('a'), start('a'), network('a', 'evil.example', false), exit('a', { status: 0, duration_ms: 3210 })],
    [{ id: 'a', state: 'exited', status: 0, durationMs: 3210, pid: 4242, blockedCount: 1, allowedCount: 0 }],
  ],
  [
    'allowed and refused attempts counted apart, repeats tallied per host',
    [
      decision('a'),
      network('a', 'registry.npmjs.org', true),
      network('a', 'evil.example', false),
      network('a', 'evil.example', false),
      network('a', '10.0.0.1', false, { reason: 'ip-literal', port: 80 }),
    ],
    [{ blockedCount: 3, allowedCount: 1 }],
  ],
  ['running after start', [decision('a'), start('a', { pid: 7 })], [{ state: 'running', pid: 7 }]],
  [
    'signal exit',
    [decision('a'), start('a'), exit('a', { status: 137, signal: 'SIGKILL' })],
    [{ state: 'exited', status: 137, signal: 'SIGKILL' }],
  ],
  [
    'deny with its exit status',
    [decision('d', { action: 'deny', class: 'dangerous', backend: null, profile: null }), violation('d', { kind: 'denied', rule: 'rules.dangerous' }), exit('d', { status: 126 })],
    [{ action: 'deny', status: 126, violations: [{ kind: 'denied', rule: 'rules.dangerous', detail: 'memory limit 512 MB hit' }] }],
  ],
  [
    'events for two lines interleaved go to their own rows, in decision order',
    [decision('a', { line: 'make' }), decision('b', { line: 'ls', action: 'host', backend: 'host', class: 'host-safe' }), exit('b'), network('a', 'x.example', false), exit('a', { status: 2 })],
    [
      { id: 'a', line: 'make', status: 2, blockedCount: 1 },
      { id: 'b', line: 'ls', action: 'host', status: 0, blockedCount: 0 },
    ],
  ],
  [
    'an event for a line never decided still shows up',
    [network('zz', 'evil.example', false)],
    [{ id: 'zz', line: '', action: null, class: null, blockedCount: 1 }],
  ],
  [
    'a late decision fills in the stub row',
    [start('a'), decision('a')],
    [{ id: 'a', line: 'npm install', action: 'sandbox', state: 'running' }],
  ],
];

for (const [name, events, expected] of CASES) {
  test(`rows: ${name}`, () => {
    const rows = fold(events);
    assert.is(rows.length, expected.length);
    expected.forEach((exp, i) => {
      const row = rows[i]!;
      const { blockedCount: b, allowedCount: a, ...fields } = exp;
      for (const [k, v] of Object.entries(fields)) assert.equal(row[k as keyof PaneRow], v, `${k} of row ${i}`);
      if (b !== undefined) assert.is(blockedCount(row), b, 'blocked count');
      if (a !== undefined) assert.is(allowedCount(row), a, 'allowed count');
    });
  });
}

test('rows: hosts are tallied, not listed per attempt', () => {
  const [row] = fold([decision('a'), ...Array.from({ length: 5 }, () => network('a', 'evil.example', false))]);
  assert.equal(row!.blocked, [{ host: 'evil.example', port: 443, reason: 'not-in-allowlist', count: 5 }]);
});

test('rows: past MAX_HOSTS distinct hosts, the rest are counted together', () => {
  const events = [decision('a'), ...Array.from({ length: MAX_HOSTS + 7 }, (_, i) => network('a', `h${i}.example`, false))];
  const [row] = fold(events);
  assert.is(row!.blocked.length, MAX_HOSTS + 1);
  assert.equal(row!.blocked[MAX_HOSTS], { host: OTHER_HOSTS, port: 0, reason: 'too many hosts to list', count: 7 });
  assert.is(blockedCount(row!), MAX_HOSTS + 7);
});

test('rows: the oldest rows scroll away past the limit', () => {
  const rows = fold(['a', 'b', 'c', 'd'].map((id) => decision(id)), 3);
  assert.equal(rows.map((r) => r.id), ['b', 'c', 'd']);
});

test('rows: applyEvent does not mutate its input', () => {
  const before = fold([decision('a')]);
  const snapshot = JSON.stringify(before);
  applyEvent(before, exit('a'));
  assert.is(JSON.stringify(before), snapshot);
});

test.run();
