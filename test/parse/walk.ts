import type { Node, Word } from '../../lib/parse/index.js';

// Visits every node and word of a command tree: argv, assignments, redirect
// targets, control-flow words, the trees inside substitutions, payloads.

export function walk(root: Node, onNode: (n: Node) => void, onWord: (w: Word) => void = () => {}): void {
  const word = (w: Word) => {
    onWord(w);
    w.substitutions.forEach(node);
  };
  const node = (n: Node): void => {
    onNode(n);
    switch (n.kind) {
      case 'command':
        n.assignments.forEach((a) => word(a.value));
        n.argv.forEach(word);
        n.redirects.forEach((r) => word(r.target));
        if (n.payload) node(n.payload);
        return;
      case 'list':
        n.items.forEach(node);
        return;
      case 'pipeline':
        n.commands.forEach(node);
        return;
      case 'subshell':
      case 'group':
        node(n.body);
        n.redirects.forEach((r) => word(r.target));
        return;
      case 'control':
        n.parts.forEach(node);
        n.words.forEach(word);
        n.redirects.forEach((r) => word(r.target));
        return;
      case 'function':
        node(n.body);
        return;
      case 'unknown':
        return;
    }
  };
  node(root);
}

/** The tree has a part only known at run time: a substitution (its own tree) or an unknown node. */
export function hasDynamicPart(root: Node): boolean {
  let found = false;
  walk(
    root,
    (n) => {
      if (n.kind === 'unknown') found = true;
    },
    (w) => {
      if (w.substitutions.length > 0) found = true;
    },
  );
  return found;
}
