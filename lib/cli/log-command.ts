import { readFileSync } from 'node:fs';
import type { ParsedArgs } from './main.js';
import { auditLogPath } from '../audit/bus.js';
import { AuditEvent } from '../audit/schema.js';

/** One event as one readable line. Pure. */
export function formatEvent(e: AuditEvent): string {
  const t = e.ts.replace('T', ' ').slice(0, 19);
  switch (e.type) {
    case 'decision':
      return `${t} ${e.id} decision ${e.action}${e.backend && e.action === 'sandbox' ? `:${e.backend}` : ''} [${e.class}] ${e.line}${e.reasons[0] ? `  — ${e.reasons[0].rule}: ${e.reasons[0].why}` : ''}`;
    case 'start':
      return `${t} ${e.id} start ${e.backend}${e.pid ? ` pid ${e.pid}` : ''}`;
    case 'exit':
      return `${t} ${e.id} exit ${e.status}${e.signal ? ` (${e.signal})` : ''} after ${Math.round(e.duration_ms)} ms`;
    case 'violation':
      return `${t} ${e.id} violation ${e.kind} ${e.rule}: ${e.detail}`;
    case 'network':
      return `${t} ${e.id} network ${e.allowed ? 'allowed' : 'REFUSED'} ${e.protocol} ${e.host}:${e.port} (${e.reason})${e.allowed || e.bytes_in + e.bytes_out > 0 ? ` in ${e.bytes_in} B out ${e.bytes_out} B` : ''}`;
  }
}

export async function logCommand(args: ParsedArgs): Promise<number> {
  const path = auditLogPath();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`sbsh: no audit log yet at ${path}\n`);
      return 0;
    }
    throw err;
  }
  let lines = text.split('\n').filter(Boolean);
  if (args.limit) lines = lines.slice(-args.limit);
  for (const [i, raw] of lines.entries()) {
    let event: AuditEvent;
    try {
      event = AuditEvent.parse(JSON.parse(raw));
    } catch {
      process.stderr.write(`sbsh: ${path}: skipping an unreadable entry (line ${i + 1} of the shown part)\n`);
      continue;
    }
    process.stdout.write((args.json ? JSON.stringify(event) : formatEvent(event)) + '\n');
  }
  return 0;
}
