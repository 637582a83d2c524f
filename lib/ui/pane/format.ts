import { allowedCount, blockedCount, type HostTally, type PaneRow } from './rows.js';
import { escapeText, padTo, printable, styled, textWidth, truncate } from './tags.js';

// Pane rows as blessed-tagged text: one line per command for the list, and
// every detail for the reason popup. Pure; widths in columns.

interface Segment {
  text: string;
  attrs: string[];
}

const ACTION_COLOUR: Record<NonNullable<PaneRow['action']>, string> = {
  host: 'green-fg',
  sandbox: 'yellow-fg',
  deny: 'red-fg',
};
const ALARM = ['red-fg', 'bold'];
/** The command column never shrinks below this while anything else is still shown. */
const MIN_COMMAND = 12;
/** Share of the room after time, action and class that the command column gets. */
const COMMAND_SHARE = 0.4;
const ACTION_COLUMN = 13; // `sandbox:bwrap`
const CLASS_COLUMN = 9; // `host-safe`, `dangerous`

export function actionLabel(row: PaneRow): string {
  if (row.action === null) return '?';
  if (row.action === 'sandbox') return `sandbox:${row.backend ?? '?'}`;
  return row.action;
}

export function actionColour(row: PaneRow): string[] {
  return row.action === null ? [] : [ACTION_COLOUR[row.action]];
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function parsed(ts: string): Date | null {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Local wall-clock time, `HH:MM:SS`. */
export function clock(ts: string): string {
  const d = parsed(ts);
  return d ? [d.getHours(), d.getMinutes(), d.getSeconds()].map(pad2).join(':') : '--:--:--';
}

/** Local date, `YYYY-MM-DD`. */
export function date(ts: string): string {
  const d = parsed(ts);
  return d ? [d.getFullYear(), d.getMonth() + 1, d.getDate()].map(pad2).join('-') : '----------';
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
}

function hostName(t: HostTally): string {
  return t.port === 0 ? t.host : `${t.host}:${t.port}`;
}

function outcome(row: PaneRow): Segment[] {
  const out: Segment[] = [];
  if (row.state === 'running') out.push({ text: 'running', attrs: ['cyan-fg'] });
  if (row.state === 'exited') {
    const text = row.signal ? `${row.signal} (${row.status})` : `exit ${row.status}`;
    out.push({ text, attrs: row.status === 0 ? [] : ['red-fg'] });
    if (row.durationMs !== null) out.push({ text: duration(row.durationMs), attrs: [] });
  }
  const blocked = blockedCount(row);
  if (blocked > 0) {
    out.push({ text: `blocked ${blocked}: ${row.blocked.map((t) => t.host).join(',')}`, attrs: ALARM });
  }
  if (row.violations.length > 0) {
    const n = row.violations.length;
    out.push({ text: `${n} violation${n === 1 ? '' : 's'}: ${row.violations[0]!.kind}`, attrs: ALARM });
  }
  return out;
}

/** Lays segments out left to right, one space apart, within `width`, cutting the one that overflows with `…`. */
function fit(segments: readonly Segment[], width: number): Segment[] {
  const out: Segment[] = [];
  let left = width;
  for (const s of segments) {
    if (out.length > 0) {
      if (left <= 1) break;
      out.push({ text: ' ', attrs: [] });
      left -= 1;
    }
    const text = truncate(s.text, left);
    out.push({ text, attrs: s.attrs });
    left -= textWidth(text);
  }
  return out;
}

/**
 * One command as segments: time, action, class, command, then the outcome
 * and the deciding rule. Narrow widths drop the time first, then cut the
 * outcome and rule before the command goes below MIN_COMMAND.
 */
function rowSegments(row: PaneRow, width: number): Segment[] {
  const head: Segment[] = [
    { text: clock(row.ts), attrs: [] },
    { text: actionLabel(row).padEnd(ACTION_COLUMN), attrs: actionColour(row) },
    { text: (row.class ?? '?').padEnd(CLASS_COLUMN), attrs: row.class === 'dangerous' ? ALARM : [] },
  ];
  const headWidth = (segs: Segment[]) => segs.reduce((n, s) => n + textWidth(s.text) + 1, 0);
  if (width - headWidth(head) < MIN_COMMAND) head.shift();

  const command = printable(row.line) || '(line not seen)';
  const rule = row.reasons[0]?.rule;
  const tail = [...outcome(row), ...(rule ? [{ text: `[${rule}]`, attrs: [] }] : [])].map((s) => ({ ...s, text: printable(s.text) }));
  const tailWidth = tail.reduce((n, s) => n + textWidth(s.text) + 1, 0);

  // The command column lines up across rows; a long command borrows the
  // outcome's space when it is free, and a long outcome (blocked hosts)
  // narrows the column down to MIN_COMMAND before it is cut.
  const room = width - headWidth(head);
  const column = Math.max(MIN_COMMAND, Math.floor(room * COMMAND_SHARE));
  const commandWidth = Math.max(MIN_COMMAND, Math.min(room - tailWidth, Math.max(column, textWidth(command))));
  const commandText = tail.length > 0 ? padTo(truncate(command, commandWidth), commandWidth) : command;
  return fit([...head, { text: commandText, attrs: [] }, ...tail], width);
}

/** The row as one tagged line of at most `width` columns; a selected row is drawn inverse, without colours. */
export function formatRow(row: PaneRow, width: number, selected = false): string {
  const segs = rowSegments(row, width);
  if (!selected) return segs.map((s) => styled(s.attrs, s.text)).join('');
  const text = segs.map((s) => s.text).join('');
  return styled(['inverse'], padTo(text, width));
}

function result(row: PaneRow): string {
  switch (row.state) {
    case 'running':
      return row.pid !== null ? `running (pid ${row.pid})` : 'running';
    case 'exited': {
      const signal = row.signal ? `signal ${row.signal}, ` : '';
      const after = row.durationMs !== null ? ` after ${duration(row.durationMs)}` : '';
      return `${signal}exit ${row.status}${after}`;
    }
    case 'decided':
      return row.action === 'deny' ? 'not run (denied)' : 'not started';
  }
}

function tallyLines(mark: string, list: readonly HostTally[]): string[] {
  return list.map((t) => `    ${mark} ${hostName(t)} ×${t.count}  ${t.reason}`);
}

/** Every detail of one command, for the reason popup (tagged, one entry per line; blessed wraps). */
export function formatDetails(row: PaneRow): string {
  const label = (name: string) => `{bold}${name.padEnd(10)}{/bold} `;
  const lines: string[] = [];
  lines.push(`{bold}${escapeText(row.line || '(line not seen)')}{/bold}`, '');
  const action = styled(actionColour(row), actionLabel(row));
  lines.push(label('decision') + action + (row.profile ? escapeText(`  profile ${row.profile}`) : ''));
  lines.push(label('class') + escapeText(row.class ?? '?'));
  if (row.cwd) lines.push(label('cwd') + escapeText(row.cwd));
  lines.push(label('time') + escapeText(`${date(row.ts)} ${clock(row.ts)}`));

  lines.push(label('result') + escapeText(result(row)));

  const blocked = blockedCount(row);
  const allowed = allowedCount(row);
  if (blocked + allowed > 0) {
    lines.push(label('network') + escapeText(`${blocked} blocked, ${allowed} allowed`));
    lines.push(...tallyLines('✗', row.blocked).map((l) => styled(ALARM, l)));
    lines.push(...tallyLines('✓', row.allowed).map(escapeText));
  }
  if (row.violations.length > 0) {
    lines.push(label('violations') + escapeText(String(row.violations.length)));
    for (const v of row.violations) lines.push(styled(ALARM, `    ${v.kind} ${v.rule}: ${v.detail}`));
  }

  lines.push('', '{bold}reasons{/bold} (riskiest first)');
  if (row.reasons.length === 0) lines.push('  (none recorded)');
  row.reasons.forEach((r, i) => {
    lines.push(`  ${i + 1}. ` + escapeText(`rule ${r.rule}  class ${r.class}${r.ecosystem ? `  ecosystem ${r.ecosystem}` : ''}`));
    lines.push('     ' + escapeText(`command: ${r.command}`));
    lines.push('     ' + escapeText(`why: ${r.why}`));
  });
  return lines.join('\n');
}
