import type { CliIO } from './command.js';

/** A progress bar on stderr with a count and an ETA; silent unless stderr is a terminal. */
export interface Progress {
  /** Marks one more item done; `note` (e.g. a file name) shows after the bar. */
  tick(note?: string): void;
  /** Clears the bar. */
  done(): void;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Renders one progress line, e.g. `damage [########------------]  40/100 ETA 12s`. */
export function progressLine(
  label: string,
  done: number,
  total: number,
  elapsedMs: number,
  width = 20,
): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * width);
  const eta = done > 0 ? ((elapsedMs / done) * (total - done)) / 1000 : Infinity;
  const count = `${String(done).padStart(String(total).length)}/${total}`;
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count} ETA ${formatSeconds(eta)}`;
}

/** Starts a progress bar for `total` items; draws at most every 100 ms. */
export function startProgress(io: CliIO, label: string, total: number): Progress {
  if (!io.stderrIsTTY || total <= 1) return { tick() {}, done() {} };
  const start = Date.now();
  let done = 0;
  let drawn = 0;
  return {
    tick(note) {
      done++;
      const now = Date.now();
      if (now - drawn < 100 && done < total) return;
      drawn = now;
      io.stderr(`\r${progressLine(label, done, total, now - start)}${note ? ` ${note}` : ''}\x1b[K`);
    },
    done() {
      io.stderr('\r\x1b[K');
    },
  };
}
