import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const readme = () => fs.readFile(path.join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('code examples are test/consumer/*.ts verbatim (type-checked by test/package/bundle.test.ts)', async () => {
    const blocks = [...(await readme()).matchAll(/```ts\n([^]*?)```/g)].map((m) => m[1].trim());
    expect(blocks, 'README.md ts blocks').toHaveLength(3);
    for (const [i, file] of ['quickstart.ts', 'tensor.ts', 'backends.ts'].entries()) {
      const source = await fs.readFile(path.join(ROOT, 'test', 'consumer', file), 'utf8');
      expect(source, `README ts block ${i + 1} in test/consumer/${file}`).toContain(blocks[i]);
    }
  });

  it('states the test command that .ci/run runs, and every npm script it names exists', async () => {
    const text = await readme();
    const ci = await fs.readFile(path.join(ROOT, '.ci', 'run'), 'utf8');
    expect(text).toMatch(/```sh\nnpm install\nnpm test\n```/);
    expect(ci).toMatch(/^npm test$/m);
    const scripts = Object.keys(
      (JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: object }).scripts,
    );
    for (const [, name] of text.matchAll(/npm run ([\w:-]+)/g))
      expect(scripts, `npm run ${name}`).toContain(name);
  });

  it('lists every CLI command with the summary --help prints', async () => {
    let out = '';
    const code = await runCli(['--help'], {
      stdout: (t) => void (out += t),
      stderr: () => {},
      stderrIsTTY: false,
    });
    expect(code).toBe(0);
    const text = await readme();
    for (const [, name] of out.matchAll(/^ {2}(\S+) {2,}/gm))
      expect(text).toContain(`tfjs-restoration ${name}`);
  });
});
