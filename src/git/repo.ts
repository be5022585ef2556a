// Finding the repository a path belongs to, without starting git: walk up for `.git`
// (a directory, or a file `gitdir: …` in a linked worktree or a submodule) and read
// `commondir` for a worktree's shared refs. GIT_DIR and friends are deliberately not
// read: the agent's environment must not choose which repository is judged.
import fs from 'node:fs';
import path from 'node:path';

export interface Repo {
  /** the work tree's top directory */
  root: string;
  /** this work tree's git directory (HEAD, index): `<root>/.git` or `<common>/worktrees/<name>` */
  gitDir: string;
  /** the directory holding refs, objects, config and the stash (equals gitDir outside linked worktrees) */
  commonDir: string;
}

/** Whether `dir` looks like a git directory (HEAD plus objects or a commondir pointer). */
function isGitDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'HEAD')) && (fs.existsSync(path.join(dir, 'objects')) || fs.existsSync(path.join(dir, 'commondir')));
}

/** The git directory named by a `.git` entry at `dotGit`, or null when it names none. */
function gitDirOf(dotGit: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dotGit);
  } catch {
    return null;
  }
  if (st.isDirectory()) return isGitDir(dotGit) ? dotGit : null;
  if (!st.isFile() || st.size > 4096) return null;
  const m = /^gitdir: (.+?)\r?\n?$/.exec(fs.readFileSync(dotGit, 'utf8'));
  if (!m) return null;
  const dir = path.resolve(path.dirname(dotGit), m[1]);
  return isGitDir(dir) ? dir : null;
}

/** The work tree root and git directories for `p` (a file or directory, existing or not), or null outside any repository. */
export function repoOf(p: string): Repo | null {
  let dir = path.resolve(p);
  // A path that does not exist yet (or a file) is judged by its closest existing directory.
  for (;;) {
    try {
      if (fs.statSync(dir).isDirectory()) break;
    } catch {
      /* climb */
    }
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  for (;;) {
    const gitDir = gitDirOf(path.join(dir, '.git'));
    if (gitDir) {
      let commonDir = gitDir;
      try {
        commonDir = path.resolve(gitDir, fs.readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim());
      } catch {
        /* not a linked worktree */
      }
      return { root: dir, gitDir, commonDir };
    }
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}
