import { closeSync, mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFifos, openFifo, writeAll } from '../../cli/fifo.js';
import { createMessageDecoder, type HookMessage } from './protocol.js';

// The FIFOs of protocol.ts, in a fresh 0700 directory, each opened by sbsh
// read-write (openFifo).

export interface Channel {
  readonly dir: string;
  onMessage(cb: (m: HookMessage) => void): void;
  /** Answers a `line` request (`resp` FIFO). */
  reply(data: Buffer): void;
  /** Tells a waiting `__sbsh_run` that its sandbox finished (`done` FIFO). */
  done(data: Buffer): void;
  close(): void;
}

const FIFOS = ['req', 'resp', 'done'] as const;

/** A fresh 0700 directory in the user's runtime directory, else in the temp directory. */
function privateDir(env: NodeJS.ProcessEnv): string {
  if (env.XDG_RUNTIME_DIR) {
    try {
      return mkdtempSync(join(env.XDG_RUNTIME_DIR, 'sbsh-'));
    } catch {
      // Inherited from another user (su, sudo) or gone: the temp directory will do.
    }
  }
  return mkdtempSync(join(tmpdir(), 'sbsh-'));
}

export function openChannel(env: NodeJS.ProcessEnv): Channel {
  const dir = privateDir(env);
  try {
    makeFifos(dir, FIFOS);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
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
