// Database clients, their admin tools and the migration/ORM command lines: their options, so
// that option values (-d app, --env production, -dir db/migrations) are not read as
// subcommands, tasks or operands; and the SQL files a client runs (psql -f x.sql,
// sqlite3 db < x.sql), handed back as the client fed them on stdin so that the rules read
// the SQL itself. What they may destroy is in the rules (rules/databases).
import path from 'node:path';
import type { Word } from '../shell/types.js';
import { optionValues, parseOptions } from './options.js';
import { cli } from './cli.js';
import { lit } from './words.js';
import { writtenText } from './codefiles.js';
import { resolve, shq, unreadable, type CodeRuns, type ProgramContext, type ScriptToRun } from './context.js';
import type { ProgramSpec } from './types.js';

const PG_CONN = ['-h', '--host', '-p', '--port', '-U', '--username', '-d', '--dbname', '--maintenance-db', '--role'];

export const psql = cli(['psql', 'pgcli'], ['-c', '--command', '-d', '--dbname', '-h', '--host', '-p', '--port', '-U', '--username', '-f', '--file', '-v', '--set', '--variable', '-o', '--output', '-P', '--pset', '-L', '--log-file', '-F', '--field-separator', '-R', '--record-separator', '-T', '--table-attr']);
export const mysql = cli(['mysql', 'mariadb', 'mycli'], ['-e', '--execute', '-u', '--user', '-h', '--host', '-P', '--port', '-D', '--database', '-S', '--socket', '--defaults-file', '--defaults-extra-file', '--login-path']);
const REDIS = ['-h', '-p', '-a', '-n', '-u', '-s', '--user', '--pass', '--askpass'];
export const redis = cli(['redis-cli', 'valkey-cli', 'keydb-cli'], REDIS, { takesValue: REDIS });
export const sqlite: ProgramSpec = { names: ['sqlite3', 'sqlite'], options: { takesValue: ['-cmd', '-init', '-separator', '-newline', '-nullvalue', '-vfs', '-lookaside', '-pagecache', '-heap', '-mmap', '-maxsize'], singleDashLong: true } };
export const duckdb: ProgramSpec = { names: ['duckdb'], options: { takesValue: ['-c', '-s', '-cmd', '-init', '-f', '-separator', '-newline', '-nullvalue'], singleDashLong: true } };
export const litecli = cli(['litecli'], ['-e', '--execute', '-D', '--database', '--liteclirc', '-R', '--prompt', '-l', '--logfile']);
export const usql = cli(['usql'], ['-c', '--command', '-f', '--file', '-o', '--out', '-v', '--set', '-P', '--pset', '-U', '--username', '-w']);
export const clickhouse = cli(['clickhouse-client', 'clickhouse'], ['-q', '--query', '-h', '--host', '--port', '-u', '--user', '--password', '-d', '--database', '--queries-file', '-f', '--format']);
export const cqlsh = cli(['cqlsh'], ['-e', '--execute', '-u', '--username', '-p', '--password', '-k', '--keyspace', '-f', '--file', '--cqlshrc', '--request-timeout', '--connect-timeout', '--encoding', '--cqlversion', '--protocol-version']);
export const sqlcmd = cli(['sqlcmd'], ['-Q', '-q', '-S', '-U', '-P', '-d', '-i', '-o', '-v', '-s', '-w', '-h', '-t', '-l', '-W', '-f', '-a', '-A', '-H', '-c', '-L', '-k', '-x', '-z']);
export const cockroach = cli(['cockroach'], ['-e', '--execute', '--url', '--host', '--port', '-d', '--database', '-u', '--user', '--certs-dir', '-f', '--file', '--format']);
const MONGO = ['--host', '--port', '-u', '--username', '-p', '--password', '--authenticationDatabase', '--authenticationMechanism', '--eval', '-f', '--file', '--tlsCAFile', '--tlsCertificateKeyFile', '--apiVersion'];
export const mongosh = cli(['mongosh', 'mongo'], MONGO);

// PostgreSQL's admin programs: connection options take values; the rest are flags, declared so
// that a prefix (--cl) reads as the option it stands for (--clean).
export const pgAdmin: ProgramSpec = {
  names: ['dropdb', 'dropuser', 'createdb', 'createuser', 'pg_dropcluster'],
  options: { takesValue: [...PG_CONN, '-T', '--template', '-O', '--owner', '-E', '--encoding', '-l', '--locale', '-c', '--connection-limit', '-g', '--role'] },
};
export const pgRestore: ProgramSpec = {
  names: ['pg_restore'],
  options: {
    takesValue: [...PG_CONN, '-f', '--file', '-F', '--format', '-j', '--jobs', '-L', '--use-list', '-n', '--schema', '-N', '--exclude-schema', '-t', '--table', '-T', '--trigger', '-I', '--index', '-P', '--function', '-S', '--superuser'],
    flags: ['-c', '--clean', '--if-exists', '-C', '--create', '-l', '--list', '-a', '--data-only', '-s', '--schema-only', '-1', '--single-transaction', '-e', '--exit-on-error', '-O', '--no-owner', '-x', '--no-privileges', '-v', '--verbose'],
  },
};
// mysqladmin's and mysqlimport's -p takes its password only attached (-pSECRET), as mysql's own.
const MYSQL_CONN = ['-u', '--user', '-h', '--host', '-P', '--port', '-S', '--socket', '--defaults-file', '--defaults-extra-file', '--login-path'];
export const mysqlAdmin: ProgramSpec = {
  names: ['mysqladmin', 'mariadb-admin'],
  options: { takesValue: [...MYSQL_CONN, '-c', '--count', '-i', '--sleep', '-w', '--wait'], optionalValue: ['-p', '--password'], flags: ['-f', '--force'] },
};
export const mysqlImport: ProgramSpec = {
  names: ['mysqlimport', 'mariadb-import'],
  options: { takesValue: [...MYSQL_CONN, '-c', '--columns', '--fields-terminated-by', '--fields-enclosed-by', '--fields-escaped-by', '--lines-terminated-by', '--ignore-lines'], optionalValue: ['-p', '--password'], flags: ['-d', '--delete', '-r', '--replace', '-i', '--ignore', '-L', '--local'] },
};
export const mongoTools: ProgramSpec = {
  names: ['mongorestore', 'mongoimport'],
  options: { takesValue: ['--uri', '-h', '--host', '--port', '-u', '--username', '-p', '--password', '-d', '--db', '-c', '--collection', '--nsInclude', '--nsExclude', '--nsFrom', '--nsTo', '--dir', '--authenticationDatabase', '--file', '--type', '--mode', '--fields', '--fieldFile', '--upsertFields', '-j', '--numParallelCollections', '--numInsertionWorkersPerCollection'], optionalValue: ['--archive'], flags: ['--gzip', '--drop', '--dryRun', '--oplogReplay'] },
};

// Migration and ORM command lines. Options are declared where a value could otherwise be read
// as the task or subcommand (prisma --schema x migrate, alembic -c prod.ini downgrade base).
const PRISMA = ['--schema', '--url', '--file', '--name', '-n', '--datasource', '--config', '--from-url', '--to-url', '--from-schema-datamodel', '--to-schema-datamodel', '--from-schema-datasource', '--to-schema-datasource', '--from-migrations', '--to-migrations', '--shadow-database-url', '--script', '--output'];
export const prisma: ProgramSpec = { names: ['prisma'], options: { takesValue: PRISMA, flags: ['--force', '-f', '--force-reset', '--accept-data-loss', '--skip-seed', '--skip-generate', '--create-only', '--stdin'] }, global: { takesValue: PRISMA } };
const DRIZZLE = ['--config', '--dialect', '--schema', '--out', '--url', '--driver', '--tablesFilter', '--schemaFilter', '--extensionsFilters', '--casing', '--host', '--port', '--user', '--password', '--database'];
export const drizzle: ProgramSpec = { names: ['drizzle-kit'], options: { takesValue: DRIZZLE, flags: ['--force', '--strict', '--verbose'] }, global: { takesValue: DRIZZLE } };
const KNEX = ['--knexfile', '--cwd', '--env', '--client', '--connection', '--migrations-directory', '--migrations-table-name', '--specific', '--stub', '-x'];
export const knex = cli(['knex'], KNEX, { takesValue: KNEX });
const SEQUELIZE = ['--env', '--config', '--options-path', '--migrations-path', '--seeders-path', '--models-path', '--url', '--name', '--to', '--from', '--seed'];
export const sequelize = cli(['sequelize', 'sequelize-cli'], SEQUELIZE, { takesValue: SEQUELIZE });
const TYPEORM = ['-d', '--dataSource', '-c', '--connection', '-f', '--config', '-n', '--name', '-o', '--outputPath'];
export const typeorm = cli(['typeorm', 'typeorm-ts-node-commonjs', 'typeorm-ts-node-esm'], TYPEORM, { takesValue: TYPEORM });
const MIKRO = ['--config', '--context', '--contextName', '--to', '--from', '--seeder', '--dump-path'];
export const mikroOrm: ProgramSpec = { names: ['mikro-orm', 'mikro-orm-esm'], options: { takesValue: MIKRO, flags: ['--run', '--dump', '--drop-migrations-table', '--drop-db', '--seed'] }, global: { takesValue: MIKRO } };
// rake's pattern options (-T, -D, -W PATTERN) name tasks to describe, never to run.
const RAKE = ['-f', '--rakefile', '-I', '--libdir', '-r', '--require', '-R', '--rakelibdir', '-e', '--execute', '-p', '--execute-print', '-E', '--execute-continue', '-j', '--jobs', '-T', '--tasks', '-D', '--describe', '-W', '--where', '-C', '--directory'];
export const rake = cli(['rake'], RAKE, { takesValue: RAKE });
export const rails = cli(['rails'], ['-e', '--environment'], { takesValue: ['-e', '--environment'] });
const DJANGO = ['--settings', '--pythonpath', '-v', '--verbosity', '--database'];
export const django = cli(['django-admin', 'manage.py'], DJANGO, { takesValue: DJANGO });
const ALEMBIC = ['-c', '--config', '-n', '--name', '-x'];
export const alembic = cli(['alembic'], ALEMBIC, { takesValue: ALEMBIC });
export const flask = cli(['flask'], ['-A', '--app', '-e', '--env-file', '-d', '--directory'], { takesValue: ['-A', '--app', '-e', '--env-file'] });
const DBMATE = ['-u', '--url', '-e', '--env', '--env-file', '-d', '--migrations-dir', '--migrations-table', '-s', '--schema-file', '--wait-timeout'];
export const dbmate = cli(['dbmate'], DBMATE, { takesValue: DBMATE });
// Flyway and the Go tools take single-dash long options (-url=…, -dir db/migrations).
export const flyway: ProgramSpec = { names: ['flyway'], options: { singleDashLong: true }, global: { singleDashLong: true } };
const GOOSE = ['-dir', '--dir', '-table', '--table', '-certfile', '-ssl-cert', '-ssl-key', '-env', '-timeout'];
export const goose: ProgramSpec = { names: ['goose'], options: { takesValue: GOOSE, singleDashLong: true }, global: { takesValue: GOOSE, singleDashLong: true } };
const MIGRATE = ['-path', '--path', '-database', '--database', '-source', '--source', '-lock-timeout', '-prefetch'];
export const golangMigrate: ProgramSpec = { names: ['migrate'], options: { takesValue: MIGRATE, singleDashLong: true }, global: { takesValue: MIGRATE, singleDashLong: true } };
const LIQUIBASE = ['--url', '--username', '--password', '--changelog-file', '--changeLogFile', '--defaults-file', '--defaultsFile', '--classpath', '--driver', '--search-path', '--log-level', '--logLevel', '--contexts', '--context-filter', '--labels', '--label-filter', '--schemas', '--default-schema-name', '--tag', '--count'];
export const liquibase = cli(['liquibase'], LIQUIBASE, { takesValue: LIQUIBASE });
const ATLAS = ['-u', '--url', '--to', '--dev-url', '-c', '--config', '--env', '-s', '--schema', '--exclude', '--var', '--format', '--dir'];
export const atlas = cli(['atlas'], ATLAS, { takesValue: ATLAS });
const DIESEL = ['--database-url', '--config-file', '--migration-dir', '--locked-schema'];
export const diesel = cli(['diesel'], DIESEL, { takesValue: DIESEL });
const SQLX = ['-D', '--database-url', '--source', '--connect-timeout'];
export const sqlx = cli(['sqlx'], SQLX, { takesValue: SQLX });
const SEA_ORM = ['-d', '--migration-dir', '-u', '--database-url', '-s', '--database-schema', '-n', '--num'];
export const seaOrm = cli(['sea-orm-cli'], SEA_ORM, { takesValue: SEA_ORM });
const TURSO = ['--location', '--group', '--from-db', '--from-file', '--from-dump', '--timestamp', '--instance', '--org'];
export const turso = cli(['turso'], TURSO, { takesValue: TURSO });
const PSCALE = ['--org', '--service-token', '--service-token-id', '--api-url', '--config', '-f', '--format'];
export const pscale = cli(['pscale'], PSCALE, { takesValue: PSCALE });
const NEON = ['--project-id', '--org-id', '--api-key', '--config-dir', '-o', '--output', '--context-file', '--parent', '--branch', '--role-name', '--database-name'];
export const neon = cli(['neonctl', 'neon'], NEON, { takesValue: NEON });

export const programs = [psql, mysql, redis, sqlite, duckdb, litecli, usql, clickhouse, cqlsh, sqlcmd, cockroach, mongosh, pgAdmin, pgRestore, mysqlAdmin, mysqlImport, mongoTools, prisma, drizzle, knex, sequelize, typeorm, mikroOrm, rake, rails, django, alembic, flask, dbmate, flyway, goose, golangMigrate, liquibase, atlas, diesel, sqlx, seaOrm, turso, pscale, neon];

// ---- The SQL a client runs ----

/** How each client is given statements on its command line: the options whose value is SQL (or mongosh JavaScript). */
const SQL_OPTIONS: Record<string, { spec: ProgramSpec; options: string[]; positionalSql?: boolean }> = {
  psql: { spec: psql, options: ['-c', '--command'] },
  pgcli: { spec: psql, options: ['-c', '--command'] },
  usql: { spec: usql, options: ['-c', '--command'] },
  mysql: { spec: mysql, options: ['-e', '--execute'] },
  mariadb: { spec: mysql, options: ['-e', '--execute'] },
  mycli: { spec: mysql, options: ['-e', '--execute'] },
  litecli: { spec: litecli, options: ['-e', '--execute'] },
  // sqlite3 DB [SQL…]: every operand after the database file is a statement or dot-command.
  sqlite3: { spec: sqlite, options: ['-cmd'], positionalSql: true },
  sqlite: { spec: sqlite, options: ['-cmd'], positionalSql: true },
  duckdb: { spec: duckdb, options: ['-c', '-s', '-cmd'], positionalSql: true },
  mongosh: { spec: mongosh, options: ['--eval'] },
  mongo: { spec: mongosh, options: ['--eval'] },
  'clickhouse-client': { spec: clickhouse, options: ['-q', '--query'] },
  clickhouse: { spec: clickhouse, options: ['-q', '--query'] },
  cqlsh: { spec: cqlsh, options: ['-e', '--execute'] },
  sqlcmd: { spec: sqlcmd, options: ['-Q', '-q'] },
  cockroach: { spec: cockroach, options: ['-e', '--execute'] },
};

/** The statements a client is given on its command line: literal texts, and how many are only known at run time. */
function sqlArguments(program: string, args: readonly Word[]): { texts: string[]; dynamic: number } {
  const how = SQL_OPTIONS[program];
  if (!how) return { texts: [], dynamic: 0 };
  const opts = parseOptions(args, how.spec.options);
  const values = optionValues(opts, how.options);
  if (how.positionalSql) for (const w of opts.positionals.slice(1)) values.push(w.value);
  return { texts: values.filter((v): v is string => v !== null), dynamic: values.filter((v) => v === null).length };
}
/** The options that name a file of statements, per client (their option tables say which take values). */
const FILE_OPTIONS: Record<string, { spec: ProgramSpec; options: string[] }> = {
  psql: { spec: psql, options: ['-f', '--file'] },
  pgcli: { spec: psql, options: ['-f', '--file'] },
  usql: { spec: usql, options: ['-f', '--file'] },
  sqlite3: { spec: sqlite, options: ['-init'] },
  sqlite: { spec: sqlite, options: ['-init'] },
  duckdb: { spec: duckdb, options: ['-f', '-init'] },
  mongosh: { spec: mongosh, options: ['-f', '--file'] },
  mongo: { spec: mongosh, options: ['-f', '--file'] },
  'clickhouse-client': { spec: clickhouse, options: ['--queries-file'] },
  clickhouse: { spec: clickhouse, options: ['--queries-file'] },
  cqlsh: { spec: cqlsh, options: ['-f', '--file'] },
  sqlcmd: { spec: sqlcmd, options: ['-i'] },
  cockroach: { spec: cockroach, options: ['-f', '--file'] },
  prisma: { spec: prisma, options: ['--file'] },
};

/** Clients whose statements may come from their arguments or from a file the line names. */
export const SQL_FILE_CLIENTS: ReadonlySet<string> = new Set([...Object.keys(SQL_OPTIONS), ...Object.keys(FILE_OPTIONS)]);

/** The files `program` reads its statements from (psql -f, -Xf, --file=; mongosh's script operands). */
function sqlFileArgs(program: string, args: readonly Word[]): Word[] {
  const how = FILE_OPTIONS[program];
  if (!how) return [];
  const opts = parseOptions(args, how.spec.options);
  const files = optionValues(opts, how.options).map((v) => (v === null ? { value: null, raw: '(a file only known when it runs)', glob: false } : lit(v)));
  if (program === 'mongosh' || program === 'mongo') files.push(...opts.positionals.filter((w) => w.value !== null && /\.js$/.test(w.value)));
  return files;
}

/** The SQL text of a file the line names: read, or what the line wrote; a reason when it cannot be known. */
function sqlText(file: Word, ctx: ProgramContext, by: string, base = ctx.cwd): { text: string; path: string } | { opaque: string } | null {
  if (file.value === null) return { opaque: `${by}: runs statements from a file only known when it runs: ${file.raw}` };
  if (file.value === '-') return null;
  const p = resolve(base, file.value, ctx.home);
  const written = writtenText(p, ctx);
  if (written === null) return { opaque: `runs statements from a file written in this command: ${by}` };
  if (written !== undefined) return { text: written, path: p };
  const r = ctx.read(p, { always: true });
  // A file that is not there makes the client fail before it runs anything.
  if (r.kind === 'missing') return null;
  if (r.kind !== 'text') return { opaque: unreadable(r, p, ctx.cwd) ?? `cannot read ${by}` };
  return { text: r.text, path: p };
}

/**
 * Files a script of statements includes: psql's \i, \include, \ir, \include_relative (\ir
 * relative to the including file), sqlite3's .read, mysql's source and \. — on lines of their own.
 */
const INCLUDE = /^[ \t]*(?:\\(i|ir|include|include_relative)|\.read|source|\\\.)[ \t]+("[^"\n]*"|'[^'\n]*'|[^\s;]+)/gim;
const MAX_INCLUDE_DEPTH = 4;
/**
 * Shell commands a script of statements runs on this machine: psql's \! CMD and \o|\g|\w |CMD,
 * sqlite3's .shell / .system CMD, mysql's system CMD and \! CMD.
 */
const SHELL_ESCAPE = /^[ \t]*(?:\\!|\\[ogw][ \t]*\||(?:\.shell|\.system|system)[ \t])[ \t]*([^\n]+)$/gim;
/**
 * The client fed `text` on stdin, as a here-string of one quoted word: what the rules that read
 * a client's stdin see. (A heredoc body whose line starts with a backslash, psql's \dt, is
 * not parsed by tree-sitter-bash; a quoted word always is.)
 */
function fedBy(program: string, text: string, ctx: ProgramContext, by: string): ScriptToRun {
  // prisma reads statements on stdin only as `db execute --stdin`, which is what the rule names.
  const argv = program === 'prisma' ? 'prisma db execute --stdin' : shq(program);
  return { source: `${argv} <<< ${shq(text)}`, cwd: ctx.cwd, by };
}

/**
 * The statements a client runs, handed back as the same client fed them on stdin, so that the
 * rules read the SQL itself and nothing else (rules/databases/sql-destructive: a connection
 * string only known at run time, psql "$DATABASE_URL" -c 'SELECT 1', is not SQL):
 * `psql -c SQL`, `mysql -e SQL`, `sqlite3 db SQL`, `mongosh --eval JS` from the arguments, and
 * `psql -f drop.sql`, `sqlite3 app.db < wipe.sql`, `mongosh app script.js`, `prisma db execute
 * --file x.sql` from files, read or taken from what the line wrote. Statements only known at
 * run time are opaque.
 */
export function sqlItRuns(program: string, args: readonly Word[], ctx: ProgramContext, stdinFile: Word | null): CodeRuns | null {
  const out: CodeRuns = { scripts: [], opaque: [] };
  const seen = new Set<string>();
  // The statements, and those of the files they include, each handed back as the client fed them.
  const take = (text: string, by: string, dir: string, depth: number) => {
    out.scripts.push(fedBy(program, text, ctx, by));
    for (const m of text.matchAll(SHELL_ESCAPE)) out.scripts.push({ source: m[1], cwd: ctx.cwd, by: `${by} → ${m[0].trim()}` });
    for (const m of text.matchAll(INCLUDE)) {
      const name = m[2].replace(/^(["'])(.*)\1$/, '$2');
      const sub = `${by} → ${m[0].trim()}`;
      if (name.startsWith(':')) {
        out.opaque.push(`${sub}: includes a file named by a variable`);
        continue;
      }
      if (depth >= MAX_INCLUDE_DEPTH) {
        out.opaque.push(`${sub}: includes nested more than ${MAX_INCLUDE_DEPTH} deep`);
        continue;
      }
      const relative = m[1] === 'ir' || m[1] === 'include_relative';
      const got = sqlText(lit(name), ctx, sub, relative ? dir : ctx.cwd);
      if (got === null) continue;
      if ('opaque' in got) out.opaque.push(got.opaque);
      else if (!seen.has(got.path)) {
        seen.add(got.path);
        take(got.text, sub, path.posix.dirname(got.path), depth + 1);
      }
    }
  };
  const inline = sqlArguments(program, args);
  for (const t of inline.texts) take(t, `${program} ${SQL_OPTIONS[program].options[0]}`, ctx.cwd, 0);
  if (inline.dynamic) out.opaque.push(`${program} runs statements only known when it runs (${SQL_OPTIONS[program].options.join(', ')}${SQL_OPTIONS[program].positionalSql ? ' or an operand' : ''})`);
  const files = [...sqlFileArgs(program, args), ...(stdinFile ? [stdinFile] : [])];
  for (const f of files) {
    const by = f === stdinFile ? `${program} < ${f.raw}` : `${program} ${f.raw}`;
    const got = sqlText(f, ctx, by);
    if (got === null) continue;
    if ('opaque' in got) out.opaque.push(got.opaque);
    else take(got.text, by, path.posix.dirname(got.path), 0);
  }
  return out.scripts.length || out.opaque.length ? out : null;
}
