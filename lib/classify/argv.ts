import type { Word } from '../parse/types.js';

// Reading a command's arguments the way GNU tools do: options anywhere
// (`-abc` clusters, `--name=value`, a separate value for the options that
// take one), `--` ends them, everything else is positional. Knowing which
// options take a value is what keeps `npm --prefix x install` from reading
// `x` as the subcommand and `curl -fsSLo /etc/x` from hiding its target.

export interface ScannedOption {
  /** `-o`, `--output`. */
  name: string;
  /** The option's value, when it takes one (attached or the next word); null when missing. */
  value: Word | null;
}

export interface Scanned {
  options: ScannedOption[];
  positionals: Word[];
}

export interface ScanSpec {
  /** Options that take a value: `-o`, `--output`. */
  valued?: ReadonlySet<string>;
  /** Treat `+word` as an option (`cargo +nightly build`). */
  plus?: boolean;
  /** Stop at the first positional: everything after it is positional (`sudo -u x CMD -v`). */
  stopAtPositional?: boolean;
}

/** The word's literal value, or its source text when known only at run time. */
export function shown(w: Word): string {
  return w.value ?? w.raw;
}

export function literal(value: string): Word {
  return { raw: value, value, substitutions: [] };
}

const dynamicWord = (raw: string): Word => ({ raw, value: null, substitutions: [] });

/**
 * The option-looking text of a word: its value, or for a word known only at
 * run time whose source starts with an unquoted option (`-o$OUT`), the
 * source, so that the option is still seen and its value counted as dynamic.
 */
function optionText(w: Word): { text: string; dynamic: boolean } | null {
  if (w.value !== null) return w.value.length > 1 && w.value.startsWith('-') ? { text: w.value, dynamic: false } : null;
  return /^--?[A-Za-z0-9]/.test(w.raw) ? { text: w.raw, dynamic: true } : null;
}

export function scanArgs(args: readonly Word[], spec: ScanSpec = {}): Scanned {
  const valued = spec.valued ?? new Set<string>();
  const options: ScannedOption[] = [];
  const positionals: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w.value === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (spec.plus && w.value !== null && w.value.length > 1 && w.value.startsWith('+')) {
      options.push({ name: w.value, value: null });
      continue;
    }
    const opt = optionText(w);
    if (!opt) {
      positionals.push(w);
      if (spec.stopAtPositional) {
        positionals.push(...args.slice(i + 1));
        break;
      }
      continue;
    }
    const { text, dynamic } = opt;
    const attached = (rest: string): Word => (dynamic ? dynamicWord(rest) : literal(rest));
    if (text.startsWith('--')) {
      const eq = text.indexOf('=');
      if (eq > 0) {
        options.push({ name: text.slice(0, eq), value: attached(text.slice(eq + 1)) });
      } else if (dynamic && /[^A-Za-z0-9-]/.test(text)) {
        // `--$X` or `--out"$F"`: which option this is is only known at run time.
        options.push({ name: text, value: dynamicWord(text) });
      } else if (valued.has(text)) {
        options.push({ name: text, value: args[i + 1] ?? null });
        i++;
      } else options.push({ name: text, value: null });
      continue;
    }
    // A short cluster `-abc`: each letter an option until one takes a value,
    // which is the rest of the cluster or the next word.
    for (let j = 1; j < text.length; j++) {
      const ch = text[j]!;
      if (!/[A-Za-z0-9?#@]/.test(ch)) {
        options.push({ name: `-${text.slice(j)}`, value: dynamicWord(text.slice(j)) });
        break;
      }
      const name = `-${ch}`;
      if (!valued.has(name)) {
        options.push({ name, value: null });
        continue;
      }
      if (j + 1 < text.length) options.push({ name, value: attached(text.slice(j + 1)) });
      else {
        options.push({ name, value: args[i + 1] ?? null });
        i++;
      }
      break;
    }
  }
  return { options, positionals };
}

/** Whether any of `names` was given. */
export function hasOption(s: Scanned, ...names: string[]): boolean {
  return s.options.some((o) => names.includes(o.name));
}

/** The values of every occurrence of the options `names`. */
export function optionValues(s: Scanned, ...names: string[]): Word[] {
  return s.options.filter((o) => names.includes(o.name) && o.value !== null).map((o) => o.value!);
}
