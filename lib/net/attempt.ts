import type { Socket } from 'node:net';

// One connection attempt through the proxy, reported exactly once: when it is
// refused, or when its upstream connection ends (then with the bytes moved).

export type Protocol = 'http' | 'connect' | 'socks5';

export interface AttemptReport {
  protocol: Protocol;
  host: string;
  port: number;
  allowed: boolean;
  reason: string;
  /** Bytes received from the destination. */
  bytes_in: number;
  /** Bytes sent to the destination. */
  bytes_out: number;
}

// A hostile client can send a megabyte of "host"; the log keeps enough to read.
const MAX_HOST_CHARS = 253;

export class Attempt {
  private finished = false;
  /** The upstream socket once connecting; its counters are the reported bytes. */
  upstream: Socket | null = null;

  constructor(
    private readonly report: (r: AttemptReport) => void,
    private readonly onDone: (a: Attempt) => void,
    readonly protocol: Protocol,
    readonly host: string,
    readonly port: number,
  ) {}

  finish(allowed: boolean, reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.onDone(this);
    this.report({
      protocol: this.protocol,
      host: this.host.slice(0, MAX_HOST_CHARS),
      port: this.port,
      allowed,
      reason,
      bytes_in: this.upstream?.bytesRead ?? 0,
      bytes_out: this.upstream?.bytesWritten ?? 0,
    });
  }
}

/** The attempts still open, so that stopping the proxy can report them all. */
export class AttemptLog {
  private readonly open = new Set<Attempt>();
  private idle: (() => void) | null = null;

  constructor(private readonly report: (r: AttemptReport) => void) {}

  begin(protocol: Protocol, host: string, port: number): Attempt {
    const a = new Attempt(this.report, (done) => this.end(done), protocol, host, port);
    this.open.add(a);
    return a;
  }

  private end(a: Attempt): void {
    this.open.delete(a);
    if (this.open.size === 0) this.idle?.();
  }

  /**
   * Reports attempts still waiting for a decision as `reason` at once, waits
   * up to `graceMs` for connected ones to report their own end (their sockets
   * are being destroyed), then reports the rest as `reason` too.
   */
  async drain(graceMs: number, reason: string): Promise<void> {
    for (const a of [...this.open]) if (!a.upstream) a.finish(false, reason);
    if (this.open.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    for (const a of [...this.open]) a.finish(false, reason);
  }
}
