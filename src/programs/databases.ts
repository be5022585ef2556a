// Database clients and the tools around them: their options, so that option values are not
// read as SQL or operands. What they may destroy is in the rules (rules/databases).
import { cli } from './cli.js';

export const psql = cli(['psql', 'pgcli'], ['-c', '--command', '-d', '--dbname', '-h', '--host', '-p', '--port', '-U', '--username', '-f', '--file', '-v', '--set', '--variable', '-o', '--output', '-P', '--pset', '-L', '--log-file']);
export const mysql = cli(['mysql', 'mariadb', 'mycli'], ['-e', '--execute', '-u', '--user', '-h', '--host', '-P', '--port', '-D', '--database', '-S', '--socket', '--defaults-file', '--defaults-extra-file', '--login-path']);
const REDIS = ['-h', '-p', '-a', '-n', '-u', '-s', '--user', '--pass', '--askpass'];
export const redis = cli(['redis-cli', 'valkey-cli', 'keydb-cli'], REDIS, { takesValue: REDIS });

export const programs = [psql, mysql, redis];
