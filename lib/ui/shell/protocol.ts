// The private channel between sbsh and the bash it drives: two FIFOs in a
// 0700 directory (channel.ts). Every message is a run of NUL-terminated
// fields, so any byte a line or an environment value can hold survives
// except NUL, which neither can hold.
//
// bash → sbsh (`req` FIFO):
//   line  REQNO SEQ TEXT CWD LASTID LASTSTATUS N ALIAS VALUE... NAME=VALUE... .
//                                               the hook asks about a line
//   go    ID                                    run the sandboxed line ID now
//   sig   ID INT|TERM                           the user interrupted line ID
// sbsh → bash (`resp` FIFO): REQNO ACTION ID STATUS MESSAGE, the answer to a
//   `line` request; ACTION is host|run|say|end|more|abort (see Reply).
// sbsh → bash (`done` FIFO): ID STATUS, when a sandboxed line has finished.
// REQNO lets the hook skip an answer that arrived after it gave up waiting;
// SEQ counts prompts, so a second request with the same SEQ is a
// continuation line bash asked for itself. LASTID/LASTSTATUS: how the
// previous line ended (also sent as a `D` marker, which may be read later).
// N ALIAS VALUE...: the shell's N aliases (0 when it does not expand them).

export type HookMessage =
  | {
      type: 'line';
      reqno: string;
      seq: string;
      text: string;
      cwd: string;
      last: { id: string; status: number } | null;
      aliases: Record<string, string>;
      env: Record<string, string>;
    }
  | { type: 'go'; id: string }
  | { type: 'sig'; id: string; signal: 'INT' | 'TERM' };

/** Ends the environment of a `line` message: an entry always holds `=`. */
const ENV_END = '.';

/** Fields of a `line` message before its aliases. */
const FIXED = 7;


export interface MessageDecoder {
  /** Feeds bytes from the FIFO; returns the messages completed by them. */
  push(chunk: Buffer): HookMessage[];
}

function parseFields(fields: string[]): { message: HookMessage | null; used: number } | null {
  const type = fields[0];
  if (type === 'go') return fields.length < 2 ? null : { message: { type, id: fields[1]! }, used: 2 };
  if (type === 'sig') {
    if (fields.length < 3) return null;
    const signal = fields[2] === 'INT' ? 'INT' : 'TERM';
    return { message: { type, id: fields[1]!, signal }, used: 3 };
  }
  if (type === 'line') {
    if (fields.length <= FIXED) return null;
    const count = Number(fields[FIXED]);
    const envStart = FIXED + 1 + 2 * (Number.isInteger(count) && count > 0 ? count : 0);
    const end = fields.indexOf(ENV_END, envStart);
    if (end < 0) return null;
    const aliases: Record<string, string> = {};
    for (let i = FIXED + 1; i < envStart; i += 2) aliases[fields[i]!] = fields[i + 1]!;
    const env: Record<string, string> = {};
    for (const entry of fields.slice(envStart, end)) {
      const eq = entry.indexOf('=');
      if (eq <= 0) continue;
      env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    const [, reqno, seq, text, cwd, lastId, lastStatus] = fields as [string, string, string, string, string, string, string];
    const status = Number(lastStatus);
    const last = lastId && Number.isInteger(status) ? { id: lastId, status } : null;
    return { message: { type, reqno, seq, text, cwd, last, aliases, env }, used: end + 1 };
  }
  // Not the start of a message: drop the field and resynchronise on the next.
  return { message: null, used: 1 };
}

export function createMessageDecoder(): MessageDecoder {
  let partial = Buffer.alloc(0);
  let fields: string[] = [];
  return {
    push(chunk) {
      let buf = partial.length ? Buffer.concat([partial, chunk]) : chunk;
      let nul: number;
      while ((nul = buf.indexOf(0)) >= 0) {
        fields.push(buf.subarray(0, nul).toString('utf8'));
        buf = buf.subarray(nul + 1);
      }
      partial = Buffer.from(buf);
      const out: HookMessage[] = [];
      for (;;) {
        const r = fields.length ? parseFields(fields) : null;
        if (!r) break;
        fields = fields.slice(r.used);
        if (r.message) out.push(r.message);
      }
      return out;
    },
  };
}

/** What the hook does with the line. */
export type Reply =
  /** Leave the line as typed: bash runs it. */
  | { action: 'host'; id: string }
  /** Replace it with `__sbsh_run ID`: sbsh runs the prepared sandbox. */
  | { action: 'run'; id: string }
  /** Replace it with `__sbsh_say STATUS`: print MESSAGE, `$?` = STATUS. `end` also leaves the shell. */
  | { action: 'say' | 'end'; id: string; status: number; message: string }
  /** Incomplete (open quote, `do` without `done`, ...): add a newline and keep editing. */
  | { action: 'more' }
  /** bash is reading a continuation line of something sbsh will not let run: print MESSAGE, discard it all. */
  | { action: 'abort'; message: string };

function fieldsOf(fields: Array<string | number>): Buffer {
  return Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
}

export function encodeReply(reqno: string, r: Reply): Buffer {
  switch (r.action) {
    case 'host':
    case 'run':
      return fieldsOf([reqno, r.action, r.id, 0, '']);
    case 'say':
    case 'end':
      return fieldsOf([reqno, r.action, r.id, r.status, r.message]);
    case 'more':
      return fieldsOf([reqno, r.action, '', 0, '']);
    case 'abort':
      return fieldsOf([reqno, r.action, '', 0, r.message]);
  }
}

export function encodeDone(id: string, status: number): Buffer {
  return fieldsOf([id, status]);
}
