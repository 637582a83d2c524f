import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { PolicyError } from './errors.js';

// Trust is per file content: `sbsh trust` records the sha256 of the exact
// bytes of a repository policy under its absolute path. Change one byte and
// the file is untrusted again, so a `git pull` cannot slip a loosening past
// the user. The store lives in the user's config directory, which sandboxed
// commands cannot write (HOME is a fresh tmpfs inside).

export const TrustStore = z.strictObject({
  version: z.literal(1),
  /** Absolute path → `sha256:<hex>` of the file's bytes when it was trusted. */
  files: z.record(z.string(), z.string().regex(/^sha256:[0-9a-f]{64}$/)),
});
export type TrustStore = z.infer<typeof TrustStore>;

/** `$XDG_CONFIG_HOME/sbsh`, else `$HOME/.config/sbsh`, from the environment given (not process.env). */
export function configDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says a relative value is invalid and must be ignored.
  if (xdg && isAbsolute(xdg)) return join(xdg, 'sbsh');
  if (env.HOME && isAbsolute(env.HOME)) return join(env.HOME, '.config', 'sbsh');
  throw new PolicyError('$HOME', 0, 0, '', 'neither XDG_CONFIG_HOME nor HOME is an absolute path, so sbsh cannot find its config directory; set HOME');
}

export function userPolicyPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'policy.yaml');
}

export function trustStorePath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'trusted.json');
}

// Loaded on first use: node:crypto costs ~8 ms in every new sbsh process,
// and only a repository with its own policy file needs a hash.
const requireBuiltin = createRequire(import.meta.url);

export function contentHash(bytes: Buffer): string {
  const { createHash } = requireBuiltin('node:crypto') as typeof import('node:crypto');
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function readTrustStore(path: string): TrustStore {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, files: {} };
    throw new PolicyError(path, 0, 0, '', `cannot read the trust store (${(err as NodeJS.ErrnoException).code}); check its permissions`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new PolicyError(path, 0, 0, '', `the trust store is not valid JSON (${(err as Error).message}); delete it and run \`sbsh trust\` again`);
  }
  const store = TrustStore.safeParse(parsed);
  if (!store.success) throw new PolicyError(path, 0, 0, '', `the trust store is malformed (${z.prettifyError(store.error).replace(/\n/g, ' ')}); delete it and run \`sbsh trust\` again`);
  return store.data;
}

export function isTrusted(store: TrustStore, file: string, bytes: Buffer): boolean {
  return store.files[file] === contentHash(bytes);
}

/** Records `file` (absolute) as trusted with its current bytes. Written atomically, owner-only. */
export function recordTrust(storePath: string, file: string, bytes: Buffer): TrustStore {
  const store = readTrustStore(storePath);
  const next: TrustStore = { version: 1, files: { ...store.files, [file]: contentHash(bytes) } };
  mkdirSync(dirname(storePath), { recursive: true, mode: 0o700 });
  const tmp = `${storePath}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, storePath);
  return next;
}
