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
        positionals.push(...args.slice(i + 1));
        break;
      }
      continue;
    }
    if (v === '--') {
      positionals.push(...args.slice(i + 1));
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
    for (const [k, vs] of opts.values) if (k === n || (n.startsWith('--') && longFlagMatches(k, n))) out.push(...vs);
  }
  return out;
}

export function hasFlag(opts: ParsedOptions, names: readonly string[]): boolean {
  return opts.flags.some((f) => names.some((n) => (n.startsWith('--') ? longFlagMatches(f, n) : f === n)));
}

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
