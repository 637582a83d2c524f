import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type IPty } from 'node-pty';
import type { Sample } from './measure.js';

// A program in a real pty, driven as a person would type into it: the
// interactive benches measure from Enter to the next prompt.

export interface Term {
  pty: IPty;
  /** Resolves once the output since the call matches `re`. */
  next(re: RegExp, timeoutMs?: number): Promise<void>;
}

export function openTerm(file: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Term {
  const pty = spawn(file, args, { name: 'xterm-256color', cols: 100, rows: 30, cwd: opts.cwd, env: opts.env as Record<string, string> });
  let out = '';
  let waiter: { re: RegExp; resolve: () => void } | null = null;
  pty.onData((d) => {
    out += d;
    if (waiter && waiter.re.test(out)) {
      const w = waiter;
      waiter = null;
      w.resolve();
    }
  });
  return {
    pty,
    next(re, timeoutMs = 30_000) {
      out = '';
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`bench: no ${re} within ${timeoutMs} ms`)), timeoutMs);
        waiter = { re, resolve: () => (clearTimeout(timer), resolve()) };
      });
    },
  };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Between two lines a person reads and types; sbsh makes the next sandbox
 * ready then. Not timed.
 */
export const THINK_MS = 300;

/** ms from Enter to the next prompt for `line`, typed THINK_MS after the previous prompt (after `before`, not timed). */
export async function timeLine(t: Term, line: string, prompt: RegExp, before?: () => void): Promise<number> {
  await new Promise((r) => setTimeout(r, THINK_MS));
  before?.();
  const done = t.next(prompt);
  const t0 = now();
  t.pty.write(line + '\r');
  await done;
  return now() - t0;
}

/** `timeLine` `runs` times after `warmup` untimed ones. */
export async function lineLatency(name: string, t: Term, line: string, prompt: RegExp, opts: { runs: number; warmup?: number; before?: () => void }): Promise<Sample> {
  const { runs, warmup = 2, before } = opts;
  const ms: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const dt = await timeLine(t, line, prompt, before);
    if (i >= warmup) ms.push(dt);
  }
  return { name, ms };
}

/** A prompt at the start of a row, as the bench shells show it (readline also redraws it on the typed line). */
export const BENCH_PROMPT = /\n[^\n]*BENCH> $/;

/**
 * bash and each given sbsh as interactive shells in `ws`, each showing its
 * first prompt. They read the same startup files, the bench home's .bashrc,
 * which sets the prompt (sbsh keeps a custom one, prefixed "(sbsh) ").
 */
export async function benchShells(ws: string, env: NodeJS.ProcessEnv, sbsh: Array<{ name: string; bin: string }>): Promise<Array<{ name: string; term: Term }>> {
  writeFileSync(join(env.HOME!, '.bashrc'), "PS1='BENCH> '\n");
  const shells: Array<{ name: string; term: Term }> = [];
  for (const [name, file, args] of [['typed in bash', 'bash', ['-i']], ...sbsh.map((s) => [s.name, s.bin, ['--no-tui']] as const)] as const) {
    // One at a time: next() only sees output from its call on, so each waits for its first prompt at once.
    const term = openTerm(file, [...args], { cwd: ws, env });
    await term.next(/BENCH> $/);
    shells.push({ name, term });
  }
  return shells;
}

/** `line` typed into each shell in turns, `runs` times after `warmup` untimed rounds; `before` runs before each (not timed). */
export async function typedInTurns(shells: Array<{ name: string; term: Term }>, line: string, opts: { runs: number; warmup?: number; before?: () => void }): Promise<Sample[]> {
  const { runs, warmup = 1, before } = opts;
  const samples: Sample[] = shells.map((s) => ({ name: s.name, ms: [] }));
  for (let i = 0; i < warmup + runs; i++) {
    for (const [k, s] of shells.entries()) {
      const ms = await timeLine(s.term, line, BENCH_PROMPT, before);
      if (i >= warmup) samples[k]!.ms.push(ms);
    }
  }
  for (const s of shells) s.term.pty.write('exit\r');
  return samples;
}
