import { execFile } from 'node:child_process';

// Whether bash would ask for another line (PS2) before it could run `text`.
// bash's own parser answers (`bash -n` reads without running anything), so
// sbsh and the shell agree on where a command ends. The hook then keeps the
// whole construct in readline's buffer, and sbsh plans the complete text
// before bash has seen any of it.

/** Characters or words without which a line cannot be unfinished. */
const MAY_CONTINUE = /["'`\\|&({[<]|\b(if|then|else|elif|do|for|while|until|case|select|function)\b/;

/** bash's messages for input that ended too early (LC_ALL=C keeps them in English). */
export function saysUnfinished(stderr: string): boolean {
  return /unexpected end of file|unexpected EOF while looking for matching|here-document at line \d+ delimited by end-of-file/.test(stderr);
}

/** An odd number of backslashes at the end joins the next line. */
export function endsWithContinuation(text: string): boolean {
  const m = /\\+$/.exec(text);
  return m !== null && m[0].length % 2 === 1;
}

export function isIncomplete(text: string, bash = 'bash'): Promise<boolean> {
  if (endsWithContinuation(text)) return Promise.resolve(true);
  if (!MAY_CONTINUE.test(text)) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile(bash, ['--norc', '--noprofile', '-n', '-c', text], { env: { LC_ALL: 'C', PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 5000 }, (_err, _stdout, stderr) => {
      // A check that could not run says "complete": the text is then planned
      // as it is, and an unfinished text is never host-safe (it is unknown).
      resolve(saysUnfinished(String(stderr)));
    });
  });
}
