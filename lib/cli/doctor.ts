import { platform } from 'node:os';
import type { ParsedArgs } from './main.js';
import type { ProbeResult } from '../sandbox/types.js';
import { backendFor, NOT_BUILT } from '../sandbox/index.js';
import { probeNetwork } from './probe-network.js';

// `sbsh doctor`: what works here, found by running things, never by guessing.

export interface DoctorReport {
  platform: string;
  backends: ProbeResult[];
  /** What a risky (install/build) command gets here. */
  tier: string;
}

export function tierFor(report: Pick<DoctorReport, 'backends'>): string {
  const works = (n: string) => report.backends.some((b) => b.backend === n && b.works);
  if (works('bwrap') && works('network-proxy')) {
    return 'bwrap: namespaces (user, pid, net, ipc, uts), read-only root, writable paths only, fresh HOME, rebuilt env, no capabilities; installs reach only allowlisted registries through the sbsh proxy; every direct connection attempt is refused and logged';
  }
  if (works('bwrap')) {
    return 'bwrap without the network proxy: sandboxed commands whose profile allows network will fail to set up (125); network-off profiles work';
  }
  return 'none: every install/build/unknown command fails closed with exit 125 (nothing risky runs on the host)';
}

export async function doctorReport(): Promise<DoctorReport> {
  const backends: ProbeResult[] = [];
  if (platform() === 'linux') {
    const bwrap = await backendFor('bwrap').probe();
    backends.push(bwrap);
    backends.push(bwrap.works ? await probeNetwork() : { backend: 'network-proxy', works: false, detail: 'not probed: bwrap does not work', fix: bwrap.fix });
  } else {
    backends.push({ backend: 'bwrap', works: false, detail: `not Linux (${platform()})`, fix: null });
  }
  for (const [name, detail] of Object.entries(NOT_BUILT)) {
    // Off macOS the reason that matters is the platform, not the missing backend.
    const why = name === 'seatbelt' && platform() !== 'darwin' ? `sandbox-exec exists only on macOS (this is ${platform()})` : detail;
    backends.push({ backend: name, works: false, detail: why, fix: null });
  }
  const report = { platform: platform(), backends, tier: '' };
  report.tier = tierFor(report);
  return report;
}

export async function doctorCommand(args: ParsedArgs): Promise<number> {
  const report = await doctorReport();
  if (args.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    for (const b of report.backends) {
      process.stdout.write(`${b.works ? 'ok  ' : 'no  '} ${b.backend.padEnd(14)} ${b.detail}\n`);
      if (!b.works && b.fix) process.stdout.write(`      fix: ${b.fix}\n`);
    }
    process.stdout.write(`\nrisky commands get: ${report.tier}\n`);
  }
  return report.backends.some((b) => b.backend === 'bwrap' && b.works) ? 0 : 1;
}
