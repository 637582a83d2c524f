import type { AuditEvent } from '../../lib/audit/schema.js';

// Audit events for the pane tests, complete and schema-valid, with the
// fields a case cares about overridden.

type Of<T extends AuditEvent['type']> = Extract<AuditEvent, { type: T }>;
const base = { ts: '2026-11-23T10:20:30.000Z', session: 's1' };

export function decision(id: string, over: Partial<Of<'decision'>> = {}): Of<'decision'> {
  return {
    ...base,
    type: 'decision',
    id,
    line: 'npm install',
    cwd: '/work/repo',
    action: 'sandbox',
    class: 'install',
    backend: 'bwrap',
    profile: 'install',
    reasons: [{ rule: 'npm-install', class: 'install', command: 'npm install', why: 'Installs dependencies and runs their scripts.' }],
    ...over,
  };
}

export function start(id: string, over: Partial<Of<'start'>> = {}): Of<'start'> {
  return { ...base, type: 'start', id, backend: 'bwrap', pid: 4242, ...over };
}

export function exit(id: string, over: Partial<Of<'exit'>> = {}): Of<'exit'> {
  return { ...base, type: 'exit', id, status: 0, signal: null, duration_ms: 1234, ...over };
}

export function network(id: string, host: string, allowed: boolean, over: Partial<Of<'network'>> = {}): Of<'network'> {
  return {
    ...base,
    type: 'network',
    id,
    protocol: 'connect',
    host,
    port: 443,
    allowed,
    reason: allowed ? `allowlist:${host}` : 'not-in-allowlist',
    bytes_in: 0,
    bytes_out: 0,
    ...over,
  };
}

export function violation(id: string, over: Partial<Of<'violation'>> = {}): Of<'violation'> {
  return { ...base, type: 'violation', id, kind: 'limit', rule: 'limits.memory_mb', detail: 'memory limit 512 MB hit', ...over };
}
