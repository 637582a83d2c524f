import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { AuditEvent, type AuditInput } from './schema.js';
import type { Plan } from '../plan/schema.js';

export type AuditListener = (event: AuditEvent) => void;

export interface Audit {
  readonly session: string;
  emit(event: AuditInput): AuditEvent;
  subscribe(listener: AuditListener): () => void;
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'sbsh');
}

export function auditLogPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SBSH_AUDIT_LOG || join(stateDir(env), 'audit.jsonl');
}

/**
 * 8 hex digits, enough to tell commands and sessions apart in one log. Not a
 * secret, so not node:crypto either: it costs ~8 ms to load in every new
 * sbsh process.
 */
export function newId(): string {
  return Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
}

/**
 * The audit bus. Appends each event to the JSONL log synchronously (a few
 * microseconds, and nothing is lost when `-c` exits right after) and fans it
 * out to listeners (the pane). A log that cannot be written is reported once
 * on stderr and never stops the command.
 */
export function createAudit(opts: { logPath?: string | null; session?: string; onLogError?: (err: Error) => void } = {}): Audit {
  const session = opts.session ?? newId();
  const logPath = opts.logPath === undefined ? auditLogPath() : opts.logPath;
  const listeners = new Set<AuditListener>();
  let logBroken = false;
  let dirMade = false;

  function write(event: AuditEvent): void {
    if (!logPath || logBroken) return;
    try {
      if (!dirMade) {
        mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
        dirMade = true;
      }
      appendFileSync(logPath, JSON.stringify(event) + '\n', { mode: 0o600 });
    } catch (err) {
      logBroken = true;
      const e = err as Error;
      if (opts.onLogError) opts.onLogError(e);
      else process.stderr.write(`sbsh: audit log ${logPath} not written (${e.message}); commands still run. Fix: check that directory's permissions or set SBSH_AUDIT_LOG.\n`);
    }
  }

  return {
    session,
    emit(input) {
      const event = AuditEvent.parse({ ...input, ts: new Date().toISOString(), session });
      write(event);
      for (const l of listeners) {
        try {
          l(event);
        } catch {
          // A broken listener (the pane) must not stop the command.
        }
      }
      return event;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The decision event of a planned line: what sbsh decided, and why. */
export function emitDecision(audit: Audit, id: string, plan: Plan, cwd: string): void {
  audit.emit({
    type: 'decision', id, line: plan.line, cwd, action: plan.action, class: plan.class,
    backend: plan.backend, profile: plan.profile, reasons: plan.reasons,
  });
}
