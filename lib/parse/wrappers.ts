import { hasOption, optionValue, ownValue, scanOptions, type OptionGrammar, type ScannedOption } from './getopt.js';
import type { Assignment, Word } from './types.js';
import type { UnknownReason } from './unknown.js';

// Commands that run another command (`sudo`, `env`, `bash -c`, `xargs`,
// `find -exec`, `npx`, `trap`, …) and what each one runs: a plan for the payload,
// computed from the words alone. lib/parse/command.ts turns a plan into the
// payload's tree.

export type PayloadPlan =
  /** Runs nothing besides itself (`command -v x`, `sudo -l`, `bash script.sh` runs a file). */
  | { kind: 'none' }
  | ArgvPlan
  /** Parses this text as shell (`bash -c`, `eval`); null when it is only known at run time. */
  | { kind: 'text'; text: string | null; what: string }
  /** A shell reading its script from standard input. */
  | { kind: 'stdin' }
  /** Several payloads (`find -exec a ; -exec b ;`), run one after the other. */
  | { kind: 'each'; plans: ArgvPlan[] }
  | { kind: 'unknown'; reason: UnknownReason; why: string };

/** Runs these words as a command. */
export interface ArgvPlan {
  kind: 'argv';
  /** `NAME=V` words before the command (env, sudo); `from` is the first of them as typed. */
  assignments: Assignment[];
  from?: Word;
  words: Word[];
  /** argv[0] is an npm package spec (`pkg@1.2`). */
  packageName?: boolean;
}

const NONE: PayloadPlan = { kind: 'none' };

/**
 * The payload plan of the command `name args…` (name already resolved to a
 * basename), or null when it is not a wrapper.
 */
export function payloadPlan(name: string, args: readonly Word[]): PayloadPlan | null {
  if (SHELLS.has(name)) return shellPlan(args);
  const sub = args[0]?.value;
  if (name === 'npm' && (sub === 'exec' || sub === 'x')) return packageRunnerPlan(args.slice(1), NPX);
  if (name === 'pnpm' && sub === 'dlx') return packageRunnerPlan(args.slice(1), PNPM_DLX);
  if (name === 'yarn' && sub === 'dlx') return packageRunnerPlan(args.slice(1), YARN_DLX);
  if (name === 'bun' && sub === 'x') return packageRunnerPlan(args.slice(1), BUNX);
  return WRAPPERS.get(name)?.(args) ?? null;
}

const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'ash', 'mksh']);

const SHELL_LONG: Readonly<Record<string, 'value' | 'flag'>> = {
  'init-file': 'value',
  rcfile: 'value',
  debug: 'flag',
  debugger: 'flag',
  'dump-po-strings': 'flag',
  'dump-strings': 'flag',
  help: 'flag',
  login: 'flag',
  noediting: 'flag',
  noprofile: 'flag',
  norc: 'flag',
  posix: 'flag',
  'pretty-print': 'flag',
  restricted: 'flag',
  verbose: 'flag',
  version: 'flag',
  wordexp: 'flag',
  // zsh
  'no-rcs': 'flag',
  'no-globalrcs': 'flag',
  interactive: 'flag',
};

/**
 * `bash [options] -c STRING [argv0 args…]` runs STRING; `bash [options]`
 * (or with `-s`) reads the script from standard input; `bash FILE` runs a
 * file, which is not a payload. Options are letter groups (`-lc`, `-xec`,
 * `+e`); `-o`/`-O` and their `+` forms take the next word.
 */
function shellPlan(args: readonly Word[]): PayloadPlan {
  let command = false;
  let stdin = false;
  let i = 0;
  for (; i < args.length; i++) {
    const word = args[i]!;
    const v = word.value;
    if (v === null) return dynamic(`shell option \`${word.raw}\` is only known at run time`);
    if (v === '--' || v === '-') {
      i++;
      break;
    }
    if (v.startsWith('--')) {
      const kind = ownValue(SHELL_LONG, v.slice(2));
      if (!kind) return unknownOption(v);
      if (kind === 'value') i++;
      continue;
    }
    if (!/^[-+][A-Za-z]+$/.test(v)) break;
    const letters = v.slice(1);
    if (v.startsWith('-') && letters.includes('c')) command = true;
    if (v.startsWith('-') && letters.includes('s')) stdin = true;
    for (const ch of letters) if (ch === 'o' || ch === 'O') i++;
  }
  const operands = args.slice(i);
  if (command) {
    const script = operands[0];
    if (!script) return dynamic('`-c` without a command string');
    return { kind: 'text', text: script.value, what: `the -c string ${script.raw}` };
  }
  return stdin || operands.length === 0 ? { kind: 'stdin' } : NONE;
}

/** A wrapper command: its args → its payload plan. */
type Wrapper = (args: readonly Word[]) => PayloadPlan;

/** The operands of `args` after the options in `grammar`, or the plan that says why they cannot be found. */
function afterOptions(args: readonly Word[], grammar: OptionGrammar, use: (options: ScannedOption[], operands: Word[]) => PayloadPlan): PayloadPlan {
  const scan = scanOptions(args, grammar);
  return scan.ok ? use(scan.options, scan.operands) : { kind: 'unknown', reason: scan.reason, why: scan.why };
}

/** Runs its operands as a command; nothing when there are none. */
function runsOperands(grammar: OptionGrammar, noRun: string[] = []): Wrapper {
  return (args) => afterOptions(args, grammar, (options, operands) => (hasOption(options, ...noRun) ? NONE : argv(operands)));
}

function argv(words: Word[], assignments: Assignment[] = [], from?: Word): PayloadPlan {
  if (words.length === 0) return NONE;
  return from ? { kind: 'argv', assignments, from, words } : { kind: 'argv', assignments, words };
}

const NAME_EQUALS = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** `NAME=VALUE` words before the command (env, sudo) become the payload's assignments. */
function withAssignments(operands: Word[]): PayloadPlan {
  const assignments: Assignment[] = [];
  let i = 0;
  for (; i < operands.length; i++) {
    const word = operands[i]!;
    const known = word.value !== null && NAME_EQUALS.test(word.value);
    if (!known && !(word.value === null && NAME_EQUALS.test(word.raw))) break;
    const name = (word.value ?? word.raw).slice(0, (word.value ?? word.raw).indexOf('='));
    const rawValue = word.raw.slice(word.raw.indexOf('=') + 1);
    assignments.push({ name, value: { raw: rawValue, value: word.value === null ? null : word.value.slice(name.length + 1), substitutions: word.substitutions } });
  }
  return argv(operands.slice(i), assignments, i > 0 ? operands[0] : undefined);
}

const ENV: OptionGrammar = {
  flags: 'i0v-',
  valued: 'uCS',
  long: {
    'ignore-environment': 'flag',
    null: 'flag',
    debug: 'flag',
    'list-signal-handling': 'flag',
    unset: 'value',
    chdir: 'value',
    'split-string': 'value',
    'default-signal': 'optional',
    'ignore-signal': 'optional',
    'block-signal': 'optional',
  },
};

/** `env [-i] [-u N] [-C dir] [-S 'cmd args'] [NAME=V…] cmd…`; `-S` splits its string into the command line. */
function envPlan(args: readonly Word[]): PayloadPlan {
  return afterOptions(args, ENV, (options, operands) => {
    const split = optionValue(options, '-S', '--split-string');
    if (split === undefined) return withAssignments(operands);
    const values = [split, ...operands.map((w) => w.value)];
    return { kind: 'text', text: values.includes(null) ? null : values.join(' '), what: 'the -S string' };
  });
}

const SUDO: OptionGrammar = {
  flags: 'AbEeHhiKklnPSsVvB',
  valued: 'ugCDprtUTR',
  long: {
    askpass: 'flag',
    background: 'flag',
    bell: 'flag',
    edit: 'flag',
    help: 'flag',
    'set-home': 'flag',
    login: 'flag',
    'remove-timestamp': 'flag',
    'reset-timestamp': 'flag',
    list: 'flag',
    'non-interactive': 'flag',
    'preserve-groups': 'flag',
    stdin: 'flag',
    shell: 'flag',
    validate: 'flag',
    version: 'flag',
    'preserve-env': 'optional',
    host: 'optional',
    user: 'value',
    group: 'value',
    chdir: 'value',
    chroot: 'value',
    prompt: 'value',
    role: 'value',
    type: 'value',
    'other-user': 'value',
    'command-timeout': 'value',
    'close-from': 'value',
  },
};

/** Modes of sudo that run no command: edit files, list rights, refresh or drop credentials, print. */
const SUDO_NO_RUN = ['-e', '--edit', '-l', '--list', '-v', '--validate', '-V', '--version', '-K', '--remove-timestamp', '-h', '--help'];

/** `sudo [opts] [NAME=V…] cmd…`; `sudo -i`/`-s` alone starts a root shell reading standard input. */
function sudoPlan(args: readonly Word[]): PayloadPlan {
  return afterOptions(args, SUDO, (options, operands) => {
    if (hasOption(options, ...SUDO_NO_RUN)) return NONE;
    if (operands.length === 0) return hasOption(options, '-i', '--login', '-s', '--shell') ? { kind: 'stdin' } : NONE;
    return withAssignments(operands);
  });
}

function doasPlan(args: readonly Word[]): PayloadPlan {
  return afterOptions(args, { flags: 'Lns', valued: 'Cu' }, (options, operands) => {
    if (hasOption(options, '-L', '-C')) return NONE;
    if (operands.length === 0) return hasOption(options, '-s') ? { kind: 'stdin' } : NONE;
    return argv(operands);
  });
}

/** `eval ARGS…` parses its arguments joined with spaces. */
function evalPlan(args: readonly Word[]): PayloadPlan {
  const values = args.map((w) => w.value);
  return { kind: 'text', text: values.includes(null) ? null : values.join(' '), what: 'the eval arguments' };
}

/**
 * `trap 'COMMANDS' SIGNAL…` runs COMMANDS later (on exit, on a signal): it is
 * code the line installs. `trap - SIG`, `trap SIG`, `trap -l`/`-p` run nothing.
 */
function trapPlan(args: readonly Word[]): PayloadPlan {
  return afterOptions(args, { flags: 'lp' }, (options, operands) => {
    const [action, ...signals] = operands;
    if (hasOption(options, '-l', '-p') || !action || signals.length === 0 || action.value === '-') return NONE;
    return { kind: 'text', text: action.value, what: `the trap command ${action.raw}` };
  });
}

/** `timeout [opts] DURATION cmd…`. */
function timeoutPlan(args: readonly Word[]): PayloadPlan {
  const grammar: OptionGrammar = {
    flags: 'v',
    valued: 'sk',
    long: { signal: 'value', 'kill-after': 'value', 'preserve-status': 'flag', foreground: 'flag', verbose: 'flag', help: 'flag', version: 'flag' },
  };
  return afterOptions(args, grammar, (_, operands) => argv(operands.slice(1)));
}

/** `chrt [opts] PRIORITY cmd…`; `-p` works on a running pid, `-m` prints limits. */
function chrtPlan(args: readonly Word[]): PayloadPlan {
  const grammar: OptionGrammar = {
    flags: 'abdfiorRmvpe',
    valued: 'TPD',
    long: {
      'all-tasks': 'flag', batch: 'flag', deadline: 'flag', fifo: 'flag', idle: 'flag', other: 'flag', rr: 'flag',
      'reset-on-fork': 'flag', max: 'flag', pid: 'flag', verbose: 'flag', ext: 'flag',
      'sched-runtime': 'value', 'sched-period': 'value', 'sched-deadline': 'value',
    },
  };
  return afterOptions(args, grammar, (options, operands) => (hasOption(options, '-p', '--pid', '-m', '--max') ? NONE : argv(operands.slice(1))));
}

const XARGS: OptionGrammar = {
  flags: '0prtx',
  valued: 'adEILnPs',
  attachedOnly: 'eil',
  long: {
    null: 'flag', interactive: 'flag', 'no-run-if-empty': 'flag', verbose: 'flag', exit: 'flag', 'open-tty': 'flag',
    'show-limits': 'flag', help: 'flag', version: 'flag',
    'arg-file': 'value', delimiter: 'value', 'max-args': 'value', 'max-procs': 'value', 'max-chars': 'value',
    'process-slot-var': 'value', eof: 'optional', replace: 'optional', 'max-lines': 'optional',
  },
};

/** `find … -exec cmd … ;` (also `-execdir`, `-ok`, `-okdir`, and `… {} +`): one payload per action. */
function findPlan(args: readonly Word[]): PayloadPlan {
  const plans: ArgvPlan[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word.value === null && !/^"[^]*"$/.test(word.raw)) {
      // Unquoted, it is split into words at run time: it could itself be `-exec …`.
      return dynamic(`find argument \`${word.raw}\` is only known at run time and could add an -exec`);
    }
    if (!FIND_ACTIONS.has(word.value ?? '')) continue;
    const start = i + 1;
    let end = start;
    while (end < args.length && !endsFindAction(args, end)) end++;
    if (end >= args.length) return { kind: 'unknown', reason: 'parse-error', why: `${word.value} without a terminating \`;\` or \`{} +\`` };
    const words = args.slice(start, end);
    if (words.length === 0) return { kind: 'unknown', reason: 'parse-error', why: `${word.value} without a command` };
    plans.push({ kind: 'argv', assignments: [], words });
    i = end;
  }
  if (plans.length === 0) return NONE;
  return plans.length === 1 ? plans[0]! : { kind: 'each', plans };
}

const FIND_ACTIONS = new Set(['-exec', '-execdir', '-ok', '-okdir']);

function endsFindAction(args: readonly Word[], i: number): boolean {
  const v = args[i]!.value;
  return v === ';' || (v === '+' && args[i - 1]?.value === '{}');
}

/** npx / npm exec and friends: options, then a package (or bin) and its arguments, or `-c 'command line'`. */
interface PackageRunner {
  grammar: OptionGrammar;
  /** Options whose value is a shell command line. */
  call?: string[];
  /** Options that make the operands one shell command line (`pnpm dlx -c`). */
  shellMode?: string[];
}

const NPX: PackageRunner = {
  grammar: {
    flags: 'yqs',
    valued: 'pcw',
    long: {
      package: 'value', call: 'value', workspace: 'value', prefix: 'value', registry: 'value', cache: 'value',
      userconfig: 'value', loglevel: 'value', yes: 'flag', no: 'flag', quiet: 'flag', silent: 'flag',
      workspaces: 'flag', 'include-workspace-root': 'flag', 'ignore-existing': 'flag', 'no-install': 'flag',
      'prefer-offline': 'flag', 'prefer-online': 'flag', offline: 'flag',
    },
  },
  call: ['-c', '--call'],
};

const PNPM_DLX: PackageRunner = {
  grammar: { flags: 'cs', long: { package: 'value', 'allow-build': 'value', reporter: 'value', 'shell-mode': 'flag', silent: 'flag' } },
  shellMode: ['-c', '--shell-mode'],
};

const YARN_DLX: PackageRunner = { grammar: { flags: 'q', valued: 'p', long: { package: 'value', quiet: 'flag' } } };

const BUNX: PackageRunner = {
  grammar: { valued: 'p', long: { bun: 'flag', package: 'value', silent: 'flag', verbose: 'flag', 'no-install': 'flag' } },
};

function packageRunnerPlan(args: readonly Word[], runner: PackageRunner): PayloadPlan {
  return afterOptions(args, runner.grammar, (options, operands) => {
    const call = runner.call && optionValue(options, ...runner.call);
    if (call !== undefined) return { kind: 'text', text: call, what: 'the -c command line' };
    if (runner.shellMode && hasOption(options, ...runner.shellMode)) {
      const values = operands.map((w) => w.value);
      return { kind: 'text', text: values.includes(null) ? null : values.join(' '), what: 'the shell-mode command line' };
    }
    return operands.length === 0 ? NONE : { kind: 'argv', assignments: [], words: operands, packageName: true };
  });
}

const WRAPPERS: ReadonlyMap<string, Wrapper> = new Map(Object.entries({
  eval: evalPlan,
  trap: trapPlan,
  env: envPlan,
  sudo: sudoPlan,
  doas: doasPlan,
  command: runsOperands({ flags: 'pvV' }, ['-v', '-V']),
  builtin: runsOperands({}),
  exec: runsOperands({ flags: 'cl', valued: 'a' }),
  nice: runsOperands({ valued: 'n', numeric: true, long: { adjustment: 'value', help: 'flag', version: 'flag' } }),
  nohup: runsOperands({ long: { help: 'flag', version: 'flag' } }),
  setsid: runsOperands({ flags: 'cfw', long: { ctty: 'flag', fork: 'flag', wait: 'flag' } }),
  timeout: timeoutPlan,
  stdbuf: runsOperands({ valued: 'ioe', long: { input: 'value', output: 'value', error: 'value' } }),
  ionice: runsOperands(
    { flags: 't', valued: 'cnpPu', long: { class: 'value', classdata: 'value', pid: 'value', pgid: 'value', uid: 'value', ignore: 'flag' } },
    ['-p', '-P', '-u', '--pid', '--pgid', '--uid'],
  ),
  chrt: chrtPlan,
  time: runsOperands({ flags: 'pavq', valued: 'fo', long: { format: 'value', output: 'value', append: 'flag', verbose: 'flag', quiet: 'flag', portability: 'flag' } }),
  xargs: runsOperands(XARGS, ['--show-limits', '--help', '--version']),
  find: findPlan,
  npx: (args) => packageRunnerPlan(args, NPX),
  bunx: (args) => packageRunnerPlan(args, BUNX),
}));

function dynamic(why: string): PayloadPlan {
  return { kind: 'unknown', reason: 'dynamic-payload', why };
}

function unknownOption(option: string): PayloadPlan {
  return { kind: 'unknown', reason: 'unknown-option', why: `shell option ${option} is not one sbsh knows, so it cannot tell what the shell runs` };
}
