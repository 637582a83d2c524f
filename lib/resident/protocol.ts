// What a client (bin/sbsh, in bash) and the resident sbsh say to each other.
//
// Client → resident, one line each on the resident's `req` FIFO. A line is a
// few dozen bytes, far below PIPE_BUF, so lines that concurrent clients write
// never interleave:
//   run PID FD ARGC   client PID waits at its file descriptor FD (a pipe) for
//                     the answer; its own last ARGC arguments are
//                     `-c LINE [NAME ARGS...]`
//   go PID            client PID read `took`: the line is the resident's to run
//   sig PID INT|TERM|HUP
//                     client PID got that signal: it is for PID's command
// Nothing of the command travels in the message: the resident reads the
// line, the environment, the working directory and the terminal or pipes from
// /proc/PID, as the kernel holds them for the client.
//
// Resident → client, one line each on the client's pipe:
//   took              the resident has the request; after `go` it runs the
//                     line, or still answers `node` before anything runs
//   node              not taken: run sbsh the usual way (nothing was run)
//   done STATUS       the command has finished (or was refused) with STATUS
// The client gives up on a resident that does not say `took` in time and runs
// the line itself; it never says `go` then, so the line never runs twice.

export type ClientSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export type ClientMessage =
  | { type: 'run'; pid: number; fd: number; argc: number }
  | { type: 'go'; pid: number }
  | { type: 'sig'; pid: number; signal: ClientSignal };

const SIGNALS: Record<string, ClientSignal> = { INT: 'SIGINT', TERM: 'SIGTERM', HUP: 'SIGHUP' };

function positiveInt(s: string | undefined): number | null {
  if (s === undefined || !/^[1-9][0-9]{0,9}$/.test(s)) return null;
  const n = Number(s);
  return n <= 2 ** 31 - 1 ? n : null;
}

/** One line of the `req` FIFO, without its newline; null for anything else. */
export function parseMessage(line: string): ClientMessage | null {
  const f = line.split(' ');
  if (f[0] === 'run' && f.length === 4) {
    const [pid, fd, argc] = [positiveInt(f[1]), positiveInt(f[2]), positiveInt(f[3])];
    if (pid === null || fd === null || argc === null) return null;
    return { type: 'run', pid, fd, argc };
  }
  if (f[0] === 'go' && f.length === 2) {
    const pid = positiveInt(f[1]);
    return pid === null ? null : { type: 'go', pid };
  }
  if (f[0] === 'sig' && f.length === 3) {
    const pid = positiveInt(f[1]);
    const signal = SIGNALS[f[2]!];
    if (pid === null || !signal) return null;
    return { type: 'sig', pid, signal };
  }
  return null;
}

/** Splits a byte stream into lines; a line longer than `max` is dropped whole. */
export function lineSplitter(max = 256): { push(chunk: Buffer): string[] } {
  let partial = '';
  let skipping = false;
  return {
    push(chunk) {
      const parts = (partial + chunk.toString('latin1')).split('\n');
      partial = parts.pop()!;
      const lines: string[] = [];
      for (const p of parts) {
        if (!skipping && p.length <= max) lines.push(p);
        skipping = false;
      }
      if (partial.length > max) {
        partial = '';
        skipping = true;
      }
      return lines;
    },
  };
}

/** NUL-terminated fields (/proc/PID/cmdline, /proc/PID/environ). */
function fields(buf: Buffer): string[] {
  const out = buf.toString('utf8').split('\0');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

/**
 * What a client asks, from its command line `cmdline` when its own arguments
 * are the last `argc` fields: the script it runs (the field before them), the
 * line and the positional arguments. Null unless they are
 * `-c LINE [NAME ARGS...]` after a script.
 */
export function requestArgs(cmdline: Buffer, argc: number): { script: string; line: string; positional: string[] } | null {
  const argv = fields(cmdline);
  if (argc < 2 || argc >= argv.length) return null;
  const own = argv.slice(argv.length - argc);
  if (own[0] !== '-c') return null;
  return { script: argv[argv.length - argc - 1]!, line: own[1]!, positional: own.slice(2) };
}

/** The environment of /proc/PID/environ. Entries without `=`, or with an empty name, are not variables and are left out. */
export function parseEnviron(buf: Buffer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of fields(buf)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** The process's start time (field 22 of /proc/PID/stat): with the pid, it names one process even after the pid is reused. */
export function startTime(stat: string): string | null {
  // The command name (field 2) is in parentheses and may hold spaces and ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const rest = stat.slice(close + 2).split(' ');
  // rest[0] is field 3 (state), so field 22 is rest[19].
  return rest[19] ?? null;
}

/** What the kernel says of a process that a command it starts would inherit. */
export interface ProcessFacts {
  /** /proc/PID/status */
  status: string;
  /** /proc/PID/limits */
  limits: string;
  /** Targets of /proc/PID/ns/* links, by name. */
  namespaces: Record<string, string | null>;
}

/** The lines of /proc/PID/status that a child inherits and that bound what it may do. */
const INHERITED = ['Umask', 'Uid', 'Gid', 'Groups', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs', 'Seccomp'];
export const NAMESPACES = ['mnt', 'pid', 'net', 'user', 'ipc', 'uts', 'cgroup'];

/**
 * /proc/PID/limits, one string a limit. For open files only the hard limit
 * counts: node raises its soft limit to the hard one as it starts, so a
 * command that sbsh -c starts gets that too.
 */
function comparableLimits(limits: string): string[] {
  return limits
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      if (!l.startsWith('Max open files')) return l.trim().replace(/\s+/g, ' ');
      const cols = l.slice('Max open files'.length).trim().split(/\s+/);
      return `Max open files hard ${cols[1] ?? '?'}`;
    });
}

function statusLine(status: string, name: string): string | null {
  const line = status.split('\n').find((l) => l.startsWith(`${name}:`));
  return line === undefined ? null : line.slice(name.length + 1).trim();
}

/**
 * How a command started by the resident would differ from one the client
 * started itself: credentials, capabilities, umask, no_new_privs, seccomp,
 * resource limits, namespaces. Empty when it would not; the resident takes
 * only such clients, so going through it never gains anything.
 */
export function processDifferences(resident: ProcessFacts, client: ProcessFacts): string[] {
  const out: string[] = [];
  for (const name of INHERITED) {
    const [r, c] = [statusLine(resident.status, name), statusLine(client.status, name)];
    if (r === null || r !== c) out.push(`${name}: ${c ?? 'unknown'} (resident: ${r ?? 'unknown'})`);
  }
  const [r, c] = [comparableLimits(resident.limits), comparableLimits(client.limits)];
  if (r.length !== c.length || r.some((line, i) => line !== c[i])) out.push('resource limits');
  for (const ns of NAMESPACES) {
    const [r, c] = [resident.namespaces[ns] ?? null, client.namespaces[ns] ?? null];
    if (r === null || r !== c) out.push(`${ns} namespace`);
  }
  return out;
}
