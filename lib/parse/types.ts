// The command tree: what sbsh understood of one command line.
// Produced by lib/parse, consumed by lib/classify. Pure data (JSON-safe) so a
// plan can embed it and tests can compare it.

/** One shell word after quote removal. */
export interface Word {
  /** The word's source text as typed (quotes and all). */
  raw: string;
  /**
   * The unquoted literal value, or null when the value is only known at run
   * time (it contains `$VAR`, `$(...)`, backticks, globs that matter, ...).
   */
  value: string | null;
  /** Command/process substitutions inside this word, each its own tree. */
  substitutions: Node[];
}

export interface Redirect {
  /** `>`, `>>`, `<`, `&>`, `&>>`, `>|`, `<>`, `>&`, `<&`, `<<`, `<<<`, `<<-`. */
  op: string;
  /** Explicit file descriptor (`2>`), if any. */
  fd: number | null;
  /** Target file or fd; for `<<`/`<<-` the delimiter, with the body's substitutions when the delimiter is unquoted. */
  target: Word;
}

export interface Assignment {
  name: string;
  value: Word;
}

/** A simple command: `A=1 cmd arg >file`. */
export interface CommandNode {
  kind: 'command';
  /** Source text of this command. */
  text: string;
  assignments: Assignment[];
  /** argv[0] is the command word as written. */
  argv: Word[];
  /**
   * The resolved command name: quoting removed, path stripped (`\npm`,
   * `"npm"`, `np''m`, `/usr/bin/npm` → `npm`). null when dynamic (`$CMD`), or when there is no
   * command word at all (`X=1`, `>f`, `$(<f)`).
   */
  name: string | null;
  /** The command word as written after quote removal (`./run.sh`, `/usr/bin/npm`). null when dynamic. */
  path: string | null;
  redirects: Redirect[];
  /**
   * For wrappers (`bash -c`, `eval`, `env`, `sudo`, `xargs`, `find -exec`,
   * `npx`, `timeout`, ...): the payload parsed again. null when this is not a
   * wrapper. A wrapper whose payload cannot be known yields an `unknown` node.
   */
  payload: Node | null;
}

export interface ListNode {
  kind: 'list';
  text: string;
  /** operators[i] follows items[i]: it joins items[i] and items[i+1], and a trailing `&` is one more operator. */
  operators: Array<';' | '&&' | '||' | '&' | '\n'>;
  items: Node[];
}

export interface PipelineNode {
  kind: 'pipeline';
  text: string;
  /** `!` prefix. */
  negated: boolean;
  commands: Node[];
}

/** `( ... )` subshell or `{ ...; }` group, with the redirects applied to it. */
export interface GroupNode {
  kind: 'subshell' | 'group';
  text: string;
  body: Node;
  redirects: Redirect[];
}

/** if / while / until / for / select / case / `[[ ]]` / `(( ))` with every part it contains. */
export interface ControlNode {
  kind: 'control';
  text: string;
  keyword: 'if' | 'while' | 'until' | 'for' | 'select' | 'case' | 'test' | 'arithmetic';
  /** Conditions and bodies, in source order. */
  parts: Node[];
  /** Words evaluated by the construct itself (`for x in WORDS`, `case WORD`). */
  words: Word[];
  redirects: Redirect[];
}

export interface FunctionNode {
  kind: 'function';
  text: string;
  name: string;
  body: Node;
}

/** Something sbsh could not understand. Never host-safe. */
export interface UnknownNode {
  kind: 'unknown';
  text: string;
  /** Why it is unknown: `parse-error`, `unterminated-quote`, `dynamic-payload`, `unknown-option`, `too-deep`, `unsupported`, `internal-error`; `why` is a human sentence. */
  reason: string;
  why: string;
}

export type Node =
  | CommandNode
  | ListNode
  | PipelineNode
  | GroupNode
  | ControlNode
  | FunctionNode
  | UnknownNode;
