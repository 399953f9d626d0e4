/**
 * A progress line with a count and an ETA on standard error, for command-line tools and scripts. No Node module:
 * the caller passes where to write.
 */

/** Where a progress bar draws: structurally a subset of the CLI's IO, so a command passes its own. */
export interface ProgressIO {
  /** Writes text to standard error as is. */
  stderr(text: string): void;
  /** Whether stderr is a terminal: only then is anything drawn. */
  readonly stderrIsTTY: boolean;
}

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

/**
 * Renders one progress line, e.g. `damage [########------------]  40/100 ETA 12s`.
 *
 * ```ts
 * progressLine('damage', 40, 100, 8000); // 'damage [########------------]  40/100 ETA 12s'
 * ```
 */
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

/**
 * Starts a progress bar for `total` items; draws at most every 100 ms, and nothing unless `io.stderrIsTTY`.
 *
 * ```ts
 * const bar = startProgress({ stderr: (t) => process.stderr.write(t), stderrIsTTY: process.stderr.isTTY }, 'train', 100);
 * for (let i = 0; i < 100; i++) bar.tick(`loss ${loss.toFixed(3)}`);
 * bar.done();
 * ```
 */
export function startProgress(io: ProgressIO, label: string, total: number): Progress {
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
