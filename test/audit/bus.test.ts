import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAudit, auditLogPath } from '../../lib/audit/bus.js';
import { AuditEvent } from '../../lib/audit/schema.js';

test('events are appended as JSON lines that parse back with the schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sbsh-audit-'));
  const logPath = join(dir, 'nested', 'audit.jsonl');
  const audit = createAudit({ logPath, session: 's1' });
  audit.emit({ type: 'start', id: 'a', backend: 'bwrap', pid: 42 });
  audit.emit({ type: 'exit', id: 'a', status: 3, signal: null, duration_ms: 12 });
  const lines = readFileSync(logPath, 'utf8').trim().split('\n');
  assert.is(lines.length, 2);
  const events = lines.map((l) => AuditEvent.parse(JSON.parse(l)));
  assert.is(events[0]!.session, 's1');
  assert.is(events[1]!.type, 'exit');
});

test('a log that cannot be written never throws and is reported once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sbsh-audit-'));
  const blocker = join(dir, 'file');
  writeFileSync(blocker, '');
  const errors: string[] = [];
  const audit = createAudit({ logPath: join(blocker, 'audit.jsonl'), onLogError: (e) => errors.push(e.message) });
  const seen: string[] = [];
  audit.subscribe((e) => seen.push(e.type));
  audit.emit({ type: 'start', id: 'a', backend: 'bwrap', pid: null });
  audit.emit({ type: 'start', id: 'b', backend: 'bwrap', pid: null });
  assert.is(errors.length, 1);
  assert.equal(seen, ['start', 'start']);
});

test('a listener that throws does not stop the command or other listeners', () => {
  const audit = createAudit({ logPath: null });
  const seen: string[] = [];
  audit.subscribe(() => {
    throw new Error('pane broke');
  });
  audit.subscribe((e) => seen.push(e.id));
  audit.emit({ type: 'start', id: 'x', backend: 'host', pid: 1 });
  assert.equal(seen, ['x']);
});

test('malformed events are rejected by the schema', () => {
  const audit = createAudit({ logPath: null });
  assert.throws(() => audit.emit({ type: 'exit', id: 'a' } as never));
});

test('log path honours SBSH_AUDIT_LOG, then XDG_STATE_HOME, then HOME', () => {
  assert.is(auditLogPath({ SBSH_AUDIT_LOG: '/x/y.jsonl' }), '/x/y.jsonl');
  assert.is(auditLogPath({ XDG_STATE_HOME: '/s', HOME: '/h' }), '/s/sbsh/audit.jsonl');
  assert.is(auditLogPath({ HOME: '/h' }), '/h/.local/state/sbsh/audit.jsonl');
});

test.run();
