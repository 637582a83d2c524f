import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The git root above `cwd` (a `.git` directory, or file for worktrees and submodules), else `cwd` itself. */
export function findWorkspace(cwd: string): string {
  const start = resolve(cwd);
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
