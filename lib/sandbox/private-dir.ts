import { rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Removes a directory sbsh made for one run that should hold only `names`
 * (the staging directory's empty file, the proxy's socket): one call each,
 * where a recursive rm first loads Node's rimraf, ~4 ms in every sandboxed
 * command. Anything else found there is removed recursively all the same.
 */
export function removePrivateDir(dir: string, names: string[]): void {
  try {
    for (const name of names) {
      try {
        unlinkSync(join(dir, name));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    rmdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    rmSync(dir, { recursive: true, force: true });
  }
}
