import type { Tree } from 'web-tree-sitter';

// A tree-sitter syntax tree copied into plain objects in one cursor walk.
// web-tree-sitter marshals a node out of wasm memory on every property read,
// which made building the command tree cost four times the parse itself; the
// copy is read as often as needed, and the wasm tree is freed at once.
// The API is the subset of web-tree-sitter's Node that lib/parse uses.

export interface Point {
  row: number;
  column: number;
}

export class Syntax {
  readonly children: Syntax[] = [];
  /** This node or one below it is an ERROR or MISSING node. Set while copying. */
  hasError = false;

  constructor(
    /** The text tree-sitter parsed. */
    private readonly source: string,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    /** The field this node fills in its parent (`name`, `argument`, …). */
    readonly field: string | null,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly parent: Syntax | null,
  ) {}

  /** Line and column (0-based, in characters) where the node starts. */
  get startPosition(): Point {
    const before = this.source.slice(0, this.startIndex);
    const lineStart = before.lastIndexOf('\n') + 1;
    return { row: before.split('\n').length - 1, column: this.startIndex - lineStart };
  }

  get isError(): boolean {
    return this.type === 'ERROR';
  }

  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }

  get namedChildren(): Syntax[] {
    return this.children.filter((c) => c.isNamed);
  }

  get childCount(): number {
    return this.children.length;
  }

  child(i: number): Syntax | null {
    return this.children[i] ?? null;
  }

  fieldNameForChild(i: number): string | null {
    return this.children[i]?.field ?? null;
  }

  childForFieldName(field: string): Syntax | null {
    return this.children.find((c) => c.field === field) ?? null;
  }

  childrenForFieldName(field: string): Syntax[] {
    return this.children.filter((c) => c.field === field);
  }

  /** The smallest node that covers [start, end). */
  descendantForIndex(start: number, end: number): Syntax {
    let node: Syntax = this;
    for (;;) {
      const inner = node.children.find((c) => c.startIndex <= start && end <= c.endIndex && c.endIndex > c.startIndex);
      if (!inner) return node;
      node = inner;
    }
  }
}

/** Copies `tree` (parsed from `source`); iterative, so deep trees cannot overflow the stack. */
export function copyTree(tree: Tree, source: string): Syntax {
  const cursor = tree.walk();
  try {
    const copy = (parent: Syntax | null): Syntax => {
      const node = new Syntax(
        source,
        cursor.nodeType,
        cursor.nodeIsNamed,
        cursor.nodeIsMissing,
        cursor.currentFieldName,
        cursor.startIndex,
        cursor.endIndex,
        parent,
      );
      parent?.children.push(node);
      if (node.isError || node.isMissing) {
        for (let n: Syntax | null = node; n && !n.hasError; n = n.parent) n.hasError = true;
      }
      return node;
    };
    const root = copy(null);
    let current = root;
    for (;;) {
      if (cursor.gotoFirstChild()) {
        current = copy(current);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || !current.parent) return root;
        current = current.parent;
      }
      current = copy(current.parent);
    }
  } finally {
    cursor.delete();
  }
}
