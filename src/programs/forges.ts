// Code-hosting CLIs (gh, glab): their options, so that -R owner/repo, --ref main or
// -f environment=production is not read as a subcommand or an operand.
// What they may delete, publish, change or reveal is in the rules (rules/cloud).
import { cli } from './cli.js';

export const gh = cli(
  ['gh'],
  ['-R', '--repo', '-t', '--title', '-b', '--body', '-F', '--body-file', '--notes', '-n', '--base', '-B', '--head', '-H', '-L', '--limit', '-l', '--label', '-a', '--assignee', '--json', '-q', '--jq', '-X', '--method', '-f', '--raw-field', '--field', '--input', '-e', '--env', '-o', '--org', '--app', '-v', '--visibility', '--ref', '--repos', '--template', '--hostname'],
  { takesValue: ['-R', '--repo', '--hostname'] },
);

export const glab = cli(
  ['glab'],
  ['-R', '--repo', '-g', '--group', '-t', '--title', '--description', '-X', '--method', '-f', '--field', '-F', '--raw-field', '-v', '--value', '--scope', '-e', '--environment-scope', '--ref', '-n', '--name'],
  { takesValue: ['-R', '--repo', '-g', '--group'] },
);

export const programs = [gh, glab];
