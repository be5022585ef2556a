// Code-hosting CLIs (gh): their options, so that -R owner/repo is not read as a subcommand.
// What they may delete, publish or reveal is in the rules.
import { cli } from './cli.js';

export const gh = cli(['gh'], ['-R', '--repo', '-t', '--title', '-b', '--body', '-F', '--body-file', '--notes', '-n', '--base', '-B', '--head', '-H', '-L', '--limit', '-l', '--label', '-a', '--assignee', '--json', '-q', '--jq', '-X', '--method', '-f', '--raw-field', '--field'], { takesValue: ['-R', '--repo'] });

export const programs = [gh];
