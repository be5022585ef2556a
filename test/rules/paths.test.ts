// Rule path globs answer what minimatch answers: the literal prefix and suffix checked
// first only save work. Held against minimatch over every path glob of the built-in rules
// and, for each, paths made to match it, near misses, and every path the corpora name.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { realPath } from '../../src/policy/confine.js';
import { concretePatterns, GlobIndex, PathGlob } from '../../src/rules/paths.js';
import { evasionCommands, exampleGuard } from '../helpers.js';

const guard = await exampleGuard();
const root = path.resolve(import.meta.dirname, '../..');
const ctx = { home: '/home/dev', tmpdir: '/tmp', workspaces: ['/home/dev/project'] };

function ruleGlobs(): string[] {
  const out = new Set<string>();
  const lists = guard.rules.lists;
  const expand = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]).flatMap((x) => (x.startsWith('@') ? expand([...(lists.get(x.slice(1)) ?? [])]) : [x]));
  const visit = (e: unknown) => {
    if (!e || typeof e !== 'object') return;
    for (const [k, v] of Object.entries(e)) {
      if ((k === 'writes' || k === 'reads') && (typeof v === 'string' || Array.isArray(v))) for (const g of expand(v as string | string[])) out.add(g);
      else if (Array.isArray(v)) v.forEach(visit);
      else visit(v);
    }
  };
  for (const r of guard.rules.rules) visit(r.rule.match);
  return [...out].flatMap((g) => concretePatterns(g, ctx));
}

function corpusPaths(): string[] {
  const lines = fs.readFileSync(path.join(root, 'bench/corpus.txt'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  lines.push(...evasionCommands());
  const out = new Set<string>();
  for (const command of lines) {
    for (const cmd of guard.explain({ command }).script.commands) {
      for (const t of [...cmd.writes, ...cmd.reads]) for (const p of t.paths ?? []) out.add(p).add(realPath(p));
    }
  }
  return [...out];
}

/** Paths a glob should match, and near misses: wildcards filled in, segments added and cut. */
function probes(glob: string): string[] {
  const filled = glob.replace(/\{([^{}]*)\}/g, (_, a: string) => a.split(',')[0]).replace(/\*\*/g, 'a/b').replace(/\*/g, 'x').replace(/\?/g, 'q').replace(/\[!?([^\]]*)\]/g, (_, c: string) => c[0] ?? 'c');
  const abs = filled.startsWith('/') ? filled : '/' + filled;
  const out = [abs, abs + '/', abs + '/more', path.posix.dirname(abs), abs + 'x', abs.slice(0, -1), '/x' + abs, abs.replace(/\/[^/]*$/, '/other')];
  return out.map((p) => path.posix.normalize(p));
}

describe('rule path globs', () => {
  const globs = ruleGlobs().map((g) => new PathGlob(g));
  const paths = corpusPaths();

  it('answer what minimatch answers', () => {
    expect(globs.length).toBeGreaterThan(50);
    expect(paths.length).toBeGreaterThan(200);
    const differ: string[] = [];
    let hits = 0;
    const every = [...paths, ...globs.flatMap((g) => probes(g.pattern))];
    for (const g of globs) {
      for (const p of every) {
        const want = g.reference(p);
        if (want) hits++;
        if (g.match(p) !== want) differ.push(`${g.pattern} ${p}: minimatch ${want}`);
      }
    }
    expect(differ).toEqual([]);
    // The probes do reach matches: the comparison is not only of misses.
    expect(hits).toBeGreaterThan(globs.length / 2);
  });

  it('indexed by first and last segment, answer what minimatch answers for the whole list', () => {
    const index = new GlobIndex(globs);
    const every = [...paths, ...globs.flatMap((g) => probes(g.pattern)), 'relative/x', '/a//b', '/home/dev/./.ssh/id_rsa'];
    const differ = every.filter((p) => index.match(p) !== globs.some((g) => g.reference(p)));
    expect(differ).toEqual([]);
    // Each glob alone too: in the whole list, a glob filed under the wrong key hides behind another.
    for (const g of globs) {
      const one = new GlobIndex([g]);
      differ.push(...every.filter((p) => one.match(p) !== g.reference(p)).map((p) => `${g.pattern} ${p}`));
    }
    expect(differ).toEqual([]);
    expect(every.filter((p) => index.match(p)).length).toBeGreaterThan(globs.length / 2);
  });

  it('keep minimatch’s reading of .. in a pattern and of a trailing slash', () => {
    const g = new PathGlob('/home/dev/x/../.ssh/*');
    expect(g.match('/home/dev/.ssh/id_rsa')).toBe(true);
    expect(new PathGlob('/home/dev/.npmrc').match('/home/dev/.npmrc/')).toBe(new PathGlob('/home/dev/.npmrc').reference('/home/dev/.npmrc/'));
    expect(new PathGlob('**/.git/config').match('/w/.git/config')).toBe(true);
    expect(new PathGlob('**/.git/config').match('/w/.git/configx')).toBe(false);
  });
});
