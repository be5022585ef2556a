// System service tools (systemctl, kill, crontab): their options, so that option values are
// not read as units, processes or files. What they may change is in the rules (rules/privilege,
// rules/persistence). Container engines are containers.ts; the other service CLIs have a module
// per family (cloud, databases, kubernetes, forges).
import { cli } from './cli.js';
import type { ProgramSpec } from './types.js';

const SYSTEMCTL = ['-H', '--host', '-M', '--machine', '-t', '--type', '-p', '--property', '-s', '--signal', '--state', '--root', '-n', '--lines', '-o', '--output'];
export const systemctl = cli(['systemctl'], SYSTEMCTL, { takesValue: SYSTEMCTL });
export const kill: ProgramSpec = { names: ['kill', 'pkill', 'killall'], options: { takesValue: ['-s', '-n', '--signal', '-u', '-U', '-g', '-G', '-P', '-t', '--ns'] }, dataOnly: true };
export const crontab = cli(['crontab'], ['-u']);

export const programs = [systemctl, kill, crontab];
