import { buildNativeAddon } from '../../backends/native/build.js';
import type { Command } from '../command.js';
import { parseArgs } from './args.js';

export const buildNative: Command = {
  summary: "compile the C++ kernels of the 'native' backend (Node; needs a C++ compiler)",
  usage: `Usage: tfjs-restoration build-native [--if-possible] [--quiet]

Compiles this package's native/ addon with node-gyp (npm's own copy), for useBackend('native'). With
--if-possible a failed build only prints a warning and exits 0 (the other backends still work).`,
  async run(args, io) {
    const a = parseArgs('build-native', args, { 'if-possible': 'flag', quiet: 'flag' });
    try {
      const file = await buildNativeAddon({ log: a.quiet ? undefined : (text) => io.stderr(text) });
      io.stdout(`built ${file}\n`);
      return 0;
    } catch (e) {
      if (!a['if-possible']) throw e;
      io.stderr(`tfjs-restoration build-native: skipped, ${(e as Error).message}\n`);
      return 0;
    }
  },
};
