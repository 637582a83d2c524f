import { readdirSync, readFileSync } from 'node:fs';

// The host's process table from /proc, for tests that look for the processes
// sbsh starts (monitors, bridges, chown) by parent and command line.

export interface ProcessInfo {
  pid: number;
  ppid: number;
  argv: string[];
}

/** Every process that can be read now; one that ends while it is read is left out. */
export function processTable(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const ppid = Number(readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
        return [{ pid: Number(p), ppid, argv: readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean) }];
      } catch {
        return [];
      }
    });
}

/**
 * Whether a process runs systemd-socket-proxyd: its program, not an
 * argument (systemd-socket-activate names the proxy program among its own).
 */
export function runsProxyd(p: ProcessInfo): boolean {
  return /systemd-socket-proxyd$/.test(p.argv[0] ?? '');
}

/**
 * The network monitor scripts `parent` started, each with the bridge it runs
 * (its systemd-socket-activate child, which execs the proxy program in place
 * when the bridge is ready), if any.
 */
export function monitorsOf(parent: number, table = processTable()): Array<{ pid: number; bridge: ProcessInfo | null }> {
  return table
    .filter((p) => p.ppid === parent && p.argv.includes('sbsh-monitor') && p.argv.some((a) => a.endsWith('bash')))
    .map((m) => ({ pid: m.pid, bridge: table.find((c) => c.ppid === m.pid && /systemd-socket-(activate|proxyd)$/.test(c.argv[0] ?? '')) ?? null }));
}
