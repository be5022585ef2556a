// Package runners: npx (npm exec), pnpx and pnpm dlx, bunx (bun x), yarn dlx, uvx (uv tool
// run) and pipx run. Each runs a program from a package: a local bin of the project when one
// is installed (npx, bunx, npm exec), else a package fetched from the registry by name and
// run at once, which rules/packages/package-download-run.yaml asks about. What the program is
// given (its argv, or a shell string with -c/--call) is analysed like any command.
import type { Word } from '../shell/types.js';
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { joinWords, lit, scriptRuns, unknownOptions } from './words.js';

/** npm-exec(1), npm 10 (npx is `npm exec`): its own options and the npm config options it is usually given. */
const NPX: OptionSpec = {
  takesValue: ['-p', '--package', '-c', '--call', '-w', '--workspace', '--prefix', '--registry', '--loglevel', '--cache', '--userconfig', '--script-shell', '--node-options', '--color'],
  flags: [
    '-y', '--yes', '--no', '--no-yes', '-ws', '--workspaces', '--include-workspace-root', '-q', '--quiet', '-s', '--silent', '-d', '--verbose', '--offline', '--prefer-offline', '--prefer-online', '--ignore-scripts', '--foreground-scripts', '--legacy-peer-deps', '-f', '--force', '--no-color', '-h', '--help', '-v', '--version',
  ],
  complete: true,
  // npx reads options up to the command; everything after it is the command's.
  stopAtPositional: true,
};

/**
 * For rules: the package npx fetches is its "subcommand". With -p PKG (separate) that is the
 * word after -p, so -p is read as a flag here; --package=PKG is matched by its text.
 */
const NPX_PACKAGE: OptionSpec = { ...NPX, takesValue: NPX.takesValue!.filter((o) => o !== '-p' && o !== '--package'), flags: [...NPX.flags!, '-p', '--package'] };

/** pnpm dlx (pnpx): --package names what to fetch; -c/--shell-mode runs the command through a shell. */
const PNPM_DLX: OptionSpec = {
  takesValue: ['--package', '--allow-build', '--reporter', '--loglevel', '-C', '--dir'],
  flags: ['-c', '--shell-mode', '-s', '--silent', '-h', '--help', '-v', '--version'],
  complete: true,
  stopAtPositional: true,
};

/** bunx / bun x. */
const BUNX: OptionSpec = { takesValue: ['-p', '--package'], flags: ['--bun', '--no-install', '--verbose', '--silent', '-h', '--help', '-v', '--version'], complete: true, stopAtPositional: true };
const BUNX_PACKAGE: OptionSpec = { ...BUNX, takesValue: [], flags: [...BUNX.flags!, '-p', '--package'] };

/** The command a runner's operands name: its argv, or a shell string. */
function command(program: string, args: readonly Word[], spec: OptionSpec, shellFlags: readonly string[], callOptions: readonly string[]): Run[] {
  const o = parseOptions(args, spec);
  if (o.unknown.length) return unknownOptions(program, o.unknown);
  const calls = callOptions.flatMap((c) => o.values.get(c) ?? []);
  if (calls.length) return scriptRuns(calls, `${program} -c`);
  if (!o.positionals.length) return [];
  if (o.flags.some((f) => shellFlags.includes(f))) return [{ kind: 'script', script: joinWords(o.positionals) }];
  return [{ kind: 'argv', argv: o.positionals }];
}

export const npx: ProgramSpec = {
  names: ['npx'],
  options: NPX,
  global: NPX_PACKAGE,
  runs: (args) => command('npx', args, NPX, [], ['-c', '--call']),
};

export const pnpx: ProgramSpec = {
  names: ['pnpx'],
  options: PNPM_DLX,
  global: PNPM_DLX,
  runs: (args) => command('pnpx', args, PNPM_DLX, ['-c', '--shell-mode'], []),
};

export const bunx: ProgramSpec = {
  names: ['bunx'],
  options: BUNX,
  global: BUNX_PACKAGE,
  runs: (args) => command('bunx', args, BUNX, [], []),
};

/**
 * uvx (uv tool run) and pipx run fetch a Python package and run its entry point: what runs is
 * the package's code, never a command of this machine's, so nothing inside is analysed.
 */
export const uvx: ProgramSpec = {
  names: ['uvx'],
  options: { takesValue: ['--from', '--with', '--with-editable', '--with-requirements', '-p', '--python', '--index', '--default-index', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '--cache-dir', '--env-file', '--constraints', '--overrides', '--build-constraints', '--directory', '--project', '--config-file', '--python-preference', '--color', '--refresh-package', '--upgrade-package', '-P', '--reinstall-package', '--resolution', '--prerelease', '--exclude-newer', '--link-mode', '--index-strategy', '--keyring-provider', '--allow-insecure-host', '--torch-backend'], stopAtPositional: true },
};

/**
 * `npm exec …` / `npm x …` is npx, `bun x …` is bunx, `pnpm dlx …` is pnpx; `pnpm exec` and
 * `yarn exec` run a bin of the project (or a shell command) and never fetch. Called by the
 * package managers' declaration (src/programs/npm.ts) with the words after the subcommand.
 */
export function managerRuns(program: string, sub: string, rest: readonly Word[]): Run[] | null {
  if (program === 'npm' && (sub === 'exec' || sub === 'x')) return [{ kind: 'argv', argv: [lit('npx'), ...rest] }];
  if (program === 'bun' && sub === 'x') return [{ kind: 'argv', argv: [lit('bunx'), ...rest] }];
  if (program === 'pnpm' && sub === 'dlx') return [{ kind: 'argv', argv: [lit('pnpx'), ...rest] }];
  if (program === 'yarn' && sub === 'dlx') return command('yarn dlx', rest, { takesValue: ['-p', '--package'], flags: ['-q', '--quiet'], complete: true, stopAtPositional: true }, [], []);
  if (program === 'pnpm' && sub === 'exec') {
    const o = parseOptions(rest, { takesValue: ['--filter', '-F', '--resume-from', '--workspace-concurrency', '--reporter', '-C', '--dir'], stopAtPositional: true });
    if (!o.positionals.length) return [];
    return o.flags.includes('-c') || o.flags.includes('--shell-mode') ? [{ kind: 'script', script: joinWords(o.positionals) }] : [{ kind: 'argv', argv: o.positionals }];
  }
  if (program === 'yarn' && sub === 'exec') return rest.length ? [{ kind: 'script', script: joinWords(rest) }] : [];
  return null;
}

export const programs = [npx, pnpx, bunx, uvx];
