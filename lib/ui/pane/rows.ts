import type { AuditEvent } from '../../audit/schema.js';
import type { Class, Reason } from '../../classify/types.js';
import type { Action } from '../../policy/schema.js';
import type { RunBackend } from '../../plan/schema.js';

// The pane's model: one row per command line, folded from the audit events
// that carry that line's id. Pure, so the pane shows exactly what a table
// of event sequences says it should.

type Event<T extends AuditEvent['type']> = Extract<AuditEvent, { type: T }>;

/** Attempts to one host:port, counted instead of listed: a script can retry thousands of times. */
export interface HostTally {
  host: string;
  port: number;
  /** The proxy's reason for the first attempt (`not-in-allowlist`, `allowlist:<entry>`, ...). */
  reason: string;
  count: number;
}

export type Violation = Pick<Event<'violation'>, 'kind' | 'rule' | 'detail'>;

export interface PaneRow {
  id: string;
  /** When the decision was made (ISO-8601). */
  ts: string;
  line: string;
  cwd: string | null;
  /** null when events arrived for a line whose decision the pane never saw. */
  action: Action | null;
  class: Class | null;
  backend: RunBackend | null;
  profile: string | null;
  reasons: Reason[];
  state: 'decided' | 'running' | 'exited';
  pid: number | null;
  status: number | null;
  signal: string | null;
  durationMs: number | null;
  blocked: HostTally[];
  allowed: HostTally[];
  violations: Violation[];
}

/** Rows kept; older ones scroll away (the JSONL log keeps everything). */
export const MAX_ROWS = 500;
/** Distinct hosts kept per row and direction; further hosts are counted under OTHER_HOSTS. */
export const MAX_HOSTS = 50;
export const OTHER_HOSTS = '(other hosts)';
const MAX_VIOLATIONS = 50;

function emptyRow(id: string, ts: string): PaneRow {
  return {
    id,
    ts,
    line: '',
    cwd: null,
    action: null,
    class: null,
    backend: null,
    profile: null,
    reasons: [],
    state: 'decided',
    pid: null,
    status: null,
    signal: null,
    durationMs: null,
    blocked: [],
    allowed: [],
    violations: [],
  };
}

function tally(list: readonly HostTally[], e: Event<'network'>): HostTally[] {
  const i = list.findIndex((t) => t.host === e.host && t.port === e.port);
  if (i >= 0) return list.map((t, j) => (j === i ? { ...t, count: t.count + 1 } : t));
  if (list.length < MAX_HOSTS) return [...list, { host: e.host, port: e.port, reason: e.reason, count: 1 }];
  const other = list.findIndex((t) => t.host === OTHER_HOSTS);
  if (other >= 0) return list.map((t, j) => (j === other ? { ...t, count: t.count + 1 } : t));
  return [...list, { host: OTHER_HOSTS, port: 0, reason: 'too many hosts to list', count: 1 }];
}

function update(row: PaneRow, e: AuditEvent): PaneRow {
  switch (e.type) {
    case 'decision':
      return {
        ...row,
        ts: e.ts,
        line: e.line,
        cwd: e.cwd,
        action: e.action,
        class: e.class,
        backend: e.backend,
        profile: e.profile,
        reasons: e.reasons,
      };
    case 'start':
      return { ...row, state: 'running', backend: e.backend, pid: e.pid };
    case 'exit':
      return { ...row, state: 'exited', status: e.status, signal: e.signal, durationMs: e.duration_ms };
    case 'network':
      return e.allowed ? { ...row, allowed: tally(row.allowed, e) } : { ...row, blocked: tally(row.blocked, e) };
    case 'violation':
      return row.violations.length >= MAX_VIOLATIONS
        ? row
        : { ...row, violations: [...row.violations, { kind: e.kind, rule: e.rule, detail: e.detail }] };
  }
}

/** The rows after one more event: the row with the event's id is updated, or appended if new. */
export function applyEvent(rows: readonly PaneRow[], e: AuditEvent, maxRows = MAX_ROWS): PaneRow[] {
  let i = rows.length - 1;
  while (i >= 0 && rows[i]!.id !== e.id) i--;
  if (i >= 0) return rows.map((r, j) => (j === i ? update(r, e) : r));
  const next = [...rows, update(emptyRow(e.id, e.ts), e)];
  return next.length > maxRows ? next.slice(next.length - maxRows) : next;
}

export function blockedCount(row: PaneRow): number {
  return row.blocked.reduce((n, t) => n + t.count, 0);
}

export function allowedCount(row: PaneRow): number {
  return row.allowed.reduce((n, t) => n + t.count, 0);
}
