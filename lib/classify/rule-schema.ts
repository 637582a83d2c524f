import { z } from 'zod';
import { Class } from './types.js';

// The classification rules as they appear under `classify:` in a policy file.
// Owned by lib/classify; lib/policy only relies on every rule having `id` and
// `class` (for tighten-only merging) and treats the rest as opaque.
//
// Match semantics (lib/classify/rules.ts implements them):
// - Rules of class `dangerous` are guard rules: every one is checked against
//   every simple command, and each match is a finding. Nothing overrides them
//   except a trusted layer redefining the rule with the same id.
// - Among the other rules the LAST matching rule wins, like .gitignore: a
//   file lists general rules first and the specific ones after them, and a
//   layer merged later (user, repository) is appended after the built-in
//   rules, so its rules win. A command no rule matches is `unknown`.

const oneOrMany = z.union([z.string(), z.array(z.string())]);

/**
 * Where the command word points: `bare` (a name looked up in PATH: `npm`),
 * `system` (a path in one of `classify.guard.bin_dirs`: `/usr/bin/npm`),
 * `workspace` (a path inside the repository: `./x`, `bin/x`,
 * `node_modules/.bin/jest`) or `elsewhere` (any other path: `/tmp/x`).
 */
export const LOCATIONS = ['bare', 'system', 'workspace', 'elsewhere'] as const;
export const Location = z.enum(LOCATIONS);
export type Location = z.infer<typeof Location>;

export const ClassifyRule = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'rule ids are lower-case words joined by - . or _'),
    class: Class,
    why: z.string(),
    /** Resolved command names this rule applies to (globs allowed: `python3*`, `*`). */
    command: oneOrMany,
    /** Which command words the rule applies to; default `[bare, system]`. */
    where: z.array(Location).optional(),
    /** true: only when the parser unwrapped a payload (`bash -c '…'`, `sudo …`); false: only when it did not. */
    payload: z.boolean().optional(),
    /** The command's own options that take a separate value (`--prefix` in `npm --prefix x install`), skipped when finding the subcommand. */
    options: z.array(z.string()).optional(),
    /**
     * The first positional arguments after the command's options: `install`,
     * or several words for nested subcommands (`mod download`). `''` means
     * "no positional argument at all" (`yarn`, `bundle`). Arguments starting
     * with `-` or `+` are options (`cargo +nightly build`); `--` ends them.
     */
    subcommand: oneOrMany.optional(),
    /**
     * A regular expression tested against the resolved command name and the
     * unquoted arguments joined by single spaces (`npm --prefix x install`);
     * an argument known only at run time appears as typed (`$X`).
     */
    argv: z.string().optional(),
    ecosystem: z.string().optional(),
  })
  .refine((r) => r.class !== 'dangerous' || r.id.startsWith('guard.'), {
    message: 'a dangerous rule is a guard finding: start its id with "guard."',
    path: ['id'],
  });
export type ClassifyRule = z.infer<typeof ClassifyRule>;

const names = z.array(z.string());

/**
 * Data the bash-guard checks (lib/classify/guard-*.ts) use. Paths are
 * absolute, `~/`-relative or relative to the workspace root; each names that
 * path and everything below it, globs allowed. A trusted layer replaces a
 * list it sets; the classifier refuses to run when the merged policy lacks a
 * list (fail closed: a missing list would silently disable a check).
 */
export const GuardData = z.strictObject({
  /** Write targets that are never a finding: `/dev/null`, `/dev/fd/*`. */
  harmless_targets: names.optional(),
  /** Writing here makes code run later on the host: shell rc files, cron, git hooks, systemd units. */
  persistence_paths: names.optional(),
  /** Directories whose programs are matched by name like a bare command (`/usr/bin/npm` is `npm`). */
  bin_dirs: names.optional(),
  /** Programs that run code read from stdin or from an argument (shells and interpreters). */
  code_runners: names.optional(),
  /** Programs whose output comes from the network. */
  fetchers: names.optional(),
  /** Programs whose output is decoded or decompressed input (an obfuscated payload). */
  decoders: names.optional(),
  /** Environment variables whose value makes programs load code (`LD_PRELOAD`, `NODE_OPTIONS`, `PATH`). */
  code_loading_env: names.optional(),
});
export type GuardData = z.infer<typeof GuardData>;

export const ClassifyConfig = z.strictObject({
  rules: z.array(ClassifyRule).default([]),
  guard: GuardData.optional(),
});
export type ClassifyConfig = z.infer<typeof ClassifyConfig>;
