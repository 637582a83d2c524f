import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessageDecoder, type HookMessage } from './protocol.js';

// The FIFOs of protocol.ts, in a fresh 0700 directory. sbsh opens each FIFO
// read-write: the open never blocks, and the FIFO never reports end-of-file
// when bash closes its end between messages.

export interface Channel {
  readonly dir: string;
  onMessage(cb: (m: HookMessage) => void): void;
  /** Answers a `line` request (`resp` FIFO). */
  reply(data: Buffer): void;
  /** Tells a waiting `__sbsh_run` that its sandbox finished (`done` FIFO). */
  done(data: Buffer): void;
  close(): void;
}

export const FIFOS = ['req', 'resp', 'done'] as const;

function openFifo(path: string): number {
  return openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
}

function writeAll(fd: number, data: Buffer): void {
  // Replies are a few hundred bytes, far below the pipe's buffer: one write
  // fits unless bash has stopped reading altogether, and then there is no
  // one to tell.
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off);
}

export function openChannel(env: NodeJS.ProcessEnv): Channel {
  const base = env.XDG_RUNTIME_DIR || tmpdir();
  const dir = mkdtempSync(join(base, 'sbsh-'));
  const made = spawnSync('mkfifo', ['-m', '600', ...FIFOS.map((f) => join(dir, f))], { encoding: 'utf8' });
  if (made.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`sbsh: could not make the shell's FIFOs in ${dir}: ${made.error?.message ?? made.stderr.trim()}. Fix: install coreutils (mkfifo) and check that ${base} is writable.`);
  }
  const [reqFd, respFd, doneFd] = FIFOS.map((f) => openFifo(join(dir, f))) as [number, number, number];
  const socket = new Socket({ fd: reqFd, readable: true, writable: false });
  const decoder = createMessageDecoder();
  const listeners: Array<(m: HookMessage) => void> = [];
  socket.on('data', (chunk: Buffer) => {
    for (const m of decoder.push(chunk)) for (const l of listeners) l(m);
  });
  let closed = false;
  return {
    dir,
    onMessage: (cb) => void listeners.push(cb),
    reply: (data) => writeAll(respFd, data),
    done: (data) => writeAll(doneFd, data),
    close() {
      if (closed) return;
      closed = true;
      socket.destroy();
      for (const fd of [respFd, doneFd]) {
        try {
          closeSync(fd);
        } catch {
          // already closed
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
