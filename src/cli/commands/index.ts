import type { Command } from '../command.js';
import { score } from './score.js';

/** The CLI's subcommands, by name. */
export const commands: Record<string, Command> = {
  score,
};
