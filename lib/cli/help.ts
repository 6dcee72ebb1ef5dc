// Text shared by every command's --help.

export const SELECTORS = `  --config PATH     projects.yml to read (default: $PGKEEP_CONFIG, then ./projects.yml)
  --project NAME    only this project
  --env NAME        only this environment
  --db NAME         only this database`;

export const COMMON = `  --lock-wait SEC   wait up to SEC seconds for another run's lock (default 0, or $PGKEEP_LOCK_WAIT)
  --verbose         show stack traces and debug output
  --help            show this help`;

export const EXIT_CODES = `Exit codes:
  0    everything succeeded
  1    failure (container, database, authentication, or another error)
  2    usage or config error, found before any engine is touched
  3    partial: some databases failed, others succeeded
  4    locked: another pgkeep run holds this project/env
  130  interrupted by SIGINT (Ctrl-C), after cleanup
  143  terminated by SIGTERM, after cleanup`;
