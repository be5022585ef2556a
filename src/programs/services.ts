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
// Process managers that keep programs running past the session (rules/persistence/service-autostart).
export const pm2 = cli(['pm2'], ['-n', '--name', '-i', '--instances', '--env', '-u', '--user', '--hp', '--service-name', '-o', '--output', '-e', '--error', '-l', '--log', '--cwd', '--interpreter', '--max-memory-restart', '--lines'], { takesValue: ['--hp', '-u', '--user'] });
export const loginctl = cli(['loginctl'], ['-H', '--host', '-M', '--machine', '-p', '--property', '-n', '--lines', '-o', '--output'], { takesValue: ['-H', '--host', '-M', '--machine', '-p', '--property'] });

export const programs = [systemctl, kill, crontab, pm2, loginctl];
