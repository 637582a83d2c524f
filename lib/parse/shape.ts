import type { Span, Spans } from './spans.js';
import type { ListNode, Node, PipelineNode } from './types.js';

// Lists and pipelines, kept flat. A flat list is exactly the sequence of
// commands and operators as typed, which bash reads with its own precedence
// (`&&`/`||` bind tighter than `;`/`&`/newline), so flattening loses nothing.
// Joining also repairs tree-sitter's heredoc quirk: in `cat <<EOF | grep x`
// the `| grep x` is parsed inside the heredoc redirect.

export type ListOperator = ListNode['operators'][number];

export class Shaper {
  constructor(
    private readonly spans: Spans,
    private readonly slice: (start: number, end: number) => string,
  ) {}

  /**
   * `items` joined by `operators` (operators[i] joins items[i] and items[i+1];
   * one more operator than joins is a trailing `&`). One item and no
   * operator is that item itself; no items is an empty list covering `empty`.
   */
  list(items: readonly Node[], operators: readonly ListOperator[], empty: Span): Node {
    const flatItems: Node[] = [];
    const flatOps: ListOperator[] = [];
    items.forEach((item, i) => {
      if (i > 0) flatOps.push(operators[i - 1]!);
      if (item.kind === 'list' && item.items.length > 0 && item.operators.length === item.items.length - 1) {
        flatItems.push(...item.items);
        flatOps.push(...item.operators);
      } else flatItems.push(item);
    });
    if (operators.length === items.length && items.length > 0) flatOps.push(operators[operators.length - 1]!);
    if (flatItems.length === 1 && flatOps.length === 0) return flatItems[0]!;
    const span = flatItems.length > 0 ? this.spans.union(items) : empty;
    const end = flatOps.length === flatItems.length ? Math.max(span.end, empty.end) : span.end;
    return this.make<ListNode>({ kind: 'list', text: '', operators: flatOps, items: flatItems }, span.start, end);
  }

  /** `base | rest`, where either side may be a list: the pipe binds the last pipeline of base to the first of rest. */
  pipe(base: Node, rest: Node): Node {
    const [before, beforeOps, left] = this.splitLast(base);
    const [right, afterOps, after] = this.splitFirst(rest);
    const commands = [...(left.kind === 'pipeline' ? left.commands : [left]), ...(right.kind === 'pipeline' ? right.commands : [right])];
    const span = this.spans.union([left, right]);
    const negated = left.kind === 'pipeline' && left.negated;
    const pipeline = this.make<PipelineNode>({ kind: 'pipeline', text: '', negated, commands }, span.start, span.end);
    if (before.length === 0 && after.length === 0) return pipeline;
    return this.list([...before, pipeline, ...after], [...beforeOps, ...afterOps], span);
  }

  /** `! node`. */
  negate(node: Node): Node {
    const span = this.spans.get(node);
    if (node.kind === 'pipeline') return this.make<PipelineNode>({ ...node, negated: true }, span.start, span.end);
    return this.make<PipelineNode>({ kind: 'pipeline', text: '', negated: true, commands: [node] }, span.start, span.end);
  }

  /** Sets `text` from the span and records it. */
  make<T extends Node>(node: T, start: number, end: number): T {
    node.text = this.slice(start, end);
    return this.spans.set(node, start, end);
  }

  private splitLast(node: Node): [Node[], ListOperator[], Node] {
    if (node.kind !== 'list' || node.items.length === 0 || node.operators.length !== node.items.length - 1) return [[], [], node];
    return [node.items.slice(0, -1), node.operators.slice(), node.items[node.items.length - 1]!];
  }

  private splitFirst(node: Node): [Node, ListOperator[], Node[]] {
    if (node.kind !== 'list' || node.items.length === 0 || node.operators.length !== node.items.length - 1) return [node, [], []];
    return [node.items[0]!, node.operators.slice(), node.items.slice(1)];
  }
}
