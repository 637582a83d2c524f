import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A throwaway home, config directory and workspace for policy and plan
// tests; nothing reads the real ~/.config.

/** test/fixtures/policies, from the source tree whether this runs under tsx or from dist/. */
export function fixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return join(dir, 'test', 'fixtures', 'policies');
}

export interface TmpEnv {
  root: string;
  home: string;
  workspace: string;
  env: NodeJS.ProcessEnv;
  /** Writes a file (creating directories) and returns its absolute path. */
  write(path: string, text: string | Buffer): string;
  userPolicy: string;
  repoPolicy: string;
  cleanup(): void;
}

export function makeTmpEnv(extraEnv: NodeJS.ProcessEnv = {}): TmpEnv {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'sbsh-policy-')));
  const home = join(root, 'home');
  const workspace = join(root, 'ws');
  mkdirSync(home, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  const write = (path: string, text: string | Buffer): string => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  return {
    root,
    home,
    workspace,
    env: { HOME: home, PATH: '/usr/bin:/bin', ...extraEnv },
    write,
    userPolicy: join(home, '.config', 'sbsh', 'policy.yaml'),
    repoPolicy: join(workspace, 'sbsh.yaml'),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A test body run in a fresh TmpEnv, cleaned up afterwards. */
export function withEnv(fn: (t: TmpEnv) => void): () => void {
  return () => {
    const t = makeTmpEnv();
    try {
      fn(t);
    } finally {
      t.cleanup();
    }
  };
}
