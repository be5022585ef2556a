// Publishers: registry clients and release tools whose value-taking options would otherwise
// be read as a subcommand or a task (`mvn -P release install` is no release, `gradle build
// -x publish` publishes nothing, `goreleaser -f x.yml` is `goreleaser release`). What they
// publish, and when a dry run makes them harmless, is in the rules (rules/publishing).
// The npm family is npm.ts, cargo and pip packages.ts, uv and poetry devenvs.ts, docker and
// podman containers.ts, helm kubernetes.ts, gh forges.ts.
import { cli } from './cli.js';

/** mvn --help: options whose value is the next word (-Dk=v is usually attached, but -D k=v works too). */
const MVN = ['-D', '--define', '-P', '--activate-profiles', '-pl', '--projects', '-f', '--file', '-s', '--settings', '-gs', '--global-settings', '-t', '--toolchains', '-gt', '--global-toolchains', '-T', '--threads', '-rf', '--resume-from', '-l', '--log-file', '-b', '--builder', '--color'];
export const maven = cli(['mvn', 'mvnw', 'mvnd'], MVN, { takesValue: MVN });

/** gradle --help: -x TASK excludes a task and --tests takes a filter, so their values are no tasks to run. */
const GRADLE = ['-x', '--exclude-task', '--tests', '-p', '--project-dir', '-b', '--build-file', '-c', '--settings-file', '-g', '--gradle-user-home', '-I', '--init-script', '-D', '--system-prop', '-P', '--project-prop', '--console', '--warning-mode', '--max-workers', '--include-build', '--priority', '--project-cache-dir', '-M', '--write-verification-metadata', '--dependency-verification', '-F', '--configuration-cache-problems', '--update-locks'];
export const gradle = cli(['gradle', 'gradlew'], GRADLE, { takesValue: GRADLE });

/** goreleaser: the root command is `release`; -f/--config and friends take a value. */
const GORELEASER = ['-f', '--config', '-p', '--parallelism', '--timeout', '--release-notes', '--release-notes-tmpl', '--release-header', '--release-header-tmpl', '--release-footer', '--release-footer-tmpl', '--skip', '-k', '--key', '--id', '--split', '-o', '--output'];
export const goreleaser = cli(['goreleaser'], GORELEASER, { takesValue: GORELEASER });

/** lerna: --loglevel and friends before the subcommand. */
const LERNA = ['--loglevel', '--concurrency', '--scope', '--ignore', '--since', '--dist-tag', '--preid', '--registry', '--otp', '-m', '--message', '--tag-version-prefix', '--pre-dist-tag', '--legacy-auth', '--git-remote'];
export const lerna = cli(['lerna'], LERNA, { takesValue: ['--loglevel', '--concurrency'] });

/** skopeo: global options before the subcommand; copy's credentials and policy take a value. */
const SKOPEO_GLOBAL = ['--policy', '--registries.d', '--override-arch', '--override-os', '--override-variant', '--tmpdir', '--command-timeout', '--registries-conf', '--retry-times'];
const SKOPEO = [...SKOPEO_GLOBAL, '--src-creds', '--dest-creds', '--src-authfile', '--dest-authfile', '--authfile', '--src-cert-dir', '--dest-cert-dir', '--format', '-f', '--sign-by', '--additional-tag', '--src', '--dest', '--creds', '--encryption-key', '--decryption-key', '--multi-arch', '--digestfile'];
export const skopeo = cli(['skopeo'], SKOPEO, { takesValue: SKOPEO_GLOBAL });

export const programs = [maven, gradle, goreleaser, lerna, skopeo];
