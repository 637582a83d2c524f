import { z } from 'zod';
import { Class, Reason } from '../classify/types.js';
import { Action } from '../policy/schema.js';
import { RunBackend } from '../plan/schema.js';

// Audit events: one schema for the JSONL log, `sbsh log` and the live pane.
// Values of environment variables never appear here, only names.

const base = {
  /** ISO-8601 time. */
  ts: z.string(),
  /** One id per sbsh process (a shell session or one `-c`). */
  session: z.string(),
  /** One id per command line within the session. */
  id: z.string(),
};

export const DecisionEvent = z.object({
  ...base,
  type: z.literal('decision'),
  line: z.string(),
  cwd: z.string(),
  action: Action,
  class: Class,
  backend: RunBackend.nullable(),
  profile: z.string().nullable(),
  reasons: z.array(Reason),
});

export const StartEvent = z.object({
  ...base,
  type: z.literal('start'),
  backend: RunBackend,
  pid: z.number().int().nullable(),
});

export const ExitEvent = z.object({
  ...base,
  type: z.literal('exit'),
  /** The status sbsh exits with / `$?`: the command's own, 128+n for signal n, 125 setup failure, 126 denied. */
  status: z.number().int(),
  signal: z.string().nullable(),
  duration_ms: z.number(),
});

export const ViolationEvent = z.object({
  ...base,
  type: z.literal('violation'),
  /** `denied` (policy deny), `guard` (bash-guard finding), `limit` (resource limit hit), `setup` (sandbox failed), `session-killed`. */
  kind: z.enum(['denied', 'guard', 'limit', 'setup', 'session-killed']),
  rule: z.string(),
  detail: z.string(),
});

export const NetworkEvent = z.object({
  ...base,
  type: z.literal('network'),
  /** Through the proxy (http, connect, socks5), or straight from the sandbox (tcp, udp, dns), which reaches nothing. */
  protocol: z.enum(['http', 'connect', 'socks5', 'tcp', 'udp', 'dns']),
  host: z.string(),
  port: z.number().int(),
  allowed: z.boolean(),
  /** Why refused (`not-in-allowlist`, `resolves-to-private`, `ip-literal`, `direct-connect`, `direct-dns`, ...) or `allowlist:<entry>`. */
  reason: z.string(),
  bytes_in: z.number().int(),
  bytes_out: z.number().int(),
  /** What happened after admission, e.g. `upstream-error:ETIMEDOUT`, `client-closed`. */
  detail: z.string().optional(),
});

export const AuditEvent = z.discriminatedUnion('type', [
  DecisionEvent,
  StartEvent,
  ExitEvent,
  ViolationEvent,
  NetworkEvent,
]);
export type AuditEvent = z.infer<typeof AuditEvent>;
export type AuditEventType = AuditEvent['type'];

/** An event before the bus stamps it with ts and session. */
export type AuditInput = AuditEvent extends infer E ? (E extends AuditEvent ? Omit<E, 'ts' | 'session'> : never) : never;
