// The markers the bash that sbsh drives prints into its own terminal output
// (shells/sbsh-init.bash): `ESC ] 7717 ; NONCE ; KIND [; ARG]... BEL`.
// Terminals ignore an OSC they do not know, but sbsh removes its markers
// anyway, and the nonce (random per session, never exported) keeps a
// program's output from forging one: a sandboxed command cannot read the
// shell's memory, so it cannot know the nonce.

export const MARKER_OSC = '7717';

/** What a marker says. */
export type MarkerKind =
  | 'R' // the init script finished: the hooks are installed
  | 'P' // a prompt starts (PS1)
  | 'Q' // the prompt ends
  | 'H' // the hook rewrote the line: readline's display of the rewrite follows
  | 'X' // a line was accepted and runs now (PS0)
  | 'D'; // the line finished: ARGS = [id, status]

export interface Marker {
  kind: MarkerKind;
  args: string[];
}

export type Piece = { text: string } | { marker: Marker };

const KINDS = new Set<string>(['R', 'P', 'Q', 'H', 'X', 'D']);
const PREFIX = `\x1b]${MARKER_OSC};`;
const BEL = '\x07';
/** A marker body only ever holds these characters; anything else means it is not one of ours. */
const BODY = /^[0-9A-Za-z;._-]*$/;
/** Longer than any real marker: a prefix without its BEL this far on is someone else's text. */
const MAX_BODY = 200;

export function markerText(nonce: string, kind: MarkerKind, ...args: string[]): string {
  return PREFIX + [nonce, kind, ...args].join(';') + BEL;
}

/** Length of the longest end of `s` that is a proper start of PREFIX (a marker split across reads). */
function partialPrefixAt(s: string): number {
  for (let n = Math.min(PREFIX.length - 1, s.length); n > 0; n--) {
    if (s.endsWith(PREFIX.slice(0, n))) return n;
  }
  return 0;
}

export interface MarkerParser {
  /** Feeds terminal output; returns the text around the markers and the markers, in order. */
  push(chunk: string): Piece[];
  /** Whatever is still held back (a marker cut off by the end of the stream), as text. */
  end(): Piece[];
}

/**
 * A streaming parser: markers may be split across reads anywhere; every
 * other byte (other escape sequences included) passes through unchanged and
 * in order. A marker with the wrong nonce is removed and not reported.
 */
export function createMarkerParser(nonce: string): MarkerParser {
  let held = '';

  function push(chunk: string): Piece[] {
    const s = held + chunk;
    held = '';
    const out: Piece[] = [];
    const text = (t: string) => {
      if (!t) return;
      const last = out[out.length - 1];
      if (last && 'text' in last) last.text += t;
      else out.push({ text: t });
    };
    let pos = 0;
    while (pos < s.length) {
      const start = s.indexOf(PREFIX, pos);
      if (start < 0) {
        const keep = partialPrefixAt(s.slice(pos));
        text(s.slice(pos, s.length - keep));
        held = s.slice(s.length - keep);
        break;
      }
      text(s.slice(pos, start));
      const bodyStart = start + PREFIX.length;
      const end = s.indexOf(BEL, bodyStart);
      const body = s.slice(bodyStart, end < 0 ? undefined : end);
      if (!BODY.test(body) || body.length > MAX_BODY) {
        // Not ours after all: pass the ESC on and look again after it.
        text(s[start]!);
        pos = start + 1;
        continue;
      }
      if (end < 0) {
        held = s.slice(start);
        break;
      }
      const [got, kind, ...args] = body.split(';');
      if (got === nonce && kind !== undefined && KINDS.has(kind)) out.push({ marker: { kind: kind as MarkerKind, args } });
      pos = end + 1;
    }
    return out;
  }

  return {
    push,
    end() {
      const t = held;
      held = '';
      return t ? [{ text: t }] : [];
    },
  };
}
