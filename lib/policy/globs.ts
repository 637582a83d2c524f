// The two glob dialects policy files use:
// - names (environment variables, command names): `*` any run of
//   characters, `?` one character;
// - workspace paths (exclude_paths): `**` any run of directories, `*` and
//   `?` within one path segment, `[abc]`/`[!abc]` one of/none of.
// Compiled patterns are cached: the planner matches the same few patterns
// against every environment variable on every line.

const GLOB_CHARS = /[*?[]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

const nameCache = new Map<string, RegExp>();

function nameSource(pattern: string): string {
  return pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escape(c))).join('');
}

export function matchName(pattern: string, name: string): boolean {
  let re = nameCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${nameSource(pattern)}$`, 's');
    nameCache.set(pattern, re);
  }
  return re.test(name);
}

// A whole list as one alternation: environment planning tests every
// variable against dozens of pass and deny globs on every line.
const listCache = new WeakMap<readonly string[], RegExp>();

export function matchesAnyName(patterns: readonly string[], name: string): boolean {
  let re = listCache.get(patterns);
  if (!re) {
    re = patterns.length ? new RegExp(`^(?:${patterns.map(nameSource).join('|')})$`, 's') : /(?!)/;
    listCache.set(patterns, re);
  }
  return re.test(name);
}

/**
 * Whether every name `inner` matches is also matched by `outer`. Exact for
 * literal `inner`s and for `PREFIX*` outers; otherwise answers false, which
 * for tighten-only merging means "not provably narrower", so it is refused.
 */
export function nameGlobCovers(outer: string, inner: string): boolean {
  if (outer === inner) return true;
  if (!isGlob(inner)) return matchName(outer, inner);
  const prefix = /^([^*?[]*)\*$/.exec(outer)?.[1];
  return prefix !== undefined && inner.startsWith(prefix);
}

/** A workspace path glob compiled to match `/`-separated relative paths. */
export interface PathGlob {
  pattern: string;
  /** Matched against the whole relative path; else against the last segment only (gitignore style). */
  anchored: boolean;
  /** Trailing `/`: directories only. */
  dirOnly: boolean;
  re: RegExp;
}

export function compilePathGlob(pattern: string): PathGlob {
  let p = pattern.startsWith('./') ? pattern.slice(2) : pattern;
  const dirOnly = p.endsWith('/');
  if (dirOnly) p = p.slice(0, -1);
  // Like .gitignore: a pattern with a slash is relative to the root; one
  // without matches a name at any depth.
  const anchored = p.includes('/') || pattern.startsWith('./');
  let src = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      const slash = p[i + 2] === '/';
      src += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') src += '[^/]*';
    else if (c === '?') src += '[^/]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) src += '\\[';
      else {
        const body = p.slice(i + 1, end);
        src += `[${body.startsWith('!') ? '^' + escapeClass(body.slice(1)) : escapeClass(body)}]`;
        i = end;
      }
    } else src += escape(c);
  }
  return { pattern, anchored, dirOnly, re: new RegExp(`^${src}$`, 's') };
}

export function matchPathGlob(glob: PathGlob, relPath: string, isDir: boolean): boolean {
  if (glob.dirOnly && !isDir) return false;
  const subject = glob.anchored ? relPath : relPath.slice(relPath.lastIndexOf('/') + 1);
  return glob.re.test(subject);
}

function escape(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

function escapeClass(body: string): string {
  return body.replace(/[\\\]^]/g, (c) => `\\${c}`);
}
