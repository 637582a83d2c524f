import type { ShellSession } from './session.js';

// The plain terminal (`--no-tui`, or stdout not a TTY): the shell's pty
// straight through to the real terminal. The session prints each decision
// as one dim row itself (`announce`).

export interface PlainIO {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

/** Runs until the session exits; resolves with its exit status, the terminal restored. */
export function runPlain(session: ShellSession, io: PlainIO): Promise<number> {
  return new Promise((resolve) => {
    const wasRaw = io.stdin.isTTY ? io.stdin.isRaw : false;
    // Raw: every key, Ctrl-C included, goes to the shell's pty and its line
    // discipline, never to sbsh's own process.
    if (io.stdin.isTTY) io.stdin.setRawMode(true);
    const onKeys = (data: Buffer | string) => session.write(data.toString());
    // A stdin that ends (a pipe) is the end of the user's input: Ctrl-D.
    const onEnd = () => session.write('\x04');
    const onResize = () => session.resize(io.stdout.columns, io.stdout.rows);
    io.stdin.on('data', onKeys);
    io.stdin.on('end', onEnd);
    io.stdin.resume();
    if (io.stdout.isTTY) io.stdout.on('resize', onResize);
    session.onOutput((data) => io.stdout.write(data));
    session.onExit((status) => {
      io.stdin.off('data', onKeys);
      io.stdin.off('end', onEnd);
      io.stdout.off('resize', onResize);
      if (io.stdin.isTTY) io.stdin.setRawMode(wasRaw);
      io.stdin.pause();
      resolve(status);
    });
  });
}
