#!/usr/bin/env node
// @ts-check
// Compiles the native kernels addon (this directory) with node-gyp: npm's own copy, against the running Node's
// headers when they are installed beside it (so nothing is downloaded). Run by `npm install` (as the package's
// install script, which npm may ask you to approve), by `npx tfjs-restoration build-native`, or directly:
//   node native/build.mjs [--if-possible] [--quiet]
// With --if-possible a failed build prints a warning and exits 0: every other backend works without the addon.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const addon = join(here, 'build', 'Release', 'tfjs_restoration_native.node');

/** The node-gyp entry script: $npm_config_node_gyp, npm's bundled copy, or an installed node-gyp package. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  const prefix = dirname(dirname(process.execPath));
  const bundled = join('node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  candidates.push(join(prefix, 'lib', bundled), join(dirname(process.execPath), bundled));
  try {
    candidates.push(createRequire(join(process.cwd(), 'index.js')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package
  }
  return candidates.find((c) => existsSync(c));
}

/** The prefix holding include/node/node_api.h for the running Node, when the headers are installed. */
function localNodeHeaders() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function build(quiet) {
  const gyp = findNodeGyp();
  if (gyp === undefined)
    throw new Error('node-gyp not found (it comes with npm; or: npm install -g node-gyp)');
  const args = [gyp, 'rebuild', '--directory', here];
  const headers = localNodeHeaders();
  if (headers !== undefined) args.push(`--nodedir=${headers}`);
  const run = spawnSync(process.execPath, args, { stdio: quiet ? 'pipe' : ['ignore', 'inherit', 'inherit'] });
  if (run.error) throw run.error;
  if (run.status !== 0 || !existsSync(addon)) {
    const output = quiet ? `\n${String(run.stdout ?? '')}${String(run.stderr ?? '')}`.trimEnd() : '';
    throw new Error(`node-gyp failed (exit ${run.status}) building ${here}${output}`);
  }
  return addon;
}

const flags = new Set(process.argv.slice(2));
for (const f of flags) {
  if (f !== '--if-possible' && f !== '--quiet') {
    console.error(`native/build.mjs: unknown option '${f}'; valid options: --if-possible, --quiet`);
    process.exit(2);
  }
}
try {
  console.log(`built ${build(flags.has('--quiet'))}`);
} catch (e) {
  const message = e instanceof Error ? e.message : String(e);
  if (!flags.has('--if-possible')) {
    console.error(`tfjs-restoration: the native addon did not build: ${message}`);
    process.exit(1);
  }
  console.warn(
    `tfjs-restoration: the native backend's addon was not built (${message.split('\n')[0]}); ` +
      "every other backend works; for useBackend('native') run: npx tfjs-restoration build-native",
  );
}
