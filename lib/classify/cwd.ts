// The directories a command may run in. `cd` can fail, so after
// `cd /tmp; rm x` the `rm` runs in /tmp or where the line started, and both
// are judged; after `cd /tmp && rm x` only /tmp is. null means unknowable
// (`cd "$X"`, a `cd` inside a loop): relative paths then resolve to nothing.

export type Cwds = readonly string[] | null;

export function union(a: Cwds, b: Cwds): Cwds {
  if (a === null || b === null) return null;
  return [...new Set([...a, ...b])];
}

/** Each cwd to judge a command in: the unknown one is judged as null. */
export function eachCwd(cwds: Cwds): ReadonlyArray<string | null> {
  return cwds ?? [null];
}
