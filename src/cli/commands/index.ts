import type { Command } from '../command.js';
import { buildNative } from './build-native.js';
import { cluster } from './cluster.js';
import { damage } from './damage.js';
import { detectMask } from './detect-mask.js';
import { inspect } from './inspect.js';
import { predict } from './predict.js';
import { score } from './score.js';
import { submit } from './submit.js';
import { train } from './train.js';

/** The CLI's subcommands, by name. */
export const commands: Record<string, Command> = {
  score,
  damage,
  'detect-mask': detectMask,
  train,
  predict,
  submit,
  cluster,
  inspect,
  'build-native': buildNative,
};
