import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createAudit } from '../../lib/audit/bus.js';
import { findBridgeTools, findExecutable } from '../../lib/net/bridge.js';
import { createPipelineDecider } from '../../lib/ui/shell/decide.js';
import { poll } from '../helpers/poll.js';
import { monitorsOf } from '../helpers/proc.js';
import { skipWithReason } from '../helpers/skip.js';

// The interactive shell's decider with the real pipeline and backend: the
// next sandbox's network monitor is started at the prompt after a sandboxed
// line (not while the line ends), bridged when that line had network.

const s = suite('shell decider: the next sandbox is made ready at the prompt');
const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const missing = ['bwrap', 'tcpdump', 'nsenter', 'unshare', 'ip'].filter((t) => !findExecutable(t, PATH));
if (!findBridgeTools(PATH).activate) missing.push('systemd-socket-activate');

/** This process's monitor scripts, each with whether it has started a bridge. */
function monitors(): Array<{ pid: number; bridged: boolean }> {
  return monitorsOf(process.pid).map((m) => ({ pid: m.pid, bridged: m.bridge !== null }));
}

async function until<T>(what: string, f: () => T | undefined): Promise<T> {
  const v = await poll(f, 150);
  if (v === undefined) throw new Error(`timed out waiting for ${what}`);
  return v;
}

if (missing.length > 0) {
  skipWithReason(s, 'the decider\'s spare monitor', `${missing.join(', ')} not installed; fix: scripts/install-deps`);
} else {
  let dir: string;
  let ws: string;
  let env: NodeJS.ProcessEnv;
  s.before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sbsh-decide-'));
    // As root the sandbox runs as an unprivileged uid, which must reach the workspace.
    chmodSync(dir, 0o755);
    ws = join(dir, 'ws');
    const home = join(dir, 'home');
    mkdirSync(ws);
    mkdirSync(home);
    execFileSync('git', ['init', '-q', ws]);
    writeFileSync(join(ws, 'package.json'), '{"name":"x","version":"1.0.0"}\n');
    env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.state') };
  });
  s.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  s('after a line with network, the spare starts at the prompt, bridged; after one without, unbridged', async () => {
    const decider = await createPipelineDecider({ audit: createAudit({ logPath: null }), cwd: ws, env });
    // The session's first spare, started with the decider.
    const first = await until('the first spare', () => monitors()[0]);
    assert.is(first.bridged, false);

    try {
      for (const [line, bridged] of [['npm install', true], ['./noop.sh', false]] as const) {
        const d = await decider.decide({ id: `line-${bridged}`, line, cwd: ws, env });
        assert.is(d.action, 'sandbox', line);
        if (d.action !== 'sandbox') return;
        const taken = new Set(monitors().map((m) => m.pid));
        await d.prepared.dispose(0);
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(monitors().filter((m) => !taken.has(m.pid)), [], `no spare before the prompt (${line})`);
        decider.prompting!();
        const spare = await until('the next spare', () => monitors().find((m) => !taken.has(m.pid)));
        // A bridge starts within milliseconds of the monitor; give it ample time either way.
        if (bridged) await until('its bridge', () => monitors().find((m) => m.pid === spare.pid && m.bridged));
        else await new Promise((r) => setTimeout(r, 500));
        assert.is(monitors().find((m) => m.pid === spare.pid)?.bridged, bridged, line);
      }
    } finally {
      // One more line takes the last spare and stops it with its own clean-up (no prompt follows).
      const last = await decider.decide({ id: 'last', line: './noop.sh', cwd: ws, env });
      if (last.action === 'sandbox') await last.prepared.dispose(0);
    }
    await until('the last spare to stop', () => (monitors().length === 0 ? true : undefined));
  });
}

s.run();
