// Project environment runners: they run a command inside a project's environment (a
// virtualenv, a bundle, a conda or nix environment, extra variables): uv run, poetry run,
// pipenv run, bundle exec, conda/mamba/micromamba run, nix-shell --run, nix develop/shell -c,
// direnv exec, corepack pnpm|yarn, rustup run, cross-env, dotenv, env-cmd. The command is analysed like any other.
import type { Word } from '../shell/types.js';
import { parseOptions, type OptionSpec } from './options.js';
import { pip } from './packages.js';
import type { ProgramSpec, Run } from './types.js';
import { joinWords, lit, mayReadFiles, runner, unknownOptions } from './words.js';

/** uv's global options (before the subcommand): clap, so `--opt value` or `--opt=value`. */
const UV_GLOBAL = ['--directory', '--project', '--cache-dir', '--color', '--config-file', '--python-preference', '--allow-insecure-host'];
/** `uv run` options (uv 0.5–0.7). */
const UV_RUN: OptionSpec = {
  takesValue: [
    ...UV_GLOBAL, '--extra', '--group', '--only-group', '--no-group', '--with', '--with-editable', '--with-requirements', '--package', '-p', '--python', '--env-file', '--index', '--default-index', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '--index-strategy', '--keyring-provider', '--resolution', '--prerelease', '--exclude-newer', '--link-mode', '-P', '--upgrade-package', '--reinstall-package', '--refresh-package', '--no-binary-package', '--no-build-package', '-C', '--config-setting', '--python-platform',
  ],
  flags: [
    '--all-extras', '--no-extra', '--no-dev', '--dev', '--only-dev', '--all-groups', '--no-default-groups', '-m', '--module', '-s', '--script', '--gui-script', '--isolated', '--active', '--no-active', '--no-sync', '--locked', '--frozen', '--no-project', '--no-env-file', '--all-packages', '--exact', '--inexact', '--no-editable', '--no-sources', '--offline', '--no-cache', '-n', '-q', '--quiet', '-v', '--verbose', '--no-progress', '--native-tls', '--no-config', '--no-python-downloads', '--managed-python', '--no-managed-python', '-U', '--upgrade', '--reinstall', '--refresh', '--no-build', '--no-binary', '--no-build-isolation', '--compile-bytecode', '-h', '--help',
  ],
  complete: true,
  stopAtPositional: true,
};

function uvRuns(args: readonly Word[]): Run[] {
  const g = parseOptions(args, { takesValue: UV_GLOBAL, stopAtPositional: true });
  if (g.positionals[0]?.value !== 'run') return [];
  const o = parseOptions(args.slice(g.firstPositional + 1), UV_RUN);
  if (o.unknown.length) return unknownOptions('uv run', o.unknown);
  const rest = o.positionals;
  if (!rest.length) return [];
  // uv run -m MODULE / uv run FILE.py: python runs it.
  if (o.flags.includes('-m') || o.flags.includes('--module')) return [{ kind: 'argv', argv: [lit('python'), lit('-m'), ...rest] }];
  if (o.flags.some((f) => f === '-s' || f === '--script') || /\.pyw?$/.test(rest[0].value ?? '')) return [{ kind: 'argv', argv: [lit('python'), ...rest] }];
  return [{ kind: 'argv', argv: rest }];
}

// global: so that `uv --directory pkg publish` has the subcommand publish.
export const uv: ProgramSpec = { ...pip, names: ['uv'], global: { takesValue: UV_GLOBAL }, runs: uvRuns };

/**
 * `TOOL [global options] SUB [sub options] COMMAND…`: the words after SUB's options (and an
 * optional `--`) are the command. Both tables are complete: an option they do not name makes
 * the command opaque.
 */
function subRunner(names: string[], sub: string, global: OptionSpec, subOptions: OptionSpec = {}): ProgramSpec {
  const g: OptionSpec = { ...global, complete: true, stopAtPositional: true };
  const s: OptionSpec = { ...subOptions, complete: true, stopAtPositional: true };
  const runs = (args: readonly Word[]): Run[] => {
    const o = parseOptions(args, g);
    if (o.positionals[0]?.value !== sub) return [];
    if (o.unknown.length) return unknownOptions(names[0], o.unknown);
    const r = parseOptions(args.slice(o.firstPositional + 1), s);
    if (r.unknown.length) return unknownOptions(`${names[0]} ${sub}`, r.unknown);
    return r.positionals.length ? [{ kind: 'argv', argv: r.positionals }] : [];
  };
  return { names, global: g, runs, effects: unlessRunning(runs) };
}

/** Other subcommands (poetry add, conda env create -f FILE): their words may name files they read. */
function unlessRunning(runs: (args: readonly Word[]) => Run[]): NonNullable<ProgramSpec['effects']> {
  return (a, out) => {
    if (!runs(a.args).length) mayReadFiles(a, out);
  };
}

export const poetry = subRunner(['poetry'], 'run', {
  takesValue: ['-C', '--directory', '-P', '--project'],
  flags: ['-h', '--help', '-q', '--quiet', '-V', '--version', '--ansi', '--no-ansi', '-n', '--no-interaction', '--no-plugins', '--no-cache', '-v', '--verbose'],
});
export const pipenv = subRunner(['pipenv'], 'run', {
  takesValue: ['--python', '--pypi-mirror'],
  flags: ['--where', '--venv', '--py', '--envs', '--rm', '--bare', '--man', '--support', '--site-packages', '--clear', '-q', '--quiet', '-v', '--verbose', '--version', '-h', '--help'],
});
export const bundle = subRunner(
  ['bundle', 'bundler'],
  'exec',
  { takesValue: ['-r', '--retry'], flags: ['--no-color', '-V', '--verbose', '-h', '--help', '-v', '--version'] },
  { takesValue: ['--gemfile'], flags: ['--keep-file-descriptors'] },
);

/** conda run [-n ENV | -p PREFIX] [--cwd DIR] … COMMAND. */
const CONDA_RUN: OptionSpec = { takesValue: ['-n', '--name', '-p', '--prefix', '--cwd'], flags: ['-v', '--verbose', '--dev', '--debug-wrapper-scripts', '--no-capture-output', '--live-stream', '-h', '--help'], complete: true, stopAtPositional: true };

const condaRuns = (args: readonly Word[]): Run[] => {
  if (args[0]?.value !== 'run') return [];
  const o = parseOptions(args.slice(1), CONDA_RUN);
  if (o.unknown.length) return unknownOptions('conda run', o.unknown);
  const cwd = o.values.get('--cwd')?.pop();
  if (cwd === null) return [{ kind: 'opaque', reason: 'conda run runs its command in a directory only known at run time' }];
  return o.positionals.length ? [{ kind: 'argv', argv: o.positionals, chdir: cwd === undefined ? undefined : lit(cwd) }] : [];
};

export const conda: ProgramSpec = { names: ['conda', 'mamba', 'micromamba'], runs: condaRuns, effects: unlessRunning(condaRuns) };

/** nix-shell --run/--command CMD (a shell string); nix develop/shell … -c/--command CMD ARGS… (an argv). */
const nixShellRuns = (args: readonly Word[]): Run[] => {
  const out: Run[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i].value === '--run' || args[i].value === '--command') {
      const c = args[i + 1];
      out.push(c ? { kind: 'script', script: c } : { kind: 'opaque', reason: 'nix-shell --run is given no command' });
    }
  }
  // Without --run, nix-shell runs the shellHook of shell.nix / default.nix: not read here.
  if (!out.length && !args.some((w) => w.value === '--pure' || w.value === '-p' || w.value === '--packages')) out.push({ kind: 'opaque', reason: 'nix-shell runs the shell of a nix expression agentguard does not read' });
  return out;
};

export const nixShell: ProgramSpec = { names: ['nix-shell'], runs: nixShellRuns, effects: unlessRunning(nixShellRuns) };

const nixRuns = (args: readonly Word[]): Run[] => {
  const sub = args.find((w) => !(w.value ?? '').startsWith('-'))?.value;
  if (sub !== 'develop' && sub !== 'shell') return [];
  const at = args.findIndex((w) => w.value === '-c' || w.value === '--command');
  return at >= 0 && at + 1 < args.length ? [{ kind: 'argv', argv: args.slice(at + 1) }] : [];
};

export const nix: ProgramSpec = { names: ['nix'], runs: nixRuns, effects: unlessRunning(nixRuns) };

/** direnv exec DIR COMMAND…: runs DIR's .envrc (bash, not read here) and then the command. */
const direnvRuns = (args: readonly Word[]): Run[] => {
  if (args[0]?.value !== 'exec' || args.length < 3) return [];
  return [
    { kind: 'opaque', reason: `direnv exec runs the .envrc of ${args[1].raw}, which agentguard does not read` },
    { kind: 'argv', argv: args.slice(2), chdir: args[1] },
  ];
};

export const direnv: ProgramSpec = { names: ['direnv'], runs: direnvRuns, effects: unlessRunning(direnvRuns) };

/** corepack pnpm@9 ARGS…: the package manager the project pins runs (corepack enable, use … run nothing). */
const COREPACK_MANAGER = /^(npm|npx|pnpm|pnpx|yarn|yarnpkg)(@.*)?$/;
const corepackRuns = (args: readonly Word[]): Run[] => {
  const first = args[0];
  if (!first) return [];
  if (first.value === null) return [{ kind: 'opaque', reason: `corepack runs a command only known at run time: ${first.raw}` }];
  const m = COREPACK_MANAGER.exec(first.value);
  return m ? [{ kind: 'argv', argv: [lit(m[1] === 'yarnpkg' ? 'yarn' : m[1]), ...args.slice(1)] }] : [];
};

export const corepack: ProgramSpec = { names: ['corepack'], runs: corepackRuns, effects: unlessRunning(corepackRuns) };

/** rustup run [--install] TOOLCHAIN COMMAND…: the command runs with that toolchain. */
const RUSTUP_GLOBAL: OptionSpec = { flags: ['-v', '--verbose', '-q', '--quiet', '-h', '--help', '-V', '--version'], complete: true, stopAtPositional: true };
const RUSTUP_RUN: OptionSpec = { flags: ['--install', '-h', '--help'], complete: true, stopAtPositional: true };
const rustupRuns = (args: readonly Word[]): Run[] => {
  const g = parseOptions(args, RUSTUP_GLOBAL);
  if (g.positionals[0]?.value !== 'run') return [];
  if (g.unknown.length) return unknownOptions('rustup', g.unknown);
  const o = parseOptions(args.slice(g.firstPositional + 1), RUSTUP_RUN);
  if (o.unknown.length) return unknownOptions('rustup run', o.unknown);
  const command = o.positionals.slice(1);
  return command.length ? [{ kind: 'argv', argv: command }] : [];
};

export const rustup: ProgramSpec = { names: ['rustup'], runs: rustupRuns, effects: unlessRunning(rustupRuns) };

/** cross-env VAR=value… COMMAND (argv); cross-env-shell joins its words for a shell. */
function crossEnv(shell: boolean): ProgramSpec {
  return {
    names: [shell ? 'cross-env-shell' : 'cross-env'],
    runs(args): Run[] {
      const assignments: Record<string, string | null> = {};
      let i = 0;
      for (; i < args.length; i++) {
        const v = args[i].value;
        if (v === null || !/^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) break;
        assignments[v.slice(0, v.indexOf('='))] = v.slice(v.indexOf('=') + 1);
      }
      const rest = args.slice(i);
      if (!rest.length) return [];
      return shell ? [{ kind: 'script', script: joinWords(rest) }] : [{ kind: 'argv', argv: rest, assignments }];
    },
  };
}

/** dotenv (dotenv-cli) and env-cmd: variables from files, then the command. */
const DOTENV: OptionSpec = { takesValue: ['-e', '-v', '-p', '-c'], flags: ['--debug', '--quiet', '--override', '-o', '-h', '--help'], complete: true, stopAtPositional: true };
const ENV_CMD: OptionSpec = { takesValue: ['-f', '--file', '-e', '--environments', '-r', '--rc-file'], flags: ['--fallback', '--no-override', '--silent', '--use-shell', '--expand-envs', '--verbose', '-h', '--help', '-v', '--version'], complete: true, stopAtPositional: true };

function envLoader(name: string, spec: OptionSpec, shellFlag?: string): ProgramSpec {
  return runner({
    names: [name],
    options: spec,
    run(o): Run[] {
      if (!o.positionals.length) return [];
      if (shellFlag && o.flags.includes(shellFlag)) return [{ kind: 'script', script: joinWords(o.positionals) }];
      return [{ kind: 'argv', argv: o.positionals }];
    },
    effects(a, out) {
      for (const v of a.values(['-e', '-f', '--file', '-r', '--rc-file'])) out.reads.push(v);
    },
  });
}

export const dotenv = envLoader('dotenv', DOTENV);
export const envCmd = envLoader('env-cmd', ENV_CMD, '--use-shell');

export const programs = [uv, poetry, pipenv, bundle, conda, nixShell, nix, direnv, corepack, rustup, crossEnv(false), crossEnv(true), dotenv, envCmd];
