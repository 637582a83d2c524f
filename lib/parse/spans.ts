// Source positions of the nodes and words one builder made. The tree itself is
// plain JSON data (it has no positions), but reshaping it (attaching a
// redirect, joining a heredoc's continuation, building a wrapper's payload
// from some of its words) needs to know where each piece sits to cut the
// `text` of the result out of the line.

export interface Span {
  start: number;
  end: number;
}

export class Spans {
  private readonly spans = new WeakMap<object, Span>();

  set<T extends object>(x: T, start: number, end: number): T {
    this.spans.set(x, { start, end });
    return x;
  }

  get(x: object): Span {
    const span = this.spans.get(x);
    if (!span) throw new Error('internal: a parse node has no recorded source span');
    return span;
  }

  /** The smallest span covering all of `xs` (which must not be empty). */
  union(xs: readonly object[]): Span {
    let start = Infinity;
    let end = -Infinity;
    for (const x of xs) {
      const s = this.get(x);
      start = Math.min(start, s.start);
      end = Math.max(end, s.end);
    }
    if (start === Infinity) throw new Error('internal: span of nothing');
    return { start, end };
  }
}
