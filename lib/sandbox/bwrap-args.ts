import { sep } from 'node:path';

// The bwrap command line, as a pure function of a resolved layout. Every
// decision about the host (which paths exist, who owns them, where staged
// files live) is made before this, in bwrap.ts.

export interface Bind {
  /** Host path bwrap reads (may differ from dest: staged files, per-uid caches). */
  source: string;
  /** Path inside the sandbox. */
  dest: string;
}

export interface BwrapLayout {
  /** Directories that get a fresh private tmpfs: /tmp, /run, ..., and HOME. */
  hidden: string[];
  /** Bound read-only at its own path (it may sit under a hidden directory). */
  workspace: string;
  writable: Bind[];
  masks: { path: string; dir: boolean }[];
  /** An empty regular file, the source of every file mask. */
  emptyFile: string;
  cwd: string;
  /** fd of a pipe for bwrap's JSON status documents, or null. */
  statusFd: number | null;
  /** fd bwrap reads one byte from before it runs the command (the supervisor's go-ahead), or null. */
  blockFd: number | null;
  /** argv run inside; command[0] must be an absolute path. */
  command: string[];
}

/**
 * The namespaces bwrap makes for every sandbox. Not net: bwrap is started
 * inside the network monitor's namespace, which has only lo
 * (lib/net/monitor.ts), so that attempts to leave can be logged.
 */
export const SANDBOX_NAMESPACES = ['--unshare-user', '--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try'] as const;

type Op =
  | { kind: 'tmpfs'; dest: string }
  | { kind: 'ro-bind' | 'bind'; source: string; dest: string }
  | { kind: 'mask-file'; dest: string }
  | { kind: 'mask-dir'; dest: string };

// At the same depth a hidden tmpfs goes first and a mask last, so a mask
// always lands on top of whatever it masks.
const RANK: Record<Op['kind'], number> = { tmpfs: 0, 'ro-bind': 1, bind: 2, 'mask-file': 3, 'mask-dir': 3 };

export function depth(path: string): number {
  return path.split(sep).filter(Boolean).length;
}

/** True when `path` is `dir` or below it. */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * Mount operations in an order where every mount comes after the mounts it
 * sits in: by depth (a parent is always shallower than its children), then
 * by rank. Array.prototype.sort is stable, so equal keys keep input order.
 */
export function orderMounts(layout: BwrapLayout): Op[] {
  const ops: Op[] = [
    ...layout.hidden.map((dest): Op => ({ kind: 'tmpfs', dest })),
    { kind: 'ro-bind', source: layout.workspace, dest: layout.workspace },
    ...layout.writable.map((b): Op => ({ kind: 'bind', ...b })),
    ...layout.masks.map((m): Op => ({ kind: m.dir ? 'mask-dir' : 'mask-file', dest: m.path })),
  ];
  return ops
    .map((op, i) => ({ op, i }))
    .sort((a, b) => depth(a.op.dest) - depth(b.op.dest) || RANK[a.op.kind] - RANK[b.op.kind] || a.i - b.i)
    .map(({ op }) => op);
}

function opArgs(op: Op, emptyFile: string): string[] {
  switch (op.kind) {
    case 'tmpfs':
      return ['--tmpfs', op.dest];
    case 'ro-bind':
    case 'bind':
      return [`--${op.kind}`, op.source, op.dest];
    case 'mask-file':
      // An empty regular file, not /dev/null: binds are nodev, so a bound
      // /dev/null gives EACCES instead of reading as empty.
      return ['--ro-bind', emptyFile, op.dest];
    case 'mask-dir':
      return ['--tmpfs', op.dest];
  }
}

export function bwrapArgs(layout: BwrapLayout): string[] {
  if (!layout.command[0]?.startsWith('/')) throw new Error(`bwrapArgs: command must start with an absolute path, got ${JSON.stringify(layout.command[0])}`);
  const ops = orderMounts(layout);
  return [
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    ...ops.flatMap((op) => opArgs(op, layout.emptyFile)),
    // Masked directories become read-only only after everything below them is mounted.
    ...ops.filter((op) => op.kind === 'mask-dir').flatMap((op) => ['--remount-ro', op.dest]),
    '--chdir', layout.cwd,
    // No host processes, no host IPC; the network is the monitor's.
    ...SANDBOX_NAMESPACES,
    '--die-with-parent',
    // TIOCSTI is enabled on current kernels: without a new session the
    // sandbox could push keystrokes into the user's terminal.
    '--new-session',
    '--cap-drop', 'ALL',
    ...(layout.statusFd === null ? [] : ['--json-status-fd', String(layout.statusFd)]),
    ...(layout.blockFd === null ? [] : ['--block-fd', String(layout.blockFd)]),
    '--',
    ...layout.command,
  ];
}
