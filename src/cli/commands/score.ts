import type { Command } from '../command.js';

export const score: Command = {
  summary: 'score predictions against ground truth with the competition metric',
  usage: 'tfjs-restoration score --gt DIR|FILE --pred DIR|FILE --input DIR|FILE [--per-image]',
  async run() {
    throw new Error('not implemented yet');
  },
};
