// What a line would destroy, as questions for the repository's state: the paths it deletes or
// overwrites (rm, find -delete, mv/cp/install/ln -f/rsync/git mv -f onto existing files, dd of=,
// `>` truncation, tee, truncate, sed w, awk print >) and the git operations that discard work
// (checkout/restore over edits, reset --hard, clean, stash drop, branch -D, worktree remove,
// rm -f, --abort, a ref deleted or moved by tag -d/-f, update-ref, branch -f/-M, checkout -B), with
// markers for what an earlier command on the line does to the work a later one destroys
// (stash push, add, commit, mv). Pure: the answers come from src/git/, which reads the
// repository; the policy only says what to ask.
import path from 'node:path';
import { gitSpec } from '../programs/git.js';
import { optionsOf } from '../programs/index.js';
import { hasFlag, parseOptions } from '../programs/options.js';
import type { Command, PathTarget, Word } from '../shell/types.js';
import { isHarmlessDevice } from './confine.js';

/**
 * stash-push loses nothing itself; it is asked so that a later `git stash drop` on the same
 * line counts what the push took (`git stash -u && git stash drop` would otherwise read the
 * stash list as it is now, before the push). `all` says it took untracked files too.
 * commit likewise marks a line whose later branch -D may delete commits made by the line itself,
 * and add one whose later reset --hard or stash drop takes untracked files the add staged.
 */
export type GitOp = 'checkout-all' | 'reset-hard' | 'clean' | 'stash-drop' | 'branch-delete' | 'stash-push' | 'commit' | 'add' | 'ref-move';

/** What every question carries: `command` and `cwds` key it to the command's approval (Trigger). */
type Base = { command: string[]; cwds: string[] | null; index: number };

/** One command's question. */
export type LossQuestion = Base &
  (
    /** absolute paths, one set per possible cwd merged; a path may hold glob characters (`src/*.ts`); `deletes`: removed (rm, find -delete), not overwritten */
    | { kind: 'paths'; paths: string[]; deletes?: true }
  /** mv/cp: what lands in `dest` (an existing directory receives each source by its name); `moved`: mv's sources (absolute), which leave for `dest`; a later command on the line that deletes them there is asked about them here */
  | { kind: 'into'; dest: string[]; sources: string[]; moved?: string[] }
  /** a git operation run in `cwd`; `paths` narrow it (absolute), `branch` names the branch for branch-delete; for `ref-move`, `refs`: the refs (full names, or HEAD) deleted or moved (git tag -d/-f, update-ref, branch -f/-M/-C, checkout -B): the commits only they reach lose their last name */
  | { kind: 'git'; op: GitOp; cwd: string; paths?: string[]; branch?: string; all?: boolean; ignored?: boolean; refs?: string[] }
  /** what it destroys is only known when it runs ($X, a command substitution): judged by the rules alone */
  | { kind: 'unknown'; reason: string }
);

/** Programs whose scripts open files for writing by name (sed w, awk print >). */
const SCRIPTED_WRITERS = new Set(['sed', 'gsed', 'awk', 'gawk', 'mawk', 'nawk']);

/** Programs whose operands are deleted. rmdir removes only empty directories and trash keeps what it moves: neither loses work. */
const DELETERS = new Set(['rm', 'unlink', 'shred', 'srm']);

function targetsOf(ts: PathTarget[]): { paths: string[] } | { unknown: string } {
  const out: string[] = [];
  for (const t of ts) {
    const ps = t.paths;
    if (ps === null) return { unknown: `${t.raw} is only known when it runs` };
    // `rm -rf link/` empties the directory a symlink points at (the slash makes the kernel follow
    // it), while `rm -rf link` removes only the link: the slash is kept for src/git/ to resolve.
    // A glob the analysis reduced to its directory (`rm -rf link/*` → link) is read through too.
    const slash = /\/["']?$/.test(t.raw);
    const through = (p: string) => slash || (/[*?[]/.test(t.raw) && !/[*?[]/.test(p));
    out.push(...ps.filter((p) => !isHarmlessDevice(p)).map((p) => (through(p) && !p.endsWith('/') ? `${p}/` : p)));
  }
  return { paths: [...new Set(out)] };
}

/** The PathTarget the analysis made for a word of the command (same raw text), for its absolute paths. */
function targetFor(cmd: Command, w: Word): PathTarget | undefined {
  return cmd.writes.find((t) => t.raw === w.raw) ?? cmd.reads.find((t) => t.raw === w.raw);
}

function resolveIn(cwds: string[] | null, w: Word): string[] | null {
  if (w.value === null || cwds === null) return null;
  return cwds.map((c) => path.resolve(c, w.value!));
}

/**
 * The questions for a line's commands. The markers (stash-push, commit, add) are kept only when a
 * later command on the line is the one they matter to: alone they destroy nothing, and a line
 * that cannot lose work must not pay for a git read.
 */
export function lineLossQuestions(commands: readonly Command[]): LossQuestion[] {
  // `export GIT_DIR=… GIT_WORK_TREE=…; git reset --hard` points every later git at another
  // repository than the one its cwd is in: those git questions cannot be answered from here.
  const redirected = commands.filter((c) => setsGitEnv(c)).map((c) => c.index);
  const all = commands
    .flatMap((c) => lossQuestions(c))
    .map((q): LossQuestion => (q.kind === 'git' && redirected.some((i) => i < q.index) ? { command: q.command, cwds: q.cwds, index: q.index, kind: 'unknown', reason: 'an earlier command on the line sets a GIT_* variable that can point git at another repository' } : q));
  const laterOp = (q: LossQuestion, op: GitOp) => all.some((x) => x.kind === 'git' && x.op === op && x.index > q.index);
  return all.filter(
    (q) =>
      q.kind !== 'git' ||
      (q.op === 'stash-push' ? laterOp(q, 'stash-drop') : q.op === 'commit' ? laterOp(q, 'branch-delete') : q.op === 'add' ? laterOp(q, 'reset-hard') || laterOp(q, 'stash-drop') : true),
  );
}

/** The questions for one command, or none when it destroys nothing (markers included). */
export function lossQuestions(cmd: Command): LossQuestion[] {
  const base = { command: cmd.argv.map((w) => w.value ?? w.raw), cwds: cmd.cwds, index: cmd.index };
  const out: LossQuestion[] = [];
  const push = (q: LossQuestion | { paths: string[] } | { unknown: string }, deletes = false) => {
    if ('kind' in q) out.push(q);
    else if ('unknown' in q) out.push({ ...base, kind: 'unknown', reason: q.unknown });
    else if (q.paths.length) out.push({ ...base, kind: 'paths', paths: q.paths, ...(deletes ? { deletes: true as const } : {}) });
  };
  // `> file` empties the file before the command runs; `>>` keeps it.
  const truncated = cmd.redirects.filter((r) => r.kind === 'write' && !isHarmlessDevice(r.target.value ?? ''));
  if (truncated.length) {
    const ts = truncated.map((r) => targetFor(cmd, r.target) ?? { raw: r.target.raw, paths: resolveIn(cmd.cwds, r.target), glob: r.target.glob });
    push(targetsOf(ts));
  }
  const p = cmd.program;
  if (p === null) return out;
  // `{}` is what find visits below its start (find -exec rm {} +): the whole start, to be safe.
  if (DELETERS.has(p)) push(targetsOf(cmd.writes.map((t) => (t.paths?.some((x) => x.includes('{}')) ? { ...t, paths: t.paths.map(aboveBraces) } : t))), true);
  else if (p === 'find') {
    // find's writes are its -delete start points and -fprint files; -exec rm is its own command.
    if (cmd.writes.length) push(findTargets(cmd), cmd.argv.some((w) => w.value === '-delete'));
  } else if (p === 'tee' || p === 'truncate') {
    if (p === 'tee' && hasFlag(optionsOf(cmd), ['-a', '--append'])) return out;
    push(targetsOf(cmd.writes));
  } else if (p === 'mv' || p === 'cp' || (p === 'install' && !hasFlag(optionsOf(cmd), ['-d', '--directory']))) {
    const q = copyQuestion(cmd, base);
    if (q) out.push(q);
  } else if (p === 'ln') {
    // ln -f replaces an existing file with a link: its content is gone. Without -f ln (and link) refuse.
    const o = optionsOf(cmd);
    if (hasFlag(o, ['-f', '--force']) && !hasFlag(o, ['-b', '--backup', '-i', '--interactive'])) {
      const q = copyQuestion(cmd, base, true);
      if (q) out.push(q);
    }
  } else if (p === 'dd') {
    // of= is opened for writing (truncated unless conv=notrunc, overwritten in place either way).
    push(targetsOf(cmd.writes));
  } else if (p === 'rsync') {
    const q = rsyncQuestion(cmd, base);
    if (q) out.push(q);
  } else if (p === 'git') {
    out.push(...gitQuestions(cmd, base));
  } else if (SCRIPTED_WRITERS.has(p)) {
    // sed's `w FILE` and awk's `print > FILE` open FILE for writing, emptying it, whatever the
    // input: not an edit in place (those files are the operands, left out here).
    const operands = new Set(optionsOf(cmd).positionals.map((w) => w.raw));
    const opened = cmd.writes.filter((t) => !operands.has(t.raw));
    if (opened.length) push(targetsOf(opened));
  }
  // sed -i, perl -i and editors rewrite a file in place: that is how an agent edits code, the
  // result is the edit it was asked for, and asking for every tracked file it touches would
  // make the guard a prompt per edit. Work is "lost" only by deleting or replacing a file
  // wholesale, which the cases above cover.
  return out;
}

/** rsync: --delete removes whatever the destination holds that the source lacks; `src/` copies contents whose names are not known here. */
function rsyncQuestion(cmd: Command, base: Base): LossQuestion | null {
  const o = optionsOf(cmd);
  const dest = cmd.writes.filter((t) => !o.positionals.slice(0, -1).some((w) => w.raw === t.raw));
  if (dest.length === 0) return null;
  const deletes = cmd.argv.some((w) => w.value !== null && (w.value.startsWith('--delete') || w.value === '--del'));
  const contents = o.positionals.slice(0, -1).some((w) => w.value === null || w.value.endsWith('/'));
  if (deletes || contents) {
    const r = targetsOf(dest);
    return 'unknown' in r ? { ...base, kind: 'unknown', reason: r.unknown } : r.paths.length ? { ...base, kind: 'paths', paths: r.paths } : null;
  }
  return copyQuestion(cmd, base);
}

function aboveBraces(p: string): string {
  const i = p.indexOf('{}');
  return i < 0 ? p : path.dirname(p.slice(0, i + 2));
}

/** Tests that make a find's selection something other than "names matching one pattern". */
const FIND_COMPLEX = new Set(['-o', '-or', ',', '!', '-not', '-path', '-ipath', '-wholename', '-iwholename', '-regex', '-iregex', '-prune', '-links', '-newer', '-samefile', '-inum']);

/** An -iname pattern as a case-sensitive glob (`*.TS` → `*.[tT][sS]`), or null when it holds brackets or escapes. */
function caseless(pattern: string): string | null {
  if (/[[\]\\]/.test(pattern)) return null;
  return pattern.replace(/[a-zA-Z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

/** find -delete's targets: one -name pattern below each start becomes a glob; any other selection is the whole start. */
function findTargets(cmd: Command): { paths: string[] } | { unknown: string } {
  const args = cmd.argv.slice(1).map((w) => w.value);
  const at = args.findIndex((a) => a === '-name' || a === '-iname');
  const raw = at < 0 ? undefined : args[at + 1];
  const names = args.filter((a) => a === '-name' || a === '-iname');
  // -iname matches without regard to case; -delete before the test deletes everything it visits.
  const pattern = raw === null || raw === undefined ? null : args[at] === '-iname' ? caseless(raw) : raw;
  const del = args.indexOf('-delete');
  const deleteFirst = del >= 0 && del < at;
  const simple = names.length === 1 && pattern !== null && !pattern.includes('/') && !deleteFirst && !args.some((a) => a !== null && FIND_COMPLEX.has(a));
  const r = targetsOf(cmd.writes);
  if ('unknown' in r) return r;
  return { paths: r.paths.map((p) => (p.includes('{}') ? (simple ? `${aboveBraces(p)}/**/${pattern}` : aboveBraces(p)) : p)) };
}

function copyQuestion(cmd: Command, base: Base, link = false): LossQuestion | null {
  const o = optionsOf(cmd);
  // -n never overwrites (for ln it means "do not follow a link to a directory"); --backup keeps what it would have overwritten.
  if (hasFlag(o, link ? ['-b', '--backup'] : ['-n', '--no-clobber', '-b', '--backup'])) return null;
  const named = o.values.get('-t') ?? o.values.get('--target-directory');
  const pos = o.positionals;
  const destWord: Word | undefined = named?.length ? { value: named[named.length - 1], raw: named[named.length - 1] ?? '$?', glob: false } : pos[pos.length - 1];
  const sourceWords = named?.length ? pos : pos.slice(0, -1);
  if (!destWord || sourceWords.length === 0) return null;
  const dest = targetFor(cmd, destWord)?.paths ?? resolveIn(cmd.cwds, destWord);
  if (!dest) return { ...base, kind: 'unknown', reason: `${destWord.raw} is only known when it runs` };
  // -T: the destination itself is overwritten (cp -rT a b merges a's contents into b): all of it is asked about.
  if (!named?.length && hasFlag(o, ['-T', '--no-target-directory'])) return { ...base, kind: 'paths', paths: dest };
  const sources: string[] = [];
  for (const w of sourceWords) {
    // The source's name is what lands in a directory: a name only known at run time could be anything there.
    if (w.value === null || w.glob) return { ...base, kind: 'unknown', reason: `what ${w.raw} names is only known when it runs` };
    sources.push(w.value);
  }
  const moved = cmd.program === 'mv' && cmd.cwds !== null ? [...new Set(cmd.cwds.flatMap((c) => sources.map((x) => path.resolve(c, x))))] : undefined;
  return { ...base, kind: 'into', dest, sources, ...(moved ? { moved } : {}) };
}

/**
 * Variables that make git read another repository, work tree, index or config than the ones its
 * cwd finds (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE, GIT_COMMON_DIR, GIT_CONFIG_* …): all GIT_*
 * to be safe, since the state is read with every one of them dropped (src/git/run.ts).
 */
const GIT_VAR = /^GIT_[A-Z0-9_]*$/;
const DECLARERS = new Set(['export', 'declare', 'typeset', 'readonly', 'local']);

/** Whether the command sets a GIT_* variable for itself (`GIT_DIR=x git …`, `env GIT_DIR=x git`) or for the rest of the line (`export GIT_DIR=x`). */
function setsGitEnv(cmd: Command): boolean {
  if (Object.keys(cmd.assignments).some((k) => GIT_VAR.test(k))) return true;
  if (cmd.program === null || !DECLARERS.has(cmd.program)) return false;
  return cmd.argv.slice(1).some((w) => w.value === null || GIT_VAR.test((w.value ?? '').split('=')[0]));
}

/** `-c` keys that move the work tree git writes to, or pull in config that can (include.path, includeIf.…). */
const REDIRECTING_CONFIG = /^(core\.worktree|core\.bare|include\.|includeif\.)/i;

/** git's own options, up to the subcommand. */
const GIT_GLOBAL = { ...gitSpec.global!, stopAtPositional: true };

/** The operands after a `--` (pathspecs), and the positionals before it. */
function splitDashes(args: Word[]): { before: Word[]; after: Word[] | null } {
  const i = args.findIndex((w) => w.value === '--');
  return i < 0 ? { before: args, after: null } : { before: args.slice(0, i), after: args.slice(i + 1) };
}

function gitQuestions(cmd: Command, base: Base): LossQuestion[] {
  const q = gitQuestion(cmd, base);
  return q === null ? [] : Array.isArray(q) ? q : [q];
}

function gitQuestion(cmd: Command, base: Base): LossQuestion | LossQuestion[] | null {
  const unknown = (reason: string): LossQuestion => ({ ...base, kind: 'unknown', reason });
  const args = cmd.argv.slice(1);
  const g = parseOptions(args, GIT_GLOBAL);
  const sub = g.positionals[0];
  if (!sub || sub.value === null) return null;
  if (g.values.has('--git-dir') || g.values.has('--work-tree')) return unknown('git is pointed at another repository (--git-dir/--work-tree)');
  if (setsGitEnv(cmd)) return unknown('a GIT_* variable set for git can point it at another repository');
  if (g.values.has('--config-env') || (g.values.get('-c') ?? []).some((kv) => kv === null || REDIRECTING_CONFIG.test(kv)))
    return unknown('git -c/--config-env can point git at another work tree');
  if (cmd.cwds === null || cmd.cwds.length !== 1) return unknown('the directory git runs in is only known when it runs');
  let cwd = cmd.cwds[0];
  for (const d of g.values.get('-C') ?? []) {
    if (d === null) return unknown('git -C names a directory only known when it runs');
    cwd = path.resolve(cwd, d);
  }
  const rest = args.slice(g.firstPositional + 1);
  const words = (ws: Word[]) => ws.filter((w) => !(w.value ?? '').startsWith('-') || w.value === '-');
  const flag = (...names: string[]) => rest.some((w) => w.value !== null && names.some((n) => w.value === n || (n.startsWith('--') && w.value!.startsWith(`${n}=`)) || (/^-[a-zA-Z]$/.test(n) && /^-[a-zA-Z]+$/.test(w.value!) && w.value!.includes(n[1]))));
  const pathsOf = (ws: Word[]): string[] | null => {
    const out: string[] = [];
    for (const w of ws) {
      if (w.value === null) return null;
      // Pathspec magic (:(glob), :/) reaches beyond a plain path: the whole tree, to be safe.
      if (w.value.startsWith(':')) return [cwd];
      // A pathspec with glob characters matches at any depth below where it starts: that whole directory.
      if (/[*?[]/.test(w.value)) {
        out.push(path.resolve(cwd, w.value.split('/').filter((c, i, all) => !all.slice(0, i + 1).some((x) => /[*?[]/.test(x))).join('/') || '.'));
        continue;
      }
      out.push(path.resolve(cwd, w.value));
    }
    return out;
  };
  const git = (op: GitOp, extra: { paths?: string[]; branch?: string; all?: boolean; ignored?: boolean; refs?: string[] } = {}): LossQuestion => ({ ...base, kind: 'git', op, cwd, ...extra });
  /** The word after option `o` (checkout -B NAME), or undefined. */
  const valueOf = (...o: string[]) => {
    const i = rest.findIndex((w) => w.value !== null && o.includes(w.value));
    return i < 0 ? undefined : rest[i + 1];
  };
  const moved = (prefix: string, ws: (Word | undefined)[]): LossQuestion | null => {
    if (ws.some((w) => w === undefined)) return null;
    if (ws.some((w) => w!.value === null)) return unknown('the ref moved is only known when it runs');
    return ws.length ? git('ref-move', { refs: ws.map((w) => (w!.value!.startsWith('refs/') || prefix === '' ? w!.value! : `${prefix}${w!.value!}`)) }) : null;
  };
  switch (sub.value) {
    case 'checkout':
    case 'restore': {
      if (sub.value === 'checkout' && flag('-B')) return moved('refs/heads/', [valueOf('-B')]);
      const { before, after } = splitDashes(rest);
      // The value of -s/--source is a commit, not a path.
      const operands = words(before.filter((w, i) => !(sub.value === 'restore' && i > 0 && (before[i - 1].value === '-s' || before[i - 1].value === '--source'))));
      const force = flag('-f', '--force');
      if (flag('-h', '--help')) return null;
      if (sub.value === 'restore') {
        if (flag('--pathspec-from-file')) return unknown('the paths git restores are read from a file when it runs');
        // Without a pathspec git restore refuses to run.
        if ((after ?? operands).length === 0) return null;
        // --staged alone unstages: the work tree keeps its files (what goes is a staged version
        // that differs from the file on disk, which the rule does not ask about either).
        if (flag('-S', '--staged') && !flag('-W', '--worktree')) return null;
      }
      // From the index, a file's staged content stays; --staged --worktree, or checkout from a
      // commit, replace the index too. restore -s writes the work tree only: the index keeps what was staged.
      // Without `--`, `git checkout src/a.ts` (or `git checkout main src/a.ts`) is a path when
      // no branch has the name: every operand is asked about as a path too. A branch name is a
      // path that holds nothing, so switching branches still loses nothing here.
      if (sub.value === 'checkout' && after === null && !force && flag('-b', '-B', '--orphan', '--detach')) return null;
      const fromTree = sub.value === 'restore' ? flag('-S', '--staged') : after !== null ? operands.length > 0 : operands.length > 1;
      let specs: Word[] | null = after ?? (sub.value === 'restore' || !force ? operands : operands.filter((w) => w.value === '.' || w.glob));
      if (sub.value === 'checkout' && after === null && operands.some((w) => w.value === null)) return unknown('git checkout of a name only known when it runs');
      if (specs.length === 0) specs = null;
      if (specs === null && !force && sub.value === 'checkout') return null; // switching branches carries local changes along, or refuses
      const paths = specs ? pathsOf(specs) : undefined;
      if (paths === null) return unknown('a path given to git is only known when it runs');
      // With a source (or the index replaced too) staged content goes as well as unstaged edits.
      return git(fromTree || force ? 'reset-hard' : 'checkout-all', paths ? { paths } : {});
    }
    case 'switch': {
      // -C NAME resets NAME to the start point: what only it reached loses its name.
      const reset = flag('-C', '--force-create') ? moved('refs/heads/', [valueOf('-C', '--force-create')]) : null;
      const discard = flag('-f', '--force', '--discard-changes') ? git('checkout-all') : null;
      return reset && discard ? [reset, discard] : (reset ?? discard);
    }
    case 'reset': {
      if (!flag('--hard', '--merge', '--keep')) return null;
      const { before, after } = splitDashes(rest);
      const target = words(before);
      // Moving the branch to another commit leaves the commits after it on no branch: not a working-tree question.
      if (target.some((w) => w.value !== 'HEAD' && w.value !== '@')) return unknown('git reset moves the branch: the commits it leaves behind are not judged by the working tree');
      const paths = after ? pathsOf(after) : undefined;
      if (paths === null) return unknown('a path given to git is only known when it runs');
      return git('reset-hard', paths ? { paths } : {});
    }
    case 'clean': {
      if (flag('-n', '--dry-run') || !flag('-f', '--force')) return null;
      const { before, after } = splitDashes(rest);
      const specs = [...words(before).filter((w) => !['-e', '--exclude'].includes(w.value ?? '')), ...(after ?? [])];
      // -x/-X delete ignored files too: build output, unless the agent changed what is ignored.
      const ignored = flag('-x', '-X');
      if (rest.some((w) => w.value === '-e' || w.value?.startsWith('--exclude'))) return git('clean', { ignored }); // the whole tree: excludes only narrow it
      const paths = specs.length ? pathsOf(specs) : undefined;
      if (paths === null) return unknown('a path given to git is only known when it runs');
      return git('clean', { ...(paths ? { paths } : {}), ignored });
    }
    case 'stash': {
      const verb = rest.find((w) => !(w.value ?? '').startsWith('-'));
      if (verb?.value === 'clear') return git('stash-drop', { all: true });
      if (verb?.value === 'drop') return git('stash-drop');
      if (verb === undefined || verb.value === 'push' || verb.value === 'save')
        return flag('-h', '--help') ? null : git('stash-push', { all: flag('-u', '--include-untracked', '-a', '--all') });
      return null;
    }
    case 'commit':
    case 'merge':
    case 'cherry-pick':
    case 'revert':
    case 'am':
      // Each makes commits a later `git branch -D` on the same line could leave on no branch;
      // --abort discards the operation in progress.
      if (flag('--abort')) return git('reset-hard');
      return flag('-h', '--help') ? null : git('commit');
    case 'add':
      return flag('-h', '--help', '-n', '--dry-run') ? null : git('add');
    case 'rm': {
      // git rm refuses to remove a file with changes unless forced; --cached leaves the work
      // tree alone, and what it drops from the index without -f is only a copy of HEAD or of
      // the file on disk. Forced, the changes (or, with --cached, a staged version differing
      // from both) are gone.
      if (!flag('-f', '--force')) return null;
      const { before, after } = splitDashes(rest);
      const specs = [...words(before), ...(after ?? [])];
      if (specs.length === 0) return null;
      const paths = pathsOf(specs);
      if (paths === null) return unknown('a path given to git is only known when it runs');
      return flag('--cached') ? git('reset-hard', { paths }) : { ...base, kind: 'paths', paths };
    }
    case 'tag': {
      // A tag deleted or moved by force no longer keeps its commits: those only it reached are gone.
      if (flag('-d', '--delete')) return moved('refs/tags/', words(rest));
      // -f NAME [COMMIT]; a message's words may be among them: each is asked as a tag (a name no tag has reaches nothing).
      if (flag('-f', '--force')) return moved('refs/tags/', words(rest));
      return null;
    }
    case 'update-ref': {
      // -d and --stdin are asked by their rule; moving a ref by hand leaves its commits behind.
      if (flag('-d', '--stdin')) return null;
      const ws = words(rest);
      return ws.length >= 2 ? moved('', [ws[0]]) : null;
    }
    case 'branch': {
      const del = flag('-D') || (flag('-d', '--delete') && flag('-f', '--force'));
      if (!del) {
        const ws = words(rest);
        // -f NAME START moves NAME; -M/-C OLD NEW (or NEW alone) replace NEW.
        if (flag('-M', '-C') || (flag('-m', '-c', '--move', '--copy') && flag('-f', '--force'))) return moved('refs/heads/', [ws[ws.length - 1]]);
        if (flag('-f', '--force') && ws.length) return moved('refs/heads/', [ws[0]]);
        return null;
      }
      const names = words(rest);
      if (names.length === 0) return null;
      if (names.some((w) => w.value === null)) return unknown('the branch is only known when it runs');
      // Commits shared by the branches deleted together count as "elsewhere" for each one alone:
      // the state counts per branch, so several at once are judged by the rule.
      if (names.length > 1) return unknown('several branches deleted at once are judged by the rule');
      return git('branch-delete', { branch: names[0].value! });
    }
    case 'mv': {
      // git mv refuses to replace an existing file unless forced; forced, the file there is gone.
      if (!flag('-f', '--force')) return null;
      const { before, after } = splitDashes(rest);
      const ops = [...words(before), ...(after ?? [])];
      if (ops.length < 2) return null;
      const paths = pathsOf(ops);
      if (paths === null) return unknown('a path given to git is only known when it runs');
      return { ...base, kind: 'into', dest: [paths[paths.length - 1]], sources: ops.slice(0, -1).map((w) => w.value!) };
    }
    case 'worktree': {
      const ws = words(rest);
      if (ws[0]?.value !== 'remove' || !flag('-f', '--force')) return null;
      const dir = ws[1];
      if (!dir || dir.value === null) return unknown('the worktree is only known when it runs');
      const p = path.resolve(cwd, dir.value);
      return { ...base, kind: 'paths', paths: [p] };
    }
    case 'rebase':
      return flag('--abort') ? git('reset-hard') : null;
    default:
      return null;
  }
}
