import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nativePackageRoot } from '../../backends/native/addon.js';
import type { Command } from '../command.js';
import { parseOptions } from '../../node/args.js';

export const buildNative: Command = {
  summary: "compile the C++ kernels of the 'native' backend (Node; needs a C++ compiler)",
  usage: `Usage: tfjs-restoration build-native [--quiet]

Compiles this package's native/ addon with node-gyp (npm's own copy) for useBackend('native'). Needs a C++
compiler, make and Python 3 (node-gyp's own needs).`,
  async run(args, io) {
    const a = parseOptions(args, { quiet: { type: 'flag' } });
    const root = nativePackageRoot();
    const script = root === undefined ? undefined : join(root, 'native', 'build.mjs');
    if (script === undefined || !existsSync(script))
      throw new Error('cannot find native/build.mjs of tfjs-restoration');
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [script, ...(a.quiet ? ['--quiet'] : [])], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (d: Buffer) => io.stdout(d.toString()));
      child.stderr.on('data', (d: Buffer) => io.stderr(d.toString()));
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? 1));
    });
    if (code !== 0) throw new Error('the build failed (see above)');
    return 0;
  },
};
