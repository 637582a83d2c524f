import type { BackendName } from '../policy/schema.js';
import type { RunBackend } from './schema.js';
import { SetupError } from '../sandbox/types.js';

/** `auto` is the platform's own sandbox; anything else is used as named (and fails closed if unavailable). */
export function resolveBackend(name: BackendName, platform: NodeJS.Platform): RunBackend {
  if (name !== 'auto') return name;
  if (platform === 'linux') return 'bwrap';
  if (platform === 'darwin') return 'seatbelt';
  throw new SetupError(`no built-in sandbox for platform ${platform}`, 'set `backend: podman`, `docker` or `ssh` on the profile in ~/.config/sbsh/policy.yaml');
}
