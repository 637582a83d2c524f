// Waiting for something another process does (a bridge to exec, a monitor
// to start or die), bounded so that a test that waits in vain fails instead
// of hanging. Not a timing assertion: the bound is generous.

/**
 * Calls `f` until it returns a value that is neither undefined nor false, at
 * most `tries` times, `everyMs` apart; returns its last value.
 */
export async function poll<T>(f: () => T, tries = 100, everyMs = 20): Promise<T> {
  let v = f();
  for (let i = 1; i < tries && (v === undefined || v === false); i++) {
    await new Promise((r) => setTimeout(r, everyMs));
    v = f();
  }
  return v;
}
