/**
 * Compiles the native kernels addon (this package's `native/` directory) with node-gyp: npm's own copy when there
 * is one, against the running Node's headers when they are installed beside it (so nothing is downloaded).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { nativeAddonPath, nativePackageRoot } from './addon.js';

/** The node-gyp entry script: $npm_config_node_gyp, npm's bundled copy, or an installed node-gyp package. */
export function findNodeGyp(): string | undefined {
  const candidates: string[] = [];
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm) candidates.push(fromNpm);
  const prefix = dirname(dirname(process.execPath));
  candidates.push(
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  );
  candidates.push(
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  );
  try {
    candidates.push(createRequire(join(process.cwd(), 'index.js')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package
  }
  return candidates.find((c) => existsSync(c));
}

/** The directory holding include/node/node_api.h for the running Node, when the headers are installed. */
export function localNodeHeaders(): string | undefined {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

export interface BuildNativeOptions {
  /** Receives node-gyp's output. */
  log?: (text: string) => void;
}

/**
 * Builds the addon; resolves to the path of the `.node` file.
 * @throws Error saying what is missing (node-gyp, the package's native sources) or that the compiler failed.
 */
export async function buildNativeAddon(options: BuildNativeOptions = {}): Promise<string> {
  const root = nativePackageRoot();
  if (root === undefined) throw new Error('cannot find the native/ sources of tfjs-restoration');
  const gyp = findNodeGyp();
  if (gyp === undefined) {
    throw new Error('node-gyp not found (it comes with npm; or: npm install -g node-gyp)');
  }
  const args = [gyp, 'rebuild', '--directory', join(root, 'native')];
  const headers = localNodeHeaders();
  if (headers !== undefined) args.push(`--nodedir=${headers}`);
  const log = options.log ?? (() => undefined);
  const code = await new Promise<number>((resolveExit, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => log(d.toString()));
    child.stderr.on('data', (d: Buffer) => log(d.toString()));
    child.on('error', reject);
    child.on('close', (c) => resolveExit(c ?? 1));
  });
  const file = nativeAddonPath();
  if (code !== 0 || file === undefined || !existsSync(file)) {
    throw new Error(`node-gyp failed (exit ${code}) building ${join(root, 'native')}; see its output above`);
  }
  return file;
}
