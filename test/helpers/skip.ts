import type { Test } from 'uvu';

// A check this machine cannot run is reported as skipped, with the reason,
// never as passed. scripts/test.mjs counts the SKIP lines.
export function skipWithReason(suite: Test, name: string, reason: string): void {
  suite.skip(name, () => {});
  process.stdout.write(`SKIP ${name}: ${reason}\n`);
}
