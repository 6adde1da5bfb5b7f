// The gateway reads DATABASE_URL as one URL, while ECS can only inject single JSON fields of the generated
// database secret. Rather than asking the app to accept a second form, the container's entrypoint builds
// the URL from the injected PG* fields at start and then execs the CLI, so node stays PID 1 and gets SIGTERM.
// The user and password are percent-encoded by node itself (a generated password may hold `:`/`@`/`%`),
// and PGPASSWORD is removed from the environment once it is inside the URL.
//
// Used as: entryPoint = [...DATABASE_URL_ENTRYPOINT], command = ['serve'] | ['work']
// ("$@" after `sh -c script sh` is the command).

/** Environment variables the entrypoint expects (injected from the database secret, except the params). */
export const DATABASE_ENV = {
  host: 'PGHOST',
  port: 'PGPORT',
  database: 'PGDATABASE',
  user: 'PGUSER',
  password: 'PGPASSWORD',
  params: 'DATABASE_URL_PARAMS',
} as const;

const BUILD_URL_JS = [
  'const e = process.env, c = encodeURIComponent;',
  'const q = e.DATABASE_URL_PARAMS ? "?" + e.DATABASE_URL_PARAMS : "";',
  'process.stdout.write("postgres://" + c(e.PGUSER) + ":" + c(e.PGPASSWORD) + "@" + e.PGHOST + ":" + e.PGPORT',
  ' + "/" + c(e.PGDATABASE) + q);',
].join('');

/** `sh -c` script: build DATABASE_URL (fail fast if it cannot), then exec `<cli> "$@"`. */
export function databaseUrlScript(cli: readonly string[]): string {
  const exec = cli.map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  return [
    'set -eu',
    ': "${PGHOST:?missing}" "${PGPORT:?missing}" "${PGDATABASE:?missing}" "${PGUSER:?missing}" "${PGPASSWORD:?missing}"',
    `DATABASE_URL="$(node -e '${BUILD_URL_JS}')"`,
    'export DATABASE_URL',
    'unset PGPASSWORD',
    `exec ${exec} "$@"`,
  ].join('\n');
}

/** The image's own entrypoint is `node dist/cli.js` (Dockerfile); this wraps it. */
export const DATABASE_URL_ENTRYPOINT: readonly string[] = [
  '/bin/sh',
  '-c',
  databaseUrlScript(['node', 'dist/cli.js']),
  'sh',
];
