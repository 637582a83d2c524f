import { UsageError } from './usage.js';

// Maps an error that escaped a subcommand to sbsh's exit statuses:
// 2 usage or policy-file error, 125 the sandbox could not be set up.

export const EXIT_DENIED = 126;
export const EXIT_SETUP = 125;
export const EXIT_USAGE = 2;

export function exitStatusForError(err: unknown): number {
  const e = err as Error & { fix?: string };
  if (err instanceof UsageError) {
    process.stderr.write(`sbsh: ${e.message}\nFix: see \`sbsh --help\`.\n`);
    return EXIT_USAGE;
  }
  if (e && e.name === 'PolicyError') {
    process.stderr.write(`sbsh: ${e.message}\nNothing was run.\n`);
    return EXIT_USAGE;
  }
  if (e && e.name === 'SetupError') {
    process.stderr.write(`sbsh: sandbox setup failed: ${e.message}\nFix: ${e.fix ?? 'run `sbsh doctor`'}\nThe command was not run (not on the host either).\n`);
    return EXIT_SETUP;
  }
  process.stderr.write(`sbsh: internal error: ${e?.stack ?? String(err)}\nNothing further was run.\n`);
  return EXIT_SETUP;
}
