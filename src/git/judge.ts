// Decisions that depend on the repository's state: the policy says what a line would destroy
// (Decision.losses, src/policy/loss.ts); this module asks the repositories what of it is work
// git could not give back, and adjusts the decision. Something would be lost → ask, naming it
// (rule `work-would-be-lost`). Nothing would be lost → the rules marked `unless_nothing_lost`
// do not count for that command. The state could not be read (in time, or at all) → a delete
// or overwrite there asks, and the git rules count as written; a target only known at run
// time → the decision stays what the rules made it (never an allow the rules did not give). The state is read before the line runs, so work an earlier command on the
// line moves (mv, git stash, git add, git commit) is judged where it is now.
import fs from 'node:fs';
import path from 'node:path';
import { minimatch } from 'minimatch';
import { realPath } from '../policy/confine.js';
import { stricter, type Action, type Decision, type GitFacts, type RuleMatch, type Trigger } from '../policy/decision.js';
import type { LossQuestion } from '../policy/loss.js';
import { repoOf, type Repo } from './repo.js';
import { runGit } from './run.js';
import { affectedPaths, commitsOnlyOn, describeLost, excludeSources, excludeStamps, isUnknown, lostBy, nothingLost, relativeTo, type Lost, type Question, type StateCache } from './state.js';

export const LOST_WORK_RULE = 'work-would-be-lost';

/** How long reading one repository's state may take before the rules decide alone. */
export const GIT_CHECK_TIMEOUT_MS = 2000;

export interface JudgeOptions {
  cache: StateCache;
  timeoutMs?: number;
  /**
   * When the session began (a session passes it): untracked files created since then are the
   * session's own output (a scratch script, a log it rewrites), not the person's work. Losing
   * only those is not asked about, but the repository is still snapshotted before the command.
   * By the file's birth time, which a process cannot set, and only for files born after the
   * cache first read the repository that were not among its untracked or changed paths then
   * (StateCache.firstSeen: a session primes its cache at the start); where the file system
   * keeps no birth time, a file counts as the person's.
   */
  sessionStart?: number;
}

/** Whether the file at `p` was created at or after `since` (false when the file system records no birth time). */
function bornSince(p: string, since: number): boolean {
  try {
    const b = fs.lstatSync(p).birthtimeMs;
    return b > 0 && b >= since;
  } catch {
    return false;
  }
}

const GLOB = /[*?[]/;

/** A path with glob characters: the directory above its first glob component, and the pattern. */
function globParts(p: string): { base: string; pattern: string } | null {
  const parts = p.split('/');
  const i = parts.findIndex((c) => GLOB.test(c));
  if (i < 0) return null;
  return { base: parts.slice(0, i).join('/') || '/', pattern: p };
}

/** `p` without a trailing slash (the root stays `/`). */
function bare(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** The path as the file system will see it: the directory's symlinks resolved, the last component kept (rm link removes the link). */
function onDisk(p: string): string {
  // A trailing slash follows a link to a directory (rm -rf link/): resolved in full.
  if (bare(p) !== p) return realPath(bare(p));
  const dir = path.dirname(p);
  return dir === p ? p : path.join(realPath(dir), path.basename(p));
}

interface Asked {
  q: LossQuestion;
  repo: Repo;
  question: Question;
  /** for a glob: which lost paths it reaches (a path matches when it or one of its directories matches) */
  filter?: (abs: string) => boolean;
}

/** The git questions one loss question turns into, per repository; null when a target is not in any repository. */
function toQuestions(q: LossQuestion): Asked[] | { unknown: string } {
  switch (q.kind) {
    case 'unknown':
      return { unknown: q.reason };
    case 'git': {
      const repo = repoOf(q.cwd);
      // A marker loses nothing itself; judgeWithGit pairs it with the command it matters to. A ref moved is asked of git there too.
      if (!repo || q.op === 'stash-push' || q.op === 'commit' || q.op === 'add' || q.op === 'ref-move') return [];
      const paths = q.paths?.map(onDisk);
      const question: Question =
        q.op === 'branch-delete' ? { git: 'branch-delete', branch: q.branch! } : q.op === 'stash-drop' ? { git: 'stash-drop', all: q.all } : { git: q.op, ...(paths ? { paths } : {}) };
      return [{ q, repo, question }];
    }
    case 'paths':
    case 'into': {
      const targets: string[] = [];
      if (q.kind === 'paths') targets.push(...q.paths);
      else
        for (const d of q.dest) {
          let dir = false;
          try {
            dir = fs.statSync(d).isDirectory();
          } catch {
            // not there yet: nothing to overwrite at d itself
          }
          if (dir) for (const s of q.sources) targets.push(path.join(d, path.basename(s)));
          else targets.push(d);
        }
      const out: Asked[] = [];
      // Truncating (`> link`, tee, dd of=) and cp write through a symlink at the target: the file
      // it points at is what is overwritten, wherever the link itself lives (a link in /tmp to
      // src/a.ts). rm, mv, ln -f and install replace the link: the link is asked about, and the
      // file it points at too when it writes through, in case it does.
      const through = q.kind === 'paths' ? !q.deletes : path.basename(q.command[0] ?? '') === 'cp';
      const spots = targets.flatMap((t) => {
        if (globParts(t) || !through) return [t];
        const real = realPath(bare(t));
        return real === onDisk(t) ? [t] : [t, real];
      });
      // A file with other hard links (`ln src/a.ts /tmp/h; : > /tmp/h`) is the same content under
      // every name: the repositories of the command's cwds are asked about the files that share
      // its inode, wherever the name written to lives.
      if (through && q.cwds)
        for (const t of spots) {
          if (globParts(t)) continue;
          const st = fs.statSync(bare(t), { throwIfNoEntry: false });
          if (!st?.isFile() || st.nlink < 2) continue;
          for (const root of new Set(q.cwds.map((c) => repoOf(c)?.root).filter((r): r is string => !!r))) {
            const repo = repoOf(root)!;
            const same = (abs: string) => {
              const o = fs.statSync(abs, { throwIfNoEntry: false });
              return !!o && o.ino === st.ino && o.dev === st.dev;
            };
            out.push({ q, repo, question: { paths: [repo.root] }, filter: same });
          }
        }
      for (const t of spots) {
        const g = globParts(t);
        // A glob's base is a directory the shell reads through: its links are followed.
        const abs = g ? realPath(g.base) : onDisk(t);
        const repo = repoOf(abs);
        if (!repo) continue;
        const asked: Asked = { q, repo, question: { paths: [abs] } };
        if (g) {
          const pattern = path.join(abs, path.relative(g.base, g.pattern));
          asked.filter = (p) => {
            for (let cur = p; cur.length >= abs.length; cur = path.dirname(cur)) {
              if (minimatch(cur, pattern, { dot: true })) return true;
              if (cur === path.dirname(cur)) break;
            }
            return false;
          };
        }
        out.push(asked);
      }
      return out;
    }
  }
}

/**
 * The sources of earlier mv commands on the line that `q` reaches where they landed, as the
 * paths they have now: the state is read before the line runs, so only there is their work seen.
 */
function movedBack(q: LossQuestion & { kind: 'paths' | 'into' }, qs: LossQuestion[]): string[] {
  const targets = (q.kind === 'paths' ? q.paths : q.dest).map((t) => {
    const g = globParts(t);
    return bare(g ? g.base : t);
  });
  const out: string[] = [];
  for (const m of qs) {
    if (m.kind !== 'into' || !m.moved || m.index >= q.index) continue;
    for (const d of m.dest)
      for (const src of m.moved) {
        // mv into an existing directory puts src under it by name; onto anything else, src becomes d.
        const landings = [d, path.join(d, path.basename(src))];
        for (const land of landings)
          for (const t of targets) {
            if (relativeTo(t, land) !== null) out.push(src);
            else {
              const rest = relativeTo(land, t);
              if (rest !== null) out.push(path.join(src, rest));
            }
          }
      }
  }
  return [...new Set(out)];
}

function filtered(l: Lost, repo: Repo, keep: (abs: string) => boolean): Lost {
  const f = (ps: string[]) => ps.filter((p) => keep(path.join(repo.root, p)));
  const out = { ...l, modified: f(l.modified), staged: f(l.staged), untracked: f(l.untracked), submodules: f(l.submodules), ignoreRulesChanged: f(l.ignoreRulesChanged) };
  // The pattern reaches the repository's own directory only if it matches it (find . -name '*.ts' does not).
  if (l.repository && !keep(repo.gitDir) && !keep(repo.commonDir)) Object.assign(out, { repository: false, stashes: 0, commits: [] });
  return out;
}

/** `l` added to what `root` already loses in `into`. */
function addLost(into: Map<string, Lost>, root: string, l: Lost): void {
  const had = into.get(root);
  into.set(root, had ? merge(had, l) : l);
}

function merge(a: Lost, b: Lost): Lost {
  const u = (x: string[], y: string[]) => [...new Set([...x, ...y])];
  const commits = [...a.commits];
  for (const c of b.commits) if (!commits.some((x) => x.branch === c.branch)) commits.push(c);
  return {
    modified: u(a.modified, b.modified),
    staged: u(a.staged, b.staged),
    untracked: u(a.untracked, b.untracked),
    stashes: Math.max(a.stashes, b.stashes),
    commits,
    repository: a.repository || b.repository,
    submodules: u(a.submodules, b.submodules),
    ignoreRulesChanged: u(a.ignoreRulesChanged, b.ignoreRulesChanged),
  };
}

/** Ignored files (and directories, as `dir/`) under `paths`, relative to the root: asked only when a .gitignore changed. */
async function ignoredUnder(repo: Repo, paths: string[], timeoutMs: number): Promise<string[] | { unknown: string }> {
  const rel = paths.map((p) => relativeTo(repo.root, p)).filter((p): p is string => p !== null);
  if (rel.length === 0) return [];
  const r = await runGit(repo, ['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory', '--', ...rel.map((p) => `:(literal)${p || '.'}`)], { deadline: Date.now() + timeoutMs });
  if (!r.ok) return { unknown: r.error ?? 'git ls-files failed' };
  return r.stdout.toString('utf8').split('\0').filter(Boolean).map((p) => p.replace(/\/$/, ''));
}

const cmdKey = (command: string[], cwds: string[] | null) => JSON.stringify([command, cwds]);

/** Commits only `ref` reaches (0 when the ref does not exist), for a command that deletes or moves it. */
async function onlyOn(repo: Repo, ref: string, timeoutMs: number): Promise<number | { unknown: string }> {
  const deadline = Date.now() + timeoutMs;
  const exists = await runGit(repo, ['rev-parse', '--verify', '-q', `${ref}^{commit}`], { deadline });
  if (!exists.ok) return exists.status === 1 ? 0 : { unknown: exists.error ?? 'git rev-parse failed' };
  const n = await commitsOnlyOn(repo, ref, deadline);
  return isUnknown(n) ? n : n.count;
}

/** The decision with the repository's state taken into account (unchanged when no command destroys anything). */
export async function judgeWithGit(d: Decision, opts: JudgeOptions): Promise<Decision> {
  const qs = d.losses;
  if (!qs?.length || d.action === 'deny') return d;
  const timeoutMs = opts.timeoutMs ?? GIT_CHECK_TIMEOUT_MS;
  const unknown: string[] = [];
  /** per command key: all its questions answered, and what they lose */
  const perCommand = new Map<string, { resolved: boolean; lost: Lost | null; repos: Set<string>; own: boolean }>();
  const entry = (q: LossQuestion) => {
    const k = cmdKey(q.command, q.cwds);
    let e = perCommand.get(k);
    if (!e) perCommand.set(k, (e = { resolved: true, lost: null, repos: new Set(), own: false }));
    return e;
  };
  const asked: Asked[] = [];
  const markers = qs.filter((q): q is LossQuestion & { kind: 'git' } => q.kind === 'git' && (q.op === 'stash-push' || q.op === 'commit' || q.op === 'add'));
  const earlier = (q: LossQuestion & { kind: 'git' }, op: 'stash-push' | 'commit' | 'add') => {
    const root = repoOf(q.cwd)?.root;
    return markers.filter((m) => m.op === op && m.index < q.index && root !== undefined && repoOf(m.cwd)?.root === root);
  };
  for (const q of qs) {
    if (q.kind === 'git' && q.op === 'branch-delete' && earlier(q, 'commit').length) {
      // The line commits first: the branch may hold commits that do not exist yet.
      unknown.push(`git branch -D ${q.branch} follows a command on the same line that makes commits`);
      entry(q).resolved = false;
      continue;
    }
    if (q.kind === 'git' && q.op === 'stash-drop') {
      // `git stash [-u] && git stash drop`: the drop takes what the push took from the tree now.
      const pushes = earlier(q, 'stash-push');
      const repo = repoOf(q.cwd);
      if (pushes.length && repo) {
        asked.push({ q, repo, question: { git: 'reset-hard' } });
        // untracked files go into the stash with -u, or once an earlier `git add` staged them
        if (pushes.some((m) => m.all || earlier(m, 'add').length)) asked.push({ q, repo, question: { git: 'clean' } });
      }
    }
    // `git add -A && git reset --hard`: the files the add staged were untracked, and reset --hard deletes them.
    if (q.kind === 'git' && q.op === 'reset-hard' && earlier(q, 'add').length) {
      const repo = repoOf(q.cwd);
      if (repo) asked.push({ q, repo, question: { git: 'clean', ...(q.paths ? { paths: q.paths.map(onDisk) } : {}) } });
    }
    // `mv src x && rm -rf x`: what a later command deletes where an earlier mv put it is asked about where it is now.
    if (q.kind === 'paths' || q.kind === 'into') {
      for (const p of movedBack(q, qs)) {
        const repo = repoOf(onDisk(p));
        if (repo) asked.push({ q, repo, question: { paths: [onDisk(p)] } });
      }
    }
    // `mv notes.md /tmp/` takes work out of the repository (in a session, into a /tmp that goes
    // with it), where a later `rm` is no question for any repository: asked about as it leaves.
    if (q.kind === 'into' && q.moved) {
      for (const src of q.moved) {
        const from = repoOf(onDisk(src));
        if (!from) continue;
        const left = q.dest.some((d) => {
          const to = repoOf(realPath(bare(d)));
          return !to || to.root !== from.root;
        });
        if (left) asked.push({ q, repo: from, question: { paths: [onDisk(src)] } });
      }
    }
    const r = toQuestions(q);
    if ('unknown' in r) {
      unknown.push(r.unknown);
      entry(q).resolved = false;
    } else {
      entry(q);
      asked.push(...r);
    }
  }
  // Refs deleted or moved (git tag -d, branch -f …): what only they reach, asked of git per ref.
  const lostRefs = new Map<string, Lost>();
  await Promise.all(
    qs.map(async (q) => {
      if (q.kind !== 'git' || q.op !== 'ref-move') return;
      const repo = repoOf(q.cwd);
      if (!repo) return;
      const e = entry(q);
      e.repos.add(repo.root);
      for (const ref of q.refs ?? []) {
        const n = await onlyOn(repo, ref, timeoutMs);
        if (typeof n !== 'number') {
          unknown.push(`${repo.root}: ${n.unknown}`);
          e.resolved = false;
          continue;
        }
        if (n === 0) continue;
        const l: Lost = { modified: [], staged: [], untracked: [], stashes: 0, commits: [{ branch: ref.replace(/^refs\/(heads|tags)\//, ''), count: n }], repository: false, submodules: [], ignoreRulesChanged: [] };
        e.lost = e.lost ? merge(e.lost, l) : l;
        addLost(lostRefs, repo.root, l);
      }
    }),
  );
  /** commands whose targets' repository could not be read (in time, or at all): asked */
  const cannotTell = new Map<string, string>();
  // One read per repository, fresh for every path any question reaches there.
  const byRepo = new Map<string, Asked[]>();
  for (const a of asked) byRepo.set(a.repo.root, [...(byRepo.get(a.repo.root) ?? []), a]);
  const lostPerRepo = new Map<string, Lost>();
  const ignoreNotes = new Map<string, string>();
  await Promise.all(
    [...byRepo.values()].map(async (list) => {
      const repo = list[0].repo;
      const paths = [...new Set(list.flatMap((a) => affectedPaths(a.question)))];
      const state = await opts.cache.get(repo, { timeoutMs, paths });
      // info/exclude or core.excludesFile changed since the session first read the repository:
      // what they now ignore is the agent's word, as with a changed .gitignore.
      let excludesNote: Promise<string | null> | undefined;
      const excludesChanged = () =>
        (excludesNote ??= (async () => {
          const first = opts.cache.firstSeen(repo);
          if (opts.sessionStart === undefined || !first) return null;
          const then = await first.excludes;
          const what = '.git/info/exclude or core.excludesFile';
          if (isUnknown(then)) return what;
          if (excludeStamps(repo, then.file) === then.stamps) return null;
          const now = await excludeSources(repo, timeoutMs);
          return !isUnknown(now) && now.key === then.key ? null : what;
        })());
      for (const a of list) {
        const e = entry(a.q);
        e.repos.add(repo.root);
        if (isUnknown(state)) {
          e.resolved = false;
          // A read that failed (a file name that is not UTF-8, a filter driver that cannot be
          // switched off) or ran out of time (a repository too large, or one the agent filled with
          // a million files on purpose) cannot say that nothing would be lost: a delete or
          // overwrite there is asked, by its paths, never left to the path rules that allow it.
          // The git rules stay as written (never lowered) for the git operations.
          if (a.q.kind === 'paths' || a.q.kind === 'into') cannotTell.set(cmdKey(a.q.command, a.q.cwds), `${repo.root}: ${state.unknown}`);
          continue;
        }
        let l = lostBy(state, a.question);
        if (isUnknown(l)) {
          unknown.push(`${repo.root}: ${l.unknown}`);
          e.resolved = false;
          continue;
        }
        if (a.filter) l = filtered(l, repo, a.filter);
        // git clean -x/-X deletes ignored files: with a .gitignore the agent changed, those count as work.
        const cleanIgnored = a.q.kind === 'git' && a.q.op === 'clean' && a.q.ignored && 'git' in a.question && a.question.git === 'clean';
        const changedSources = cleanIgnored || (nothingLost(l) && 'paths' in a.question && !('git' in a.question)) ? [...state.ignoreRulesChanged, ...[await excludesChanged()].filter((x): x is string => !!x)] : state.ignoreRulesChanged;
        if (cleanIgnored && changedSources.length && 'git' in a.question && a.question.git === 'clean') {
          const ig = await ignoredUnder(repo, a.question.paths ?? [repo.root], timeoutMs);
          if (isUnknown(ig)) {
            unknown.push(`${repo.root}: ${ig.unknown}`);
            e.resolved = false;
            continue;
          }
          if (ig.length) {
            l = { ...l, untracked: [...new Set([...l.untracked, ...ig])] };
            ignoreNotes.set(repo.root, `${changedSources.join(', ')} changed since the last commit, so the files it ignores are counted as work`);
          }
        }
        // A .gitignore the agent changed decides what counts as ignored output: its word is not
        // enough. Ignored files under the paths are then asked about as work, unless there are none.
        if ((l.ignoreRulesChanged.length || changedSources.length > state.ignoreRulesChanged.length) && nothingLost(l) && 'paths' in a.question && !('git' in a.question)) {
          const ig = await ignoredUnder(repo, a.question.paths, timeoutMs);
          if (isUnknown(ig)) {
            unknown.push(`${repo.root}: ${ig.unknown}`);
            e.resolved = false;
            continue;
          }
          const kept = a.filter ? ig.filter((p) => a.filter!(path.join(repo.root, p))) : ig;
          if (kept.length) {
            l = { ...l, untracked: kept };
            ignoreNotes.set(repo.root, `${[...new Set([...l.ignoreRulesChanged, ...changedSources.slice(state.ignoreRulesChanged.length)])].join(', ')} changed since the last commit, so the files it ignores are counted as work`);
          }
        }
        if (opts.sessionStart !== undefined && l.untracked.length) {
          // Born after the repository was first read in the session, and not there at that read:
          // a file the person had, rewritten in place by a new inode (sed -i, a rename over it),
          // is born anew but was listed then.
          const first = opts.cache.firstSeen(repo);
          const since = Math.max(opts.sessionStart, first?.takenAt ?? Infinity);
          const own = new Set(l.untracked.filter((p) => !first?.paths.has(p) && bornSince(path.join(repo.root, p), since)));
          if (own.size) {
            l = { ...l, untracked: l.untracked.filter((p) => !own.has(p)) };
            // A way back for deleted files; rewriting its own output (a log, a file it generates) needs none.
            if ((a.q.kind === 'paths' && a.q.deletes) || (a.q.kind === 'git' && a.q.op === 'clean')) e.own = true;
          }
        }
        if (!nothingLost(l)) {
          e.lost = e.lost ? merge(e.lost, l) : l;
          addLost(lostPerRepo, repo.root, l);
        }
      }
      if (isUnknown(state)) unknown.push(`${repo.root}: the repository's state could not be read (${state.unknown}); judged by the rules alone`);
    }),
  );

  for (const [root, l] of lostRefs) addLost(lostPerRepo, root, l);
  // Rules that only matter when work would be lost stop counting for commands that lose none.
  const lowered = new Set<string>();
  const softRules = new Set(d.matches.filter((m) => m.unlessNothingLost).map((m) => m.rule));
  let triggers: Trigger[] = (d.triggers ?? []).filter((t) => {
    const e = perCommand.get(cmdKey(t.command, t.cwds));
    if (!e || !e.resolved || e.lost || e.repos.size === 0 || !t.rules.every((r) => softRules.has(r))) return true;
    for (const r of t.rules) lowered.add(r);
    return false;
  });
  const stillFired = new Set(triggers.flatMap((t) => t.rules));
  let matches: RuleMatch[] = d.matches.filter((m) => !(lowered.has(m.rule) && !stillFired.has(m.rule)));
  for (const r of stillFired) lowered.delete(r);

  // A question about work, keyed on the commands it is about (their approval covers only them).
  const askAbout = (message: string, subject: string[], keys: Iterable<string>) => {
    matches = [...matches, { rule: LOST_WORK_RULE, action: 'ask', severity: 'high', message, ...(subject.length ? { subject } : {}) }];
    triggers = triggers.map((t) => ({ ...t }));
    for (const k of keys) {
      const [command, cwds] = JSON.parse(k) as [string[], string[] | null];
      const t = triggers.find((x) => cmdKey(x.command, x.cwds) === k);
      if (t) t.rules = [...new Set([...t.rules, LOST_WORK_RULE])];
      else triggers.push({ command, cwds, rules: [LOST_WORK_RULE] });
    }
  };

  // Work that would be lost: asked, naming it, keyed on the command that loses it.
  const lostLines: GitFacts['lost'] = [];
  for (const [root, l] of lostPerRepo) lostLines.push({ root, description: [describeLost(l), ignoreNotes.get(root)].filter(Boolean).join(' (') + (ignoreNotes.has(root) ? ')' : ''), paths: [...l.modified, ...l.staged, ...l.untracked].slice(0, 50) });
  if (lostLines.length) {
    // Whether there is a way back is said by whoever takes the snapshot (the prompt's snapshot line), not promised here.
    const message = lostLines.map((x) => (lostPerRepo.size === 1 ? x.description : `${x.root}: ${x.description}`)).join('; ');
    // git's paths are already relative to the root, normalised.
    const subject = lostLines.flatMap((x) => x.paths).slice(0, 8);
    askAbout(message, subject, [...perCommand].filter(([, e]) => e.lost).map(([k]) => k));
  }
  if (cannotTell.size) askAbout(`what this would lose cannot be told: ${[...new Set(cannotTell.values())].join('; ')}`, [], cannotTell.keys());
  let action: Action = d.opaque.length ? 'ask' : 'allow';
  for (const m of matches) action = stricter(action, m.action);
  // Repositories a stricter-than-allow command reaches are snapshotted before it runs, and so are
  // those where it deletes only the session's own files (not asked about, still a way back).
  const snapshot = new Set<string>();
  for (const [, e] of perCommand) if (e.own || (action !== 'allow' && (e.lost || !e.resolved))) for (const r of e.repos) snapshot.add(r);
  const git: GitFacts = { lost: lostLines, unknown: [...new Set(unknown)], lowered: [...lowered], snapshot: [...snapshot] };
  return { ...d, action, matches, triggers, git };
}

/** judgeWithGit for front ends: an internal error asks (with the reason) instead of leaving an allow the state might have changed. */
export async function judgeSafely(d: Decision, opts: JudgeOptions): Promise<Decision> {
  try {
    return await judgeWithGit(d, opts);
  } catch (e) {
    if (!d.losses?.length) return d;
    return { ...d, action: stricter(d.action, 'ask'), opaque: [...d.opaque, `internal error while reading the repository's state: ${(e as Error).message}`] };
  }
}
