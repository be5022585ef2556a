// Cloud and infrastructure CLIs (aws, gcloud, az, terraform …): their global options, so that
// a value such as --profile prod is not read as a subcommand. What they may destroy or reveal
// is in the rules (rules/cloud).
import { cli } from './cli.js';
import type { ProgramSpec } from './types.js';

const AWS = ['--profile', '--region', '--output', '--endpoint-url', '--query', '--cli-input-json', '--color'];
export const aws = cli(['aws'], AWS, { takesValue: AWS });
const GCLOUD = ['--project', '--account', '--configuration', '--format', '--verbosity', '--zone', '--region'];
export const gcloud = cli(['gcloud', 'gsutil'], GCLOUD, { takesValue: GCLOUD });
const AZ = ['--subscription', '-g', '--resource-group', '-o', '--output', '--query', '-n', '--name'];
export const az = cli(['az'], AZ, { takesValue: AZ });
export const terraform: ProgramSpec = { names: ['terraform', 'tofu', 'terragrunt'], options: { singleDashLong: true }, global: { singleDashLong: true } };

export const programs = [aws, gcloud, az, terraform];
