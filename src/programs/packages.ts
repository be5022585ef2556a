// Language package managers other than npm's family (src/programs/npm.ts): their options,
// and where pip writes outside the project (uv shares pip's, in src/programs/devenvs.ts).
import type { ProgramSpec } from './types.js';

const PIP_VALUES = ['-r', '--requirement', '-c', '--constraint', '-t', '--target', '--prefix', '--root', '-i', '--index-url', '--extra-index-url', '-e', '--editable', '--python', '--src', '--cache-dir', '--log', '--proxy', '--trusted-host', '-f', '--find-links', '--platform', '--python-version', '--implementation', '--abi', '--upgrade-strategy', '--progress-bar', '--report', '--config-settings', '-C', '--global-option', '--only-binary', '--no-binary'];

export const pip: ProgramSpec = {
  names: ['pip', 'pip3', 'pip3.8', 'pip3.9', 'pip3.10', 'pip3.11', 'pip3.12', 'pip3.13', 'pip3.14'],
  // pip config --global/--user/--site name a file; without them --global would read as a prefix of --global-option.
  options: { takesValue: [...PIP_VALUES, '--editor'], flags: ['--global', '--user', '--site', '--isolated', '--require-virtualenv'] },
  effects(a, out) {
    const sub = a.opts.positionals[0]?.value;
    const install = sub === 'install' || (a.program === 'uv' && sub === 'pip' && a.opts.positionals[1]?.value === 'install');
    if (!install) return;
    if (a.opts.flags.includes('--user')) out.writes.push({ value: '~/.local/lib/python', raw: '~/.local/lib/python', glob: false });
    for (const w of a.values(['-t', '--target', '--prefix', '--root'])) out.writes.push(w);
    for (const w of a.values(['-r', '--requirement', '-c', '--constraint'])) out.reads.push(w);
  },
};

export const cargo: ProgramSpec = {
  names: ['cargo'],
  options: { takesValue: ['--manifest-path', '-Z', '--config', '--color', '-C', '--target-dir', '-p', '--package', '--registry', '--token', '--features', '-F', '--bin', '--example', '--test', '--bench', '-j', '--jobs', '--target', '--profile', '--index', '--git', '--branch', '--tag', '--rev', '--path', '--root', '--vers', '--version'] },
  global: { takesValue: ['--manifest-path', '-Z', '--config', '--color', '-C', '--target-dir', '-p', '--package', '--registry', '--token'], stopAtPositional: true },
};

export const go: ProgramSpec = { names: ['go'], options: { takesValue: ['-C', '-o', '-p', '-tags', '-ldflags', '-gcflags', '-run', '-bench', '-count', '-timeout', '-mod', '-modfile', '-overlay', '-pkgdir', '-toolexec', '-exec'], singleDashLong: true } };

export const programs = [pip, cargo, go];
