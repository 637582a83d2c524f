import type { UnknownNode } from './types.js';

/** Why part of a line became an `unknown` node (`UnknownNode.reason`). */
export type UnknownReason =
  /** tree-sitter reported ERROR/MISSING nodes, or a construct it mis-reads. */
  | 'parse-error'
  /** A quote is opened and never closed. */
  | 'unterminated-quote'
  /** A wrapper runs something only known at run time (`bash -c "$X"`, `curl … | sh`). */
  | 'dynamic-payload'
  /** A wrapper option sbsh does not know, so it cannot tell where the payload starts. */
  | 'unknown-option'
  /** Nesting beyond the limits (substitutions, groups, wrappers inside wrappers). */
  | 'too-deep'
  /** Valid shell that sbsh does not model. */
  | 'unsupported'
  /** A bug in sbsh's parser, caught so that `parse` never throws. */
  | 'internal-error';

export function unknownNode(text: string, reason: UnknownReason, why: string): UnknownNode {
  return { kind: 'unknown', text, reason, why };
}

/** Thrown inside the builder for a construct it refuses; the enclosing statement becomes `unknown`. */
export class NotUnderstood extends Error {
  constructor(
    readonly reason: UnknownReason,
    readonly why: string,
  ) {
    super(why);
  }
}
