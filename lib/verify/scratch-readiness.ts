// When is a scratch container's server ready? A pure decision over what PostgreSQL itself reports,
// kept apart from the polling so that it can be tested with a table.
//
// PID 1 says nothing: with --init it is docker-init (tini) or Podman's catatonit, and an image whose
// command does not exec the entrypoint leaves a shell there. postmaster.pid says "ready" for the
// entrypoint's temporary server too, and looking for initdb or entrypoint processes depends on the
// image's scripts (and on ps, which slim images lack). What separates the servers is how they were
// started: the official image's entrypoint (and the test bed's) runs its temporary initialisation
// server with listen_addresses='' so that nothing connects during setup, and the final server
// listens. Requiring the same postmaster start time on two probes in a row adds that the server is
// not being replaced under us (an image that restarts its server once more after initialisation).

/** The one query, over the local socket: the postmaster's start time, and what it listens on. */
export const READINESS_SQL = "select pg_postmaster_start_time()::text || '|' || current_setting('listen_addresses')";

export interface ReadinessProbe {
  /** psql's exit code, or an error when the exec itself failed. */
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  error?: Error;
}

export interface Readiness {
  ready: boolean;
  /** The postmaster start time this probe saw, carried to the next one. */
  start?: string;
  /** What was seen, for the message when the wait gives up. */
  seen: string;
}

export function judgeReadiness(p: ReadinessProbe, previousStart: string | undefined): Readiness {
  if (p.error) return { ready: false, seen: `the exec failed: ${p.error.message}` };
  if (p.exitCode !== 0) return { ready: false, seen: firstLine(p.stderr) || `psql exited ${p.exitCode}` };
  const out = (p.stdout ?? '').trim();
  const bar = out.lastIndexOf('|');
  if (bar <= 0) return { ready: false, seen: `an unexpected answer: ${JSON.stringify(out.slice(0, 200))}` };
  const start = out.slice(0, bar);
  const listen = out.slice(bar + 1);
  if (listen === '') return { ready: false, seen: `a server started at ${start} with listen_addresses '' (the entrypoint's temporary initialisation server)` };
  if (start !== previousStart) return { ready: false, start, seen: `a server started at ${start} answered; waiting to see it again` };
  return { ready: true, start, seen: `the server started at ${start} answered twice` };
}

function firstLine(s: string | undefined): string {
  return (s ?? '').trim().split('\n')[0]!.trim();
}
