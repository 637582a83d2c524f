import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatEvent } from '../../lib/cli/log-command.js';
import { AuditEvent } from '../../lib/audit/schema.js';
import { directAttemptEvent, overflowEvent } from '../../lib/net/monitor.js';

// `sbsh log`'s one line per event, for every kind of event.

const stamp = { ts: '2026-11-23T19:36:12.432Z', session: 's1' };
const ev = (e: object) => AuditEvent.parse({ ...stamp, ...e });

const cases: Array<[string, AuditEvent, string]> = [
  [
    'a decision with its first reason',
    ev({ type: 'decision', id: 'a1', line: 'npm ci', cwd: '/w', action: 'sandbox', class: 'install', backend: 'bwrap', profile: 'install', reasons: [{ rule: 'npm-install', class: 'install', command: 'npm', why: 'installs npm packages' }] }),
    '2026-11-23 19:36:12 a1 decision sandbox:bwrap [install] npm ci  — npm-install: installs npm packages',
  ],
  ['a start', ev({ type: 'start', id: 'a1', backend: 'bwrap', pid: 42 }), '2026-11-23 19:36:12 a1 start bwrap pid 42'],
  ['an exit by signal', ev({ type: 'exit', id: 'a1', status: 143, signal: 'SIGTERM', duration_ms: 12.4 }), '2026-11-23 19:36:12 a1 exit 143 (SIGTERM) after 12 ms'],
  ['a violation', ev({ type: 'violation', id: 'a1', kind: 'limit', rule: 'limits.wall', detail: 'ran 5 s' }), '2026-11-23 19:36:12 a1 violation limit limits.wall: ran 5 s'],
  [
    'an admitted proxy connection, with its bytes',
    ev({ type: 'network', id: 'a1', protocol: 'connect', host: 'registry.npmjs.org', port: 443, allowed: true, reason: 'allowlist:registry.npmjs.org:443', bytes_in: 900, bytes_out: 80 }),
    '2026-11-23 19:36:12 a1 network allowed connect registry.npmjs.org:443 (allowlist:registry.npmjs.org:443) in 900 B out 80 B',
  ],
  [
    'a refused proxy request that moved nothing',
    ev({ type: 'network', id: 'a1', protocol: 'connect', host: 'evil.example.com', port: 443, allowed: false, reason: 'not-in-allowlist', bytes_in: 0, bytes_out: 0 }),
    '2026-11-23 19:36:12 a1 network REFUSED connect evil.example.com:443 (not-in-allowlist)',
  ],
  [
    'a direct connect seen by the network monitor',
    ev({ ...directAttemptEvent('a1', { protocol: 'tcp', host: '1.2.3.4', port: 443 }) }),
    '2026-11-23 19:36:12 a1 network REFUSED tcp 1.2.3.4:443 (direct-connect)',
  ],
  [
    'a direct DNS lookup',
    ev({ ...directAttemptEvent('a1', { protocol: 'dns', host: 'exfil.example', port: 53, server: '10.0.0.53' }) }),
    '2026-11-23 19:36:12 a1 network REFUSED dns exfil.example:53 (direct-dns)',
  ],
  ['direct UDP', ev({ ...directAttemptEvent('a1', { protocol: 'udp', host: '::1', port: 5353 }) }), '2026-11-23 19:36:12 a1 network REFUSED udp ::1:5353 (direct-udp)'],
  ['attempts past the per-command limit', ev({ ...overflowEvent('a1', 7) }), '2026-11-23 19:36:12 a1 network REFUSED tcp *:0 (direct-log-limit)'],
];

for (const [name, e, line] of cases) {
  test(`sbsh log line: ${name}`, () => {
    assert.is(formatEvent(e), line);
  });
}

test('direct attempt events say where a DNS query went, and that the proxy is the way out', () => {
  assert.match(directAttemptEvent('a1', { protocol: 'dns', host: 'x', port: 53, server: '10.0.0.53' }).detail ?? '', /query to 10\.0\.0\.53/);
  assert.match(directAttemptEvent('a1', { protocol: 'tcp', host: 'x', port: 1 }).detail ?? '', /only the proxy leads out/);
  assert.match(overflowEvent('a1', 100_000).detail ?? '', /^at least 100000 more/);
});

test.run();
