import { describe, expect, it } from 'vitest';
import { progressLine, startProgress } from '../../src/node/progress.js';

describe('progress', () => {
  it('draws a bar, a count and an ETA from the elapsed time', () => {
    expect(progressLine('score', 25, 100, 5000, 20)).toBe('score [#####---------------]  25/100 ETA 15s');
    expect(progressLine('x', 0, 10, 0, 4)).toBe('x [----]  0/10 ETA ?');
    expect(progressLine('x', 1, 100, 60_000, 4)).toBe('x [----]   1/100 ETA 1h39m');
  });
  it('is silent when stderr is not a terminal, and clears itself when it is', () => {
    const out: string[] = [];
    const io = (tty: boolean) => ({
      stdout: () => undefined,
      stderr: (t: string) => void out.push(t),
      stderrIsTTY: tty,
    });
    const quiet = startProgress(io(false), 'a', 3);
    quiet.tick();
    quiet.done();
    expect(out).toEqual([]);
    const p = startProgress(io(true), 'a', 2);
    p.tick('one.png');
    p.tick('two.png');
    p.done();
    expect(out.at(-2)).toMatch(/^\ra \[#+\] 2\/2 ETA 0s two\.png/);
    expect(out.at(-1)).toBe('\r\x1b[K');
  });
});
