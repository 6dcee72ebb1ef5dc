// An engine that goes away mid-call (the daemon stopped, the API service killed, the socket
// removed) surfaces as a bare "socket hang up", "aborted" or ECONNRESET. Say which engine and
// socket, and what was running, so the operator knows where to look.
import { EngineError, PgkeepError } from '../errors.ts';

const LOST_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ENOENT', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

export function isConnectionLost(err: unknown): boolean {
  if (err instanceof PgkeepError || !(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (code !== undefined && LOST_CODES.has(code)) || /socket hang up|^aborted$|premature close/i.test(err.message);
}

/** Wraps a lost connection as an EngineError naming the socket; anything else passes through. */
export function explainLost(err: unknown, kind: string, socket: string, container: string, argv: string[]): unknown {
  if (!isConnectionLost(err)) return err;
  return new EngineError(
    `lost the connection to ${kind} at ${socket} while running ${argv[0]} in container "${container}" (${(err as Error).message})`,
    [socket],
    `check that the ${kind} engine is running and answers on ${socket}, then run again`,
  );
}
