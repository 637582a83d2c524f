import type { RunHandle, Supervisor } from '../../lib/sandbox/run.js';
import type { Decider, Decision, LineRequest } from '../../lib/ui/shell/decide.js';

// A stand-in for the pipeline, for the tests of the shell's plumbing (hook,
// markers, FIFOs, status, history). It claims no isolation: a "sandboxed"
// line here is `bash -c LINE` on the host, started the way sbsh starts a
// real sandbox (own session, the shell's terminal as stdio). The tests that
// claim isolation use the real pipeline (test/e2e/shell-*.test.ts).

export interface FakeDecider extends Decider {
  readonly asked: LineRequest[];
  readonly disposed: Array<{ id: string; status: number }>;
  /** Each prompt the session told it of (Decider.prompting): the ids disposed by then. */
  readonly prompts: string[][];
}

/** A line running `./...` anywhere → sandbox, `sudo ...` → refused (126; `sudo --last` ends the session), anything else → host; `hang` never answers. */
export function fakeDecider(): FakeDecider {
  const asked: LineRequest[] = [];
  const disposed: Array<{ id: string; status: number }> = [];
  const prompts: string[][] = [];
  return {
    asked,
    disposed,
    prompts,
    prompting() {
      prompts.push(disposed.map((d) => d.id));
    },
    async decide(req): Promise<Decision> {
      asked.push(req);
      const notes: string[] = [];
      if (/^\s*sudo\b/.test(req.line)) {
        // `sudo --last`: as the strict guard's last allowed violation.
        const endSession = /^\s*sudo --last\b/.test(req.line);
        return { action: 'refuse', summary: 'sbsh: deny (dangerous) fake.sudo', notes, status: 126, message: 'sbsh: denied by fake.sudo: no sudo here', endSession };
      }
      if (/^\s*hang\b/.test(req.line)) return new Promise<Decision>(() => {});
      if (/(^|[\n;&|(])\s*\.\//.test(req.line)) {
        return {
          action: 'sandbox',
          summary: 'sbsh: sandbox:fake (build) fake.script',
          notes,
          prepared: Object.assign(
            {
              file: '/bin/bash',
              args: ['-c', req.line],
              env: { ...req.env },
              cwd: req.cwd,
              fds: [],
              async dispose(status: number) {
                disposed.push({ id: req.id, status });
              },
            },
            {
              detached: true,
              // Like the real backends: a signal goes to the whole group the command leads.
              supervise: (run: RunHandle): Supervisor => ({
                forward(signal) {
                  try {
                    process.kill(-run.pid, signal);
                  } catch {
                    // already gone
                  }
                },
                finish: () => ({}),
              }),
            },
          ),
        };
      }
      return { action: 'host', summary: 'sbsh: host (host-safe) fake.host', notes };
    },
  };
}
