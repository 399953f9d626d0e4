import type { Command } from '../command.js';
import { buildNative } from './build-native.js';
import { cluster } from './cluster.js';
import { damage } from './damage.js';
import { detectMask } from './detect-mask.js';
import { score } from './score.js';

/** The CLI's subcommands, by name. */
export const commands: Record<string, Command> = {
  score,
  damage,
  'detect-mask': detectMask,
  cluster,
  'build-native': buildNative,
};
