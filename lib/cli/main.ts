import './zod-jitless.js';
import { readFileSync } from 'node:fs';
import { USAGE, UsageError } from './usage.js';
import { exitStatusForError } from './errors.js';

/** Imports an ES module outside the bundle (the UI). */
export type EsmImporter = (url: string) => Promise<unknown>;

// Dispatches argv to a subcommand. Every subcommand is imported lazily so that
// `sbsh -c` only loads the pipeline, not the pane or the policy tooling.

export interface ParsedArgs {
  command: 'interactive' | 'run' | 'script' | 'plan' | 'doctor' | 'policy' | 'trust' | 'log' | 'demo' | 'resident' | 'help' | 'version';
  line: string | null;
  positional: string[];
  json: boolean;
  login: boolean;
  noTui: boolean;
  policy: string | null;
  sub: string | null;
  limit: number | null;
  /** `resident --idle SECONDS`, in milliseconds. */
  idleMs: number | null;
}

const SUBCOMMANDS = new Set(['plan', 'doctor', 'policy', 'trust', 'log', 'demo', 'resident']);

/** Pure: argv (without node and the script) → what to do. */
export function parseArgs(argv: string[], argv0 = 'sbsh'): ParsedArgs {
  const out: ParsedArgs = {
    command: 'interactive', line: null, positional: [], json: false,
    // A login shell started by login(1)/sshd gets argv[0] beginning with '-'.
    login: argv0.startsWith('-'), noTui: false, policy: null, sub: null, limit: null, idleMs: null,
  };
  let i = 0;
  if (argv[0] !== undefined && SUBCOMMANDS.has(argv[0])) {
    out.command = argv[0] as ParsedArgs['command'];
    i = 1;
  }
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const needValue = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '-c') {
      out.line = needValue();
      out.positional = argv.slice(i + 1);
      if (out.command === 'interactive') out.command = 'run';
      break;
    } else if (a === '--json') out.json = true;
    else if (a === '-l' || a === '--login') out.login = true;
    else if (a === '--no-tui') out.noTui = true;
    else if (a === '--policy') out.policy = needValue();
    else if (a === '-n') {
      const n = Number(needValue());
      if (!Number.isInteger(n) || n <= 0) throw new UsageError('-n takes a positive whole number');
      out.limit = n;
    } else if (a === '--idle' && out.command === 'resident') {
      const s = Number(needValue());
      if (!Number.isInteger(s) || s <= 0) throw new UsageError('--idle takes a positive whole number of seconds');
      out.idleMs = s * 1000;
    } else if (a === '-h' || a === '--help') out.command = 'help';
    else if (a === '--version') out.command = 'version';
    else if (a === '-i' || a === '-s') {
      // Accepted for compatibility with programs that start a shell as `$SHELL -i`.
    } else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else if (out.command === 'interactive') {
      out.command = 'script';
      out.line = a;
      out.positional = argv.slice(i + 1);
      break;
    } else if ((out.command === 'policy' || out.command === 'demo' || out.command === 'trust') && out.sub === null) out.sub = a;
    else if (out.command === 'plan' && out.line === null) out.line = a;
    else throw new UsageError(`unexpected argument ${JSON.stringify(a)}`);
  }
  if (out.command === 'plan' && out.line === null) throw new UsageError('plan needs a line: sbsh plan [--json] -c LINE');
  if (out.command === 'policy' && !['init', 'check', 'show', 'schema'].includes(out.sub ?? '')) {
    throw new UsageError('policy needs one of: init, check, show, schema');
  }
  if (out.command === 'demo' && out.sub !== 'exfil') throw new UsageError('demo needs: exfil');
  return out;
}

/**
 * `importEsm` is for bin/sbsh.cjs, which runs the bundle from V8's code cache:
 * import() in code compiled that way needs an experimental Node flag, so the
 * entry point lends its own.
 */
export async function main(argv: string[], argv0?: string, importEsm: EsmImporter = (url) => import(url)): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, argv0 ? argv0.split('/').pop() : undefined);
  } catch (err) {
    return exitStatusForError(err);
  }
  try {
    switch (args.command) {
      case 'help':
        process.stdout.write(USAGE);
        return 0;
      case 'version': {
        const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
        process.stdout.write(`sbsh ${pkg.version}\n`);
        return 0;
      }
      case 'run':
      case 'script':
        return await (await import('./run-line.js')).runCommand(args);
      case 'plan':
        return await (await import('./plan-command.js')).planCommand(args);
      case 'doctor':
        return await (await import('./doctor.js')).doctorCommand(args);
      case 'policy':
      case 'trust':
        return await (await import('./policy-command.js')).policyCommand(args);
      case 'log':
        return await (await import('./log-command.js')).logCommand(args);
      case 'demo':
        return await (await import('./demo-command.js')).demoCommand(args);
      case 'resident':
        return await (await import('../resident/server.js')).serveResident({ env: process.env, idleMs: args.idleMs, log: (text) => void process.stderr.write(text) });
      case 'interactive':
        return await ((await importEsm(new URL('../ui/index.js', import.meta.url).href)) as typeof import('../ui/index.js')).runInteractive({ login: args.login, noTui: args.noTui });
    }
  } catch (err) {
    return exitStatusForError(err);
  }
}
