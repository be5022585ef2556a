// Option normalisation: bundled short flags (-rf = -r -f), --opt=value, and the
// positional words of a command, skipping the values of options known to take one.
import type { Word } from './types.js';

export interface ParsedOptions {
  /** Normalised flags: '-r', '-f', '--recursive' (long flags without their =value). */
  flags: string[];
  /** Values of options, keyed by the flag as written ('-o', '--output'). */
  values: Map<string, (string | null)[]>;
  /** Non-option words, in order ("--" ends the options). */
  positionals: Word[];
}

export interface OptionSpec {
  /** Options whose value is the next word (or attached: -ofile, --output=file). */
  takesValue?: readonly string[];
  /** Programs whose options are single-dash words (find -name, dd if=): no bundling. */
  singleDashLong?: boolean;
  /** Stop at the first positional (git-style global options before the subcommand). */
  stopAtPositional?: boolean;
}

export function parseOptions(args: readonly Word[], spec: OptionSpec = {}): ParsedOptions {
  const flags: string[] = [];
  const values = new Map<string, (string | null)[]>();
  const positionals: Word[] = [];
  const takes = new Set(spec.takesValue ?? []);
  const addValue = (flag: string, v: string | null) => {
    const list = values.get(flag);
    if (list) list.push(v);
    else values.set(flag, [v]);
  };
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    const v = w.value;
    if (v === null || v === '-' || !v.startsWith('-') || v.length < 2) {
      positionals.push(w);
      if (spec.stopAtPositional) {
        // A loop, not push(...): a command may have more words than a call takes arguments.
        for (let j = i + 1; j < args.length; j++) positionals.push(args[j]);
        break;
      }
      continue;
    }
    if (v === '--') {
      for (let j = i + 1; j < args.length; j++) positionals.push(args[j]);
      break;
    }
    if (v.startsWith('--') || spec.singleDashLong) {
      const eq = v.indexOf('=');
      const name = eq >= 0 ? v.slice(0, eq) : v;
      flags.push(name);
      if (eq >= 0) addValue(name, v.slice(eq + 1));
      else if (takes.has(name)) addValue(name, args[++i]?.value ?? null);
      continue;
    }
    // Short cluster: -rf, -ofile, -C dir.
    for (let j = 1; j < v.length; j++) {
      const f = '-' + v[j];
      flags.push(f);
      if (takes.has(f)) {
        if (j + 1 < v.length) addValue(f, v.slice(j + 1));
        else addValue(f, args[++i]?.value ?? null);
        break;
      }
    }
  }
  return { flags, values, positionals };
}

/** True if a written long flag is the rule's flag or an unambiguous-looking prefix of it (GNU getopt, git parse-options). */
export function longFlagMatches(written: string, wanted: string): boolean {
  if (written === wanted) return true;
  return written.length >= 3 && wanted.startsWith(written);
}

/** All values given to any of the named options (last one wins for most tools, so keep all). */
export function optionValues(opts: ParsedOptions, names: readonly string[]): (string | null)[] {
  const out: (string | null)[] = [];
  for (const n of names) {
    for (const [k, vs] of opts.values) if (k === n || (n.startsWith('--') && longFlagMatches(k, n))) for (const v of vs) out.push(v);
  }
  return out;
}

export function hasFlag(opts: ParsedOptions, names: readonly string[]): boolean {
  return opts.flags.some((f) => names.some((n) => (n.startsWith('--') ? longFlagMatches(f, n) : f === n)));
}

/**
 * Options that take a value, per program (global and subcommand options together), so
 * that their values are not read as positional words or as bundled flags.
 */
export const PROGRAM_OPTIONS: Record<string, readonly string[]> = {
  cp: ['-t', '--target-directory', '-S', '--suffix'],
  mv: ['-t', '--target-directory', '-S', '--suffix'],
  ln: ['-t', '--target-directory', '-S', '--suffix'],
  install: ['-t', '--target-directory', '-m', '--mode', '-o', '--owner', '-g', '--group', '-S', '--suffix'],
  rsync: ['-e', '--rsh', '--exclude', '--include', '--filter', '-f', '--exclude-from', '--include-from', '--files-from', '--chmod', '--chown', '--log-file', '-T', '--temp-dir', '--partial-dir', '--backup-dir'],
  sed: ['-e', '--expression', '-f', '--file', '-l', '--line-length'],
  tar: ['-C', '--directory', '-f', '--file', '-T', '--files-from', '-X', '--exclude-from', '--exclude', '-b', '-H', '--format', '--transform', '--strip-components', '--owner', '--group', '--mode'],
  unzip: ['-d', '-x', '-P'],
  curl: ['-o', '--output', '-d', '--data', '--data-binary', '--data-raw', '--data-urlencode', '--data-ascii', '-F', '--form', '-T', '--upload-file', '-H', '--header', '-X', '--request', '-u', '--user', '-A', '--user-agent', '-e', '--referer', '-b', '--cookie', '-c', '--cookie-jar', '-K', '--config', '-w', '--write-out', '--output-dir', '-m', '--max-time', '--connect-timeout', '-x', '--proxy', '-r', '--range', '-E', '--cert', '--key', '--cacert', '--retry', '-Y', '-y', '-z', '--resolve', '--json'],
  wget: ['-O', '--output-document', '-P', '--directory-prefix', '-o', '--output-file', '-a', '--append-output', '--post-file', '--post-data', '--body-file', '--header', '-U', '--user-agent', '-e', '--execute', '-T', '--timeout', '-t', '--tries', '-i', '--input-file', '--user', '--password', '--load-cookies', '--save-cookies'],
  truncate: ['-s', '--size', '-r', '--reference'],
  chmod: ['--reference'],
  chown: ['--reference', '--from'],
  sort: ['-o', '--output', '-k', '--key', '-t', '--field-separator', '-T', '--temporary-directory', '-S', '--buffer-size'],
  git: ['-C', '-c', '--git-dir', '--work-tree', '-b', '--branch', '-o', '--origin', '--depth', '--reference', '--template', '--separate-git-dir', '--config', '-j', '--jobs', '--filter', '-m', '-F'],
  mkdir: ['-m', '--mode'],
  touch: ['-d', '--date', '-r', '--reference', '-t'],
  mktemp: ['-p', '--tmpdir', '--suffix'],
  split: ['-b', '-l', '-n', '-a', '-d'],
  npm: ['--prefix', '-w', '--workspace', '--registry', '--tag', '--otp'],
  pip: ['-r', '--requirement', '-c', '--constraint', '-t', '--target', '--prefix', '--root', '-i', '--index-url', '--extra-index-url', '-e', '--editable'],
  zip: ['-x', '-i', '-b'],
  patch: ['-p', '-i', '--input', '-o', '--output', '-d', '--directory', '-r', '--reject-file'],
  scp: ['-P', '-i', '-o', '-F', '-S', '-c', '-l', '-J'],
  ssh: ['-p', '-i', '-o', '-F', '-l', '-L', '-R', '-D', '-J', '-c', '-E', '-S', '-W', '-b', '-e', '-m', '-O', '-Q', '-w', '-B'],
  grep: ['-e', '--regexp', '-f', '--file', '-m', '--max-count', '-A', '-B', '-C', '--include', '--exclude', '--exclude-dir', '--color', '--colour', '-d', '-D', '--label'],
  rg: ['-e', '--regexp', '-f', '--file', '-g', '--glob', '-t', '--type', '-T', '--type-not', '-m', '--max-count', '-A', '-B', '-C', '--color', '-j', '--threads', '-M', '--max-columns', '--max-depth', '--iglob', '-r', '--replace', '--sort', '--sortr'],
  head: ['-n', '--lines', '-c', '--bytes'],
  tail: ['-n', '--lines', '-c', '--bytes', '-s', '--sleep-interval', '--pid'],
  awk: ['-F', '-v', '-f'],
  jq: ['--arg', '--argjson', '--slurpfile', '--rawfile', '--indent', '-f', '--from-file'],
  pip3: ['-r', '--requirement', '-c', '--constraint', '-t', '--target', '--prefix', '--root', '-i', '--index-url', '--extra-index-url', '-e', '--editable'],
  pnpm: ['-C', '--dir', '--filter', '-F', '--registry', '-w'],
  yarn: ['--cwd', '--registry'],
  cargo: ['--manifest-path', '-Z', '--config', '--color', '-C', '--target-dir', '-p', '--package', '--registry', '--token', '--features', '-F', '--bin', '--example', '--test', '--bench', '-j', '--jobs', '--target', '--profile'],
  go: [],
  kubectl: ['-n', '--namespace', '--context', '--cluster', '--user', '-s', '--server', '--kubeconfig', '--token', '--as', '-l', '--selector', '-o', '--output', '-f', '--filename', '--grace-period', '--timeout', '-c', '--container'],
  helm: ['-n', '--namespace', '--kube-context', '--kubeconfig', '--timeout', '-f', '--values', '--set', '--version'],
  docker: ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level', '-f', '--filter', '--format', '-e', '--env', '-v', '--volume', '-p', '--publish', '-w', '--workdir', '--name', '--network', '-u', '--user', '--entrypoint', '-t', '--tag', '--platform', '--until'],
  aws: ['--profile', '--region', '--output', '--endpoint-url', '--query', '--cli-input-json', '--color'],
  gcloud: ['--project', '--account', '--configuration', '--format', '--verbosity', '--zone', '--region'],
  az: ['--subscription', '-g', '--resource-group', '-o', '--output', '--query', '-n', '--name'],
  gh: ['-R', '--repo', '-t', '--title', '-b', '--body', '-F', '--body-file', '--notes', '-n', '--base', '-B', '--head', '-H', '-L', '--limit', '-l', '--label', '-a', '--assignee', '--json', '-q', '--jq'],
  psql: ['-c', '--command', '-d', '--dbname', '-h', '--host', '-p', '--port', '-U', '--username', '-f', '--file', '-v', '--set', '-o', '--output'],
  mysql: ['-e', '--execute', '-u', '--user', '-h', '--host', '-P', '--port', '-D', '--database'],
  mariadb: ['-e', '--execute', '-u', '--user', '-h', '--host', '-P', '--port', '-D', '--database'],
  'redis-cli': ['-h', '-p', '-a', '-n', '-u', '-s', '--user', '--pass'],
  nc: ['-p', '-s', '-w', '-i', '-q', '-X', '-x', '-e', '-c'],
  ncat: ['-p', '-s', '-w', '-i', '-e', '--exec', '-c', '--sh-exec', '--lua-exec'],
  systemctl: ['-H', '--host', '-M', '--machine', '-t', '--type', '-p', '--property', '-s', '--signal'],
  kill: ['-s', '-n'],
  crontab: ['-u'],
  cat: [],
};

/** Global options that take a value, per program, so that the subcommand is found after them. */
export const GLOBAL_OPTION_SPECS: Record<string, OptionSpec> = {
  git: {
    takesValue: ['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--config-env', '--exec-path', '--list-cmds'],
    stopAtPositional: true,
  },
  docker: { takesValue: ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey'], stopAtPositional: true },
  podman: { takesValue: ['--connection', '-c', '--url', '--root', '--runroot', '--log-level'], stopAtPositional: true },
  kubectl: {
    takesValue: ['-n', '--namespace', '--context', '--cluster', '--user', '-s', '--server', '--kubeconfig', '--token', '--as', '-l', '--selector', '-o', '--output', '-f', '--filename', '--grace-period', '--timeout', '-c', '--container'],
  },
  helm: { takesValue: ['-n', '--namespace', '--kube-context', '--kubeconfig', '--timeout', '-f', '--values', '--set', '--version'] },
  npm: { takesValue: ['--prefix', '-w', '--workspace', '--registry', '--userconfig', '--cache', '--tag', '--otp', '--access', '-C'] },
  pnpm: { takesValue: ['-C', '--dir', '--filter', '-F', '--registry', '-w'] },
  yarn: { takesValue: ['--cwd', '--registry'] },
  cargo: { takesValue: ['--manifest-path', '-Z', '--config', '--color', '-C', '--target-dir', '-p', '--package', '--registry', '--token'] },
  aws: { takesValue: ['--profile', '--region', '--output', '--endpoint-url', '--query', '--cli-input-json', '--color'] },
  gcloud: { takesValue: ['--project', '--account', '--configuration', '--format', '--verbosity', '--zone', '--region'] },
  az: { takesValue: ['--subscription', '-g', '--resource-group', '-o', '--output', '--query', '-n', '--name'] },
  terraform: { singleDashLong: true },
  tofu: { singleDashLong: true },
  gh: { takesValue: ['-R', '--repo'] },
  systemctl: { takesValue: ['-H', '--host', '-M', '--machine', '-t', '--type', '-p', '--property', '-s', '--signal'] },
  'redis-cli': { takesValue: ['-h', '-p', '-a', '-n', '-u', '-s', '--user', '--pass'] },
};
