// Path globs of rules (writes:, reads:): made concrete for a context ({workspace}, {home},
// {tmpdir}, ~) and compiled once per context, with the literal text every match must start
// and end with checked before minimatch. What matches is what minimatch says matches.
import { Minimatch } from 'minimatch';

/** What a glob needs from the match context. */
export interface PathContext {
  home: string;
  /** $TMPDIR (default /tmp), for {tmpdir}. */
  tmpdir?: string;
  /** Workspace roots, for {workspace}. */
  workspaces: readonly string[];
}

const OPTIONS = { dot: true, nonegate: true, nocomment: true } as const;
const DOT_SEGMENT = /\/\.\.?(\/|$)/;

/**
 * What a path needs to match one row of a glob (one alternative of its braces), as
 * minimatch parsed it (`..` in the pattern resolved): the literal segments it starts and
 * ends with, or the whole path when every segment is literal.
 */
interface Row {
  exact: string | null;
  prefix: string;
  suffix: string;
}

/** One concrete glob: minimatch's own test, behind a check of the literal text every match starts and ends with. */
export class PathGlob {
  private mm: Minimatch;
  private rows: Row[];
  /** Index keys (GlobIndex): "/" + the first segment a match must have, "." + the last, or "*" (any path). */
  readonly keys: Set<string>;
  /** The literal start and end of the last segment's pattern (id_rsa*, *.pem, .env.!(…)), checked on the path's last segment. */
  private base: { prefix: string; suffix: string } | null;
  constructor(readonly pattern: string) {
    this.mm = new Minimatch(pattern, OPTIONS);
    this.base = baseLiterals(pattern);
    this.keys = new Set();
    this.rows = this.mm.set.map((row) => {
      let i = 0;
      while (i < row.length && typeof row[i] === 'string') i++;
      let j = row.length;
      while (j > i && typeof row[j - 1] === 'string') j--;
      if (row[0] === '' && i >= 2) this.keys.add('/' + (row[1] as string));
      else if (j < row.length) this.keys.add('.' + (row[row.length - 1] as string));
      else this.keys.add('*');
      if (i === row.length) return { exact: row.join('/'), prefix: '', suffix: '' };
      return { exact: null, prefix: row.slice(0, i).join('/'), suffix: j < row.length ? '/' + row.slice(j).join('/') : '' };
    });
  }

  match(p: string): boolean {
    // minimatch splits a path on runs of slashes and accepts one trailing slash: a path with
    // a run, or with . or .. segments (never made here: paths are normalised), goes to
    // minimatch unchecked.
    if (plain(p)) {
      const q = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
      if (!this.rows.some((r) => (r.exact !== null ? q === r.exact : q.startsWith(r.prefix) && q.endsWith(r.suffix)))) return false;
      if (this.base) {
        const name = q.slice(q.lastIndexOf('/') + 1);
        if (!name.startsWith(this.base.prefix) || !name.endsWith(this.base.suffix)) return false;
      }
    }
    return this.mm.match(p);
  }

  /** minimatch's answer alone, for the tests that hold match() to it. */
  reference(p: string): boolean {
    return this.mm.match(p);
  }
}

const SPECIAL = /[*?[\]{}()!+@]/;

/**
 * The literal text a path's last segment must start and end with under this glob's last
 * segment (a last segment `*.pem` gives "" and ".pem", `id_rsa*` gives "id_rsa" and ""), or null when there is none
 * or the segment could match across segments (`**`) or has braces (their alternatives are rows).
 */
function baseLiterals(pattern: string): { prefix: string; suffix: string } | null {
  const last = pattern.slice(pattern.lastIndexOf('/') + 1);
  if (!SPECIAL.test(last) || last.includes('**') || last.includes('{') || last.includes('\\')) return null;
  const first = last.search(SPECIAL);
  let end = last.length;
  while (end > 0 && !SPECIAL.test(last[end - 1])) end--;
  const prefix = last.slice(0, first);
  // After an extglob's closing parenthesis the rest is literal too, but a pattern-list may be empty: keep it simple.
  const suffix = last.includes('(') ? '' : last.slice(end);
  return prefix || suffix ? { prefix, suffix } : null;
}

/** A path the literal checks apply to: absolute, no runs of slashes, no . or .. segments (paths here are normalised). */
function plain(p: string): boolean {
  return p.startsWith('/') && !p.includes('//') && !DOT_SEGMENT.test(p);
}

/**
 * Globs by the first or last path segment every match of theirs has: a path is tested only
 * against the globs that can match it (a rule's list of credential paths holds dozens).
 */
export class GlobIndex {
  private byKey = new Map<string, PathGlob[]>();
  private any: PathGlob[] = [];
  constructor(private globs: PathGlob[]) {
    for (const g of globs) {
      for (const k of g.keys) {
        if (k === '*') this.any.push(g);
        else this.byKey.set(k, [...(this.byKey.get(k) ?? []), g]);
      }
    }
  }

  match(p: string): boolean {
    // minimatch splits a path on runs of slashes and accepts one trailing slash: a path
    // the segment keys cannot be read from goes to every glob.
    if (!plain(p)) return this.globs.some((g) => g.match(p));
    const q = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
    const slash = q.indexOf('/', 1);
    const first = this.byKey.get('/' + (slash < 0 ? q.slice(1) : q.slice(1, slash)));
    const last = this.byKey.get('.' + q.slice(q.lastIndexOf('/') + 1));
    return (!!first && first.some((g) => g.match(p))) || (!!last && last.some((g) => g.match(p))) || this.any.some((g) => g.match(p));
  }
}

/**
 * A rule's path globs, compiled for a given home, tmpdir and workspace set. Contexts are
 * few and long-lived (one per cwd), so the compiled globs are cached by the identity of
 * the context's workspace list.
 */
export class PathMatcher {
  private cache = new WeakMap<readonly string[], GlobIndex>();
  private home: string | null = null;
  private tmpdir: string | undefined = undefined;
  /** Per evaluation (a context object is made per evaluate): each path's answer. */
  private seen = new WeakMap<object, Map<string, boolean>>();
  constructor(private patterns: string[]) {}

  globs(ctx: PathContext): GlobIndex {
    if (this.home !== ctx.home || this.tmpdir !== ctx.tmpdir) {
      this.cache = new WeakMap();
      this.home = ctx.home;
      this.tmpdir = ctx.tmpdir;
    }
    let globs = this.cache.get(ctx.workspaces);
    if (!globs) {
      globs = new GlobIndex(this.patterns.flatMap((p) => concretePatterns(p, ctx)).map((p) => new PathGlob(p)));
      this.cache.set(ctx.workspaces, globs);
    }
    return globs;
  }

  test(paths: readonly string[], ctx: PathContext): boolean {
    const globs = this.globs(ctx);
    // A long line names the same paths again and again (> /dev/null, one output file per step):
    // each path is matched against the globs once per evaluation.
    let seen = this.seen.get(ctx);
    if (!seen) this.seen.set(ctx, (seen = new Map<string, boolean>()));
    for (const p of paths) {
      let hit = seen.get(p);
      if (hit === undefined) seen.set(p, (hit = globs.match(p)));
      if (hit) return true;
    }
    return false;
  }

  /** The first of `paths` a glob matches (the same search as test), or null. */
  first(paths: readonly string[], ctx: PathContext): string | null {
    for (const p of paths) if (this.test([p], ctx)) return p;
    return null;
  }
}

export function concretePatterns(pattern: string, ctx: PathContext): string[] {
  let ps = [pattern];
  if (pattern.includes('{workspace}')) ps = ctx.workspaces.map((w) => pattern.split('{workspace}').join(w));
  return ps.flatMap((p) => {
    if (p === '~' || p.startsWith('~/')) p = ctx.home + p.slice(1);
    p = p.split('{home}').join(ctx.home);
    p = p.split('{tmpdir}').join(ctx.tmpdir || '/tmp');
    if (!p.startsWith('/') && !p.startsWith('**')) p = '**/' + p;
    if (p.length > 1 && p.endsWith('/') && !p.endsWith('**/')) p = p.slice(0, -1);
    // "dir/**" also means dir itself.
    return p.endsWith('/**') ? [p, p.slice(0, -3) || '/'] : [p];
  });
}
