import { readFileSync, readdirSync } from 'node:fs';
import type { LimitsPlan } from '../plan/schema.js';

// Resource limits. The kernel enforces them per process inside the sandbox
// (prlimit; RLIMIT_NPROC counts per uid within the sandbox's own user
// namespace, so it is a per-sandbox task count). RLIMIT_DATA rather than
// RLIMIT_AS: V8 reserves gigabytes of address space it never touches, so an
// address-space limit stops node from starting at all. Rlimits fail quietly
// (ENOMEM, EAGAIN) and are per process, so sbsh also samples the sandbox's
// processes from the host: it reports what it sees reach a limit, and kills
// the whole sandbox when the sum over all processes passes the memory or CPU
// limit. Wall time is a timer on the host.

export type LimitRule = 'memory' | 'pids' | 'cpu' | 'wall';

export interface Violation {
  rule: LimitRule;
  detail: string;
  /** The whole sandbox must die: a per-process rlimit cannot stop this. */
  kill: boolean;
}

export function prlimitArgs(prlimit: string, limits: LimitsPlan): string[] {
  const opts: string[] = [];
  if (limits.memory_mb !== null) opts.push(`--data=${limits.memory_mb * 1024 * 1024}`);
  if (limits.pids !== null) opts.push(`--nproc=${limits.pids}`);
  // SIGXCPU at the soft limit (a process may clean up), SIGKILL a second later.
  if (limits.cpu_seconds !== null) opts.push(`--cpu=${limits.cpu_seconds}:${limits.cpu_seconds + 1}`);
  return opts.length ? [prlimit, ...opts, '--'] : [];
}

export interface Sample {
  /** Tasks (threads included, as RLIMIT_NPROC counts them). */
  tasks: number;
  rssKb: number;
  /** The largest data segment of one process. */
  maxDataKb: number;
  cpuSeconds: number;
}

const MB = 1024;

export function checkSample(s: Sample, limits: LimitsPlan): Violation[] {
  const out: Violation[] = [];
  if (limits.memory_mb !== null) {
    const limitKb = limits.memory_mb * MB;
    if (s.rssKb > limitKb) {
      out.push({ rule: 'memory', kill: true, detail: `the sandbox's processes used ${Math.round(s.rssKb / MB)} MB together, over the ${limits.memory_mb} MB limit` });
    } else if (s.maxDataKb >= limitKb * 0.9) {
      out.push({ rule: 'memory', kill: false, detail: `a process reached ${Math.round(s.maxDataKb / MB)} MB of its ${limits.memory_mb} MB memory limit` });
    }
  }
  if (limits.pids !== null && s.tasks >= limits.pids) {
    out.push({ rule: 'pids', kill: false, detail: `the sandbox reached its limit of ${limits.pids} processes/threads; more forks fail` });
  }
  if (limits.cpu_seconds !== null && s.cpuSeconds >= limits.cpu_seconds) {
    out.push({ rule: 'cpu', kill: true, detail: `the sandbox used ${s.cpuSeconds.toFixed(1)} s of CPU, the limit is ${limits.cpu_seconds} s` });
  }
  return out;
}

/** Exit status 128+SIGXCPU: the kernel stopped a process at its CPU rlimit. */
export const SIGXCPU_STATUS = 128 + 24;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process exited meanwhile
  }
}

function descendants(root: number): number[] {
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      const children = read(`/proc/${pid}/task/${tid}/children`);
      if (children) queue.push(...children.trim().split(/\s+/).filter(Boolean).map(Number));
    }
  }
  return out;
}

// USER_HZ is 100 on every Linux ABI sbsh runs on.
const TICKS = 100;

function field(status: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status);
  return m ? Number(m[1]) : 0;
}

/** Sums the process tree under `root` (the sandbox's init, as a host pid). */
export function sampleTree(root: number): Sample {
  const s: Sample = { tasks: 0, rssKb: 0, maxDataKb: 0, cpuSeconds: 0 };
  for (const pid of descendants(root)) {
    const stat = read(`/proc/${pid}/stat`);
    const status = read(`/proc/${pid}/status`);
    if (!stat || !status) continue;
    // Fields after the command name, which may itself contain spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    s.cpuSeconds += (Number(rest[11]) + Number(rest[12])) / TICKS;
    s.tasks += Number(rest[17]) || 1;
    s.rssKb += field(status, 'VmRSS');
    s.maxDataKb = Math.max(s.maxDataKb, field(status, 'VmData'));
  }
  return s;
}

export interface LimitWatch {
  stop(): void;
  /** Rules already reported, so a status-based check does not report twice. */
  readonly reported: ReadonlySet<LimitRule>;
}

const SAMPLE_MS = 100;

/**
 * Watches one sandbox: wall-clock timer, and sampling when a memory, pids or
 * CPU limit is set. `onViolation` runs once per rule.
 */
export function watchLimits(root: number, limits: LimitsPlan, onViolation: (v: Violation) => void): LimitWatch {
  const reported = new Set<LimitRule>();
  const raise = (v: Violation) => {
    if (reported.has(v.rule)) return;
    reported.add(v.rule);
    onViolation(v);
  };
  const timers: NodeJS.Timeout[] = [];
  if (limits.wall_seconds !== null) {
    const wall = limits.wall_seconds;
    timers.push(setTimeout(() => raise({ rule: 'wall', kill: true, detail: `still running after the ${wall} s wall-clock limit` }), wall * 1000));
  }
  if (limits.memory_mb !== null || limits.pids !== null || limits.cpu_seconds !== null) {
    timers.push(setInterval(() => checkSample(sampleTree(root), limits).forEach(raise), SAMPLE_MS));
  }
  // The timers must not keep sbsh alive on their own; the child does.
  for (const t of timers) t.unref();
  return {
    reported,
    stop: () => timers.forEach((t) => clearTimeout(t)),
  };
}
