// A policy file (or the request to use one) is wrong. The CLI prints the
// message and exits 2 without running anything. The message always starts
// with `file:line:col: key:` so editors can jump to it; line and col are 0
// when the problem is the file as a whole (missing, already exists).
export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    /** Dotted key, e.g. `profiles.install.network.mode`; '' for the whole file. */
    readonly key: string,
    /** What is wrong and how to fix it, without the location prefix. */
    readonly detail: string,
  ) {
    super(formatLocation(file, line, col, key) + detail);
    this.name = 'PolicyError';
  }
}

function formatLocation(file: string, line: number, col: number, key: string): string {
  const where = line > 0 ? `${file}:${line}:${col}` : file;
  return key ? `${where}: ${key}: ` : `${where}: `;
}
