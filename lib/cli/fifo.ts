import { spawnSync } from 'node:child_process';
import { constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

// FIFOs for sbsh's private channels: the interactive shell's hook
// (ui/shell/channel.ts) and the resident sbsh's requests (resident/server.ts).

/** Makes FIFOs `names` in `dir`, mode 0600; throws with the fix when mkfifo fails. */
export function makeFifos(dir: string, names: readonly string[]): void {
  const made = spawnSync('mkfifo', ['-m', '600', ...names.map((f) => join(dir, f))], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`sbsh: could not make FIFOs in ${dir}: ${made.error?.message ?? made.stderr.trim()}. Fix: install coreutils (mkfifo).`);
}

/**
 * Opens a FIFO read-write: the open never blocks, and the FIFO never reports
 * end-of-file when a writer closes its end between messages.
 */
export function openFifo(path: string): number {
  return openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
}

/**
 * Writes a message of a few hundred bytes, far below a pipe's buffer, to a
 * FIFO or pipe its reader keeps reading: a write only fails when the reader
 * has long gone (and has given up, so there is no one to tell).
 */
export function writeAll(fd: number, data: Buffer): void {
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off);
  } catch {
    // EAGAIN on a full FIFO, EPIPE or EBADF once the reader is gone
  }
}
