import { constants } from 'node:os';
import type { LimitsPlan } from '../plan/schema.js';
import { SIGXCPU_STATUS, watchLimits, type LimitWatch, type Violation } from './limits.js';
import type { RunHandle, Supervisor } from './run.js';
import { SetupError, setupFailureMessage, type RunContext } from './types.js';

// What runPrepared cannot know about bwrap: its --json-status-fd documents say
// when the sandbox runs (and as which host pid) and whether the command ever
// started; signals go to the sandbox's process group, not to bwrap.

/** SIGTERM/SIGHUP give the command this long to exit before the whole sandbox is killed. */
const GRACE_MS = 3000;

interface StatusDocs {
  childPid: number | null;
  exitCode: number | null;
}

/** Reads bwrap's --json-status-fd documents: the sandbox's init pid first, its exit code at the end (absent when setup failed). */
function readStatus(run: RunHandle, onChild: (pid: number) => void): StatusDocs {
  const docs: StatusDocs = { childPid: null, exitCode: null };
  let buf = '';
  run.status?.setEncoding('utf8');
  run.status?.on('data', (chunk: string) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let doc: Record<string, unknown>;
      try {
        doc = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      // Only the first child-pid: it is written before the command runs.
      if (typeof doc['child-pid'] === 'number' && docs.childPid === null) {
        docs.childPid = doc['child-pid'];
        onChild(docs.childPid);
      }
      if (typeof doc['exit-code'] === 'number') docs.exitCode = doc['exit-code'];
    }
  });
  return docs;
}

/**
 * Watches one bwrap run for runPrepared: start event, limits, signals, and
 * what its exit means. `ready` is the go-ahead for the command (bwrap waits
 * for it at --block-fd); when it fails, the sandbox is killed unstarted.
 */
export function superviseBwrap(run: RunHandle, limits: LimitsPlan, ctx: RunContext, ready: Promise<void>): Supervisor {
  // Set from callbacks; an object keeps TypeScript from narrowing them to null.
  const st: {
    watch: LimitWatch | null;
    killedFor: string | null;
    forwarded: NodeJS.Signals | null;
    grace: NodeJS.Timeout | null;
    pending: NodeJS.Signals | null;
    notReady: SetupError | null;
    /** A signal that came before the go-ahead: the command never starts. */
    cancelled: NodeJS.Signals | null;
  } = {
    watch: null,
    killedFor: null,
    forwarded: null,
    grace: null,
    pending: null,
    notReady: null,
    cancelled: null,
  };

  // Ends everything in the sandbox. SIGKILL on the PID namespace's init makes
  // the kernel kill every process in it; bwrap's monitor goes too. Killing
  // only the monitor is not enough: if it dies before its child has armed
  // --die-with-parent, the sandbox lives on, orphaned and unsupervised.
  const killSandbox = () => {
    if (docs.childPid !== null) {
      try {
        process.kill(docs.childPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    run.kill('SIGKILL');
  };

  // The init leads the command's session and process group (--new-session),
  // from the moment it has called setsid; until then, wait a little.
  const deliver = (signal: NodeJS.Signals, tries = 0) => {
    try {
      process.kill(-docs.childPid!, signal);
    } catch {
      if (tries < 100) setTimeout(() => deliver(signal, tries + 1), 5).unref();
      else killSandbox();
    }
  };

  const violation = (v: Violation) => {
    ctx.audit.emit({ type: 'violation', id: ctx.id, kind: 'limit', rule: `limits.${v.rule}`, detail: v.detail });
    run.report(`sbsh: ${v.rule} limit: ${v.detail}${v.kill ? '; sandbox killed' : ''}`);
    if (v.kill) {
      st.killedFor = v.rule;
      killSandbox();
    }
  };
  // `start` means the command runs: the sandbox's init is known and the gate is open.
  let released = false;
  const announce = () => {
    if (released && docs.childPid !== null) ctx.audit.emit({ type: 'start', id: ctx.id, backend: 'bwrap', pid: docs.childPid });
  };
  const docs = readStatus(run, (pid) => {
    if (st.notReady || st.cancelled) {
      killSandbox();
      return;
    }
    announce();
    st.watch = watchLimits(pid, limits, violation);
    if (st.pending) deliver(st.pending);
  });

  // The gate stays open (never closed unwritten: bwrap would read EOF as the
  // go-ahead) until the sandbox is dead. Its init is known within
  // milliseconds of the spawn; the grace timer covers a bwrap that never says.
  ready.then(
    () => {
      if (st.cancelled) return;
      released = true;
      run.gate?.end('1');
      announce();
    },
    (err: unknown) => {
      st.notReady = err instanceof SetupError ? err : new SetupError(String(err), 'run `sbsh doctor`');
      if (docs.childPid !== null) killSandbox();
      st.grace ??= setTimeout(() => run.kill('SIGKILL'), GRACE_MS);
      st.grace.unref();
    },
  );

  return {
    forward(signal) {
      st.forwarded = signal;
      // Before the go-ahead the command has not started, and its process
      // group may not exist yet (bwrap waits at --block-fd before setsid):
      // the run is called off instead, and never starts.
      if (!released && !st.cancelled) {
        st.cancelled = signal;
        if (docs.childPid !== null) killSandbox();
        st.grace ??= setTimeout(() => run.kill('SIGKILL'), GRACE_MS);
        st.grace.unref();
        return;
      }
      if (!st.grace && signal !== 'SIGINT') {
        st.grace = setTimeout(killSandbox, GRACE_MS);
        st.grace.unref();
      }
      // Before bwrap has reported its init the sandbox is still being built:
      // the signal waits for it (the grace timer still bounds the wait).
      if (docs.childPid === null) {
        st.pending = signal;
        return;
      }
      deliver(signal);
    },
    exited(exit) {
      // A monitor killed by a signal may leave its child behind, if it died
      // before the child armed --die-with-parent: end the namespace for it.
      if (exit.signal !== null && docs.childPid !== null) {
        try {
          process.kill(docs.childPid, 'SIGKILL');
        } catch {
          // already gone with the monitor
        }
      }
    },
    finish(exit) {
      st.watch?.stop();
      if (st.grace) clearTimeout(st.grace);
      run.gate?.destroy();
      if (st.cancelled) return { status: 128 + (constants.signals[st.cancelled] ?? 0), signal: st.cancelled };
      if (st.notReady) {
        run.report(setupFailureMessage('bwrap', st.notReady));
        ctx.audit.emit({ type: 'violation', id: ctx.id, kind: 'setup', rule: 'backend.bwrap', detail: st.notReady.message });
        return { status: 125, signal: null };
      }
      if (exit.signal === null && docs.exitCode === null && st.killedFor === null && st.forwarded === null) {
        run.report('sbsh: bwrap could not set up the sandbox (its message is above); the command did not run. Fix: run `sbsh doctor`.');
        ctx.audit.emit({ type: 'violation', id: ctx.id, kind: 'setup', rule: 'backend.bwrap', detail: `bwrap exited ${exit.status} before starting the command` });
        return { status: 125, signal: null };
      }
      if (exit.status === SIGXCPU_STATUS && limits.cpu_seconds !== null && !st.watch?.reported.has('cpu')) {
        violation({ rule: 'cpu', kill: false, detail: `a process used its ${limits.cpu_seconds} s of CPU and was stopped` });
      }
      const fwd = st.forwarded;
      if (exit.signal === null && fwd && exit.status === 128 + (constants.signals[fwd] ?? 0)) {
        return { signal: fwd };
      }
      return {};
    },
  };
}

