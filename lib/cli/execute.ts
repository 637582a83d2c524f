import type { Plan } from '../plan/schema.js';
import { emitDecision, type Audit } from '../audit/bus.js';
import { denialMessage, recordDenial } from '../guard/index.js';
import { EXIT_DENIED, EXIT_SETUP } from './errors.js';
import { backendFor, runPrepared } from '../sandbox/index.js';
import { holdSignals, statusOf, type RunStdio, type SignalSource } from '../sandbox/run.js';
import { prepareHost } from '../sandbox/host.js';
import { setupFailureMessage, type Backend, type Prepared, type SetupError } from '../sandbox/types.js';

export interface ExecuteOptions {
  audit: Audit;
  id: string;
  env: NodeJS.ProcessEnv;
  positional: string[];
  stdio: RunStdio;
  /** The line's working directory, for the log: sbsh's own unless given. */
  cwd?: string;
  /** Where sbsh's own messages go (sbsh's stderr unless given); with `stdio` not inherited, give both. */
  say?: (text: string) => void;
  /** The signals meant for the command: sbsh's own unless given. */
  signals?: SignalSource;
}

/**
 * The backend of a sandboxed plan, told to start what its prepare() will use
 * (the network monitor's tens of milliseconds of process start-up then
 * overlap logging the decision and making the host side ready). A backend
 * this version does not have is a SetupError, reported like any other.
 */
function warmBackend(plan: Plan): Backend | SetupError | null {
  if (plan.action !== 'sandbox') return null;
  try {
    const backend = backendFor(plan.backend!);
    if (plan.sandbox) backend.warm?.(plan.sandbox.workspace, { network: plan.sandbox.network.mode === 'allow' });
    return backend;
  } catch (err) {
    if ((err as Error).name !== 'SetupError') throw err;
    return err as SetupError;
  }
}

/**
 * Runs a plan with inherited stdio: the decision is logged first, a denied
 * line never starts (126), a sandbox that cannot be built never falls back to
 * the host (125).
 */
export async function executePlan(plan: Plan, opts: ExecuteOptions): Promise<number> {
  const { audit, id } = opts;
  const started = Date.now();
  // A signal from here until the command is spawned calls the run off once
  // the host side is ready, and what was made ready is undone.
  const say = opts.say ?? ((text: string) => void process.stderr.write(text));
  const held = holdSignals(opts.signals);
  const backend = warmBackend(plan);
  emitDecision(audit, id, plan, plan.sandbox?.cwd ?? opts.cwd ?? process.cwd());
  for (const ig of plan.ignored) {
    say(`sbsh: ignored ${ig.key} from ${ig.file}: ${ig.why}\n`);
  }

  if (plan.action === 'deny') {
    held.release();
    say(denialMessage(plan) + '\n');
    recordDenial(audit, plan, id);
    audit.emit({ type: 'exit', id, status: EXIT_DENIED, signal: null, duration_ms: Date.now() - started });
    return EXIT_DENIED;
  }

  const ctx = { env: opts.env, audit, id, positional: opts.positional, say };
  let prepared: Prepared;
  try {
    if (backend instanceof Error) throw backend;
    prepared = backend ? await backend.prepare(plan, ctx) : await prepareHost(plan, ctx);
  } catch (err) {
    held.release();
    const e = err as SetupError;
    if (e.name !== 'SetupError') throw err;
    say(setupFailureMessage(plan.backend, e) + '\n');
    audit.emit({ type: 'violation', id, kind: 'setup', rule: `backend.${plan.backend}`, detail: e.message });
    audit.emit({ type: 'exit', id, status: EXIT_SETUP, signal: null, duration_ms: Date.now() - started });
    return EXIT_SETUP;
  }
  if (held.signal) {
    // Held through the clean-up too: a second signal must not cut it short.
    const stopped = statusOf(null, held.signal);
    await prepared.dispose(stopped.status);
    held.release();
    audit.emit({ type: 'exit', id, ...stopped, duration_ms: Date.now() - started });
    return stopped.status;
  }
  // runPrepared catches signals from its call on: only then is the hold let go.
  const report = opts.say && ((line: string) => say(line.endsWith('\n') ? line : `${line}\n`));
  const running = runPrepared(prepared, opts.stdio, { ...(opts.signals ? { signals: opts.signals } : {}), ...(report ? { report } : {}) });
  held.release();
  const result = await running;
  audit.emit({ type: 'exit', id, status: result.status, signal: result.signal, duration_ms: Date.now() - started });
  return result.status;
}
