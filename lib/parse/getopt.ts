import type { Word } from './types.js';

// The options of a wrapper command (`sudo -u root`, `timeout -k 5 10`, …),
// read the way getopt with a leading `+` reads them: up to the first operand,
// which is where the payload starts. A wrong guess here moves the payload by
// a word, so an option sbsh does not know, or a word only known at run time
// where an option could be, stops the scan instead of guessing.

export interface OptionGrammar {
  /** Short options that take no value. `-` in here accepts a lone `-` (env). */
  flags?: string;
  /** Short options that take a value, attached (`-n5`) or the next word (`-n 5`). */
  valued?: string;
  /** Short options whose value can only be attached (`xargs -i{}`). */
  attachedOnly?: string;
  /** Long options without the `--`: a value attached with `=` or the next word, none, or only with `=`. */
  long?: Readonly<Record<string, 'value' | 'flag' | 'optional'>>;
  /** Accepts `-10` style numeric options (nice). */
  numeric?: boolean;
}

export interface ScannedOption {
  /** `-u`, `--user`. */
  name: string;
  /** The option's value; undefined for a flag, null when only known at run time. */
  value?: string | null;
}

export type OptionScan =
  | { ok: true; options: ScannedOption[]; operands: Word[] }
  | { ok: false; reason: 'dynamic-payload' | 'unknown-option'; why: string };

export function scanOptions(words: readonly Word[], grammar: OptionGrammar): OptionScan {
  const options: ScannedOption[] = [];
  let i = 0;
  const next = (): string | null | undefined => (i + 1 < words.length ? words[++i]!.value : undefined);
  for (; i < words.length; i++) {
    const word = words[i]!;
    const v = word.value;
    if (v === null) {
      return { ok: false, reason: 'dynamic-payload', why: `\`${word.raw}\` is only known at run time and could be an option that moves the payload` };
    }
    if (v === '--') {
      i++;
      break;
    }
    if (v === '-' && grammar.flags?.includes('-')) {
      options.push({ name: '-' });
      continue;
    }
    if (v.startsWith('--')) {
      const eq = v.indexOf('=');
      const name = eq === -1 ? v.slice(2) : v.slice(2, eq);
      const kind = grammar.long && ownValue(grammar.long, name);
      if (!kind) return unknownOption(v);
      if (eq !== -1) options.push({ name: `--${name}`, value: v.slice(eq + 1) });
      else if (kind === 'value') {
        const value = next();
        if (value === undefined) return unknownOption(`${v} (missing its value)`);
        options.push({ name: `--${name}`, value });
      } else options.push({ name: `--${name}` });
      continue;
    }
    if (!v.startsWith('-') || v === '-') break;
    if (grammar.numeric && /^-[0-9]+$/.test(v)) {
      options.push({ name: '-n', value: v.slice(1) });
      continue;
    }
    for (let j = 1; j < v.length; j++) {
      const ch = v[j]!;
      const attached = v.slice(j + 1);
      if (grammar.flags?.includes(ch)) {
        options.push({ name: `-${ch}` });
      } else if (grammar.attachedOnly?.includes(ch)) {
        options.push({ name: `-${ch}`, value: attached });
        break;
      } else if (grammar.valued?.includes(ch)) {
        const value = attached !== '' ? attached : next();
        if (value === undefined) return unknownOption(`-${ch} (missing its value)`);
        options.push({ name: `-${ch}`, value });
        break;
      } else {
        return unknownOption(`-${ch}`);
      }
    }
  }
  return { ok: true, options, operands: words.slice(i) };
}

function unknownOption(option: string): OptionScan {
  return { ok: false, reason: 'unknown-option', why: `option ${option} is not one sbsh knows for this wrapper, so it cannot tell where the wrapped command starts` };
}

/** True when any of `names` (`-u`, `--user`) was given. */
export function hasOption(options: readonly ScannedOption[], ...names: string[]): boolean {
  return options.some((o) => names.includes(o.name));
}

/** The value of the last of `names` given; undefined when none was. */
export function optionValue(options: readonly ScannedOption[], ...names: string[]): string | null | undefined {
  const found = options.filter((o) => names.includes(o.name));
  return found.length === 0 ? undefined : (found[found.length - 1]!.value ?? null);
}

/** `record[key]` for the record's own keys only: a word like `valueOf` or `__proto__` must not find Object.prototype. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
