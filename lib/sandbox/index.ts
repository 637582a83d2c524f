import type { RunBackend } from '../plan/schema.js';
import { createBwrapBackend } from './bwrap.js';
import { SetupError, type Backend } from './types.js';

export { runPrepared, type RunResult, type RunStdio, type Supervised, type Supervision } from './run.js';
export { prepareHost } from './host.js';
export { SetupError } from './types.js';
export type { Backend, Prepared, ProbeResult, RunContext } from './types.js';

/** Backends named in the policy schema that this version does not have, and what to say about them. */
export const NOT_BUILT: Partial<Record<RunBackend, string>> = {
  podman: 'the podman backend is not part of this version of sbsh',
  docker: 'the docker backend is not part of this version of sbsh',
  seatbelt: 'the seatbelt backend (macOS sandbox-exec) is not part of this version of sbsh',
  ssh: 'the ssh/VM backend is not part of this version of sbsh',
  tart: 'the tart VM backend is not part of this version of sbsh',
};

/** The backend that runs plans naming `name`; fails closed for the ones not built. */
export function backendFor(name: RunBackend): Backend {
  if (name === 'bwrap') return createBwrapBackend();
  if (name === 'host') throw new SetupError('"host" is not a sandbox backend; host lines go through prepareHost', 'this is a bug in the caller');
  throw new SetupError(NOT_BUILT[name] ?? `unknown backend ${name}`, 'set `backend: bwrap` (or `auto`) in the profile, on Linux with bubblewrap installed (apt-get install -y bubblewrap)');
}
