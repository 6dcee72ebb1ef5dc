// Error classes carry data; the one error boundary (lib/cli/boundary.ts) maps them to exit codes.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  partial: 3,
  locked: 4,
  sigint: 130,
  sigterm: 143,
} as const;

/** Any error pgkeep expects and can explain in one sentence; the stack is shown only with --verbose. */
export class PgkeepError extends Error {
  get exitCode(): number {
    return ExitCode.failure;
  }
  /** An extra hint printed under the message: what the operator should do next. */
  hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** Bad flags or a selection that matches nothing: found before any engine is touched. */
export class UsageError extends PgkeepError {
  override get exitCode(): number {
    return ExitCode.usage;
  }
}

export interface ConfigIssue {
  file: string;
  line?: number;
  /** Dotted key path, e.g. filter-ical.database.backup.retention_days */
  path: string;
  message: string;
}

export function formatIssue(i: ConfigIssue): string {
  const where = i.line ? `${i.file}:${i.line}` : i.file;
  return i.path ? `${where}: ${i.path}: ${i.message}` : `${where}: ${i.message}`;
}

/** Every problem found in a config file, reported together. */
export class ConfigError extends UsageError {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

/** No engine answered on any of the sockets we tried. */
export class EngineError extends PgkeepError {
  constructor(message: string, readonly tried: string[], hint?: string) {
    super(message, hint);
  }
}

/** A container that is missing or not running. */
export class ContainerError extends PgkeepError {
  constructor(message: string, readonly container: string, hint?: string) {
    super(message, hint);
  }
}

/** A command inside a container exited non-zero. */
export class ExecError extends PgkeepError {
  constructor(
    message: string,
    readonly container: string,
    readonly argv: string[],
    readonly code: number,
    readonly stderr: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

/** Another pgkeep run holds the lock for this project/env. */
export class LockedError extends PgkeepError {
  override get exitCode(): number {
    return ExitCode.locked;
  }
}

/** The run was stopped by SIGINT or SIGTERM; cleanup has already run. */
export class InterruptedError extends PgkeepError {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
  override get exitCode(): number {
    return this.signal === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm;
  }
}
