// Live progress for long dumps, read from the byte counter on a timer: the dump stream itself
// carries no extra work. On a TTY, one rewritten line; otherwise a timestamped line every 30 s.
import { formatBytes, formatDuration, type Logger } from '../log.ts';

export function trackProgress(log: Logger, label: string, bytes: () => number): { stop: () => void } {
  const started = Date.now();
  const every = log.interactive ? 500 : 30_000;
  const timer = setInterval(() => {
    const ms = Date.now() - started;
    const rate = bytes() / Math.max(ms / 1000, 0.001);
    log.progress(`  ${label}: ${formatBytes(bytes())} written, ${formatBytes(rate)}/s, ${formatDuration(ms)}`);
  }, every);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      log.endProgress();
    },
  };
}
