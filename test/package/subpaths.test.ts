/**
 * One list of public subpaths (scripts/subpaths.ts): package.json "exports", tsup's entries and typedoc's entry
 * points must be what it implies. After changing the list, `npm run subpaths` rewrites package.json and typedoc.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import tsupConfig from '../../tsup.config.js';
import {
  LAZY_ENTRIES,
  packageExports,
  SUBPATHS,
  tsupEntries,
  typedocEntryPoints,
} from '../../scripts/subpaths.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const json = (file: string) =>
  JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;
const HINT = 'run `npm run subpaths` to write it from scripts/subpaths.ts';

describe('public subpaths (scripts/subpaths.ts)', () => {
  it('names sources that exist, each once', () => {
    for (const source of [...SUBPATHS.map((s) => s.source), ...LAZY_ENTRIES])
      expect(existsSync(path.join(ROOT, source)), source).toBe(true);
    expect(new Set(SUBPATHS.map((s) => s.subpath)).size).toBe(SUBPATHS.length);
  });

  it('package.json "exports" is the list', () => {
    expect(json('package.json').exports, `package.json exports: ${HINT}`).toEqual(packageExports());
  });

  it('typedoc.json "entryPoints" is the list', () => {
    expect(json('typedoc.json').entryPoints, `typedoc.json entryPoints: ${HINT}`).toEqual(
      typedocEntryPoints(),
    );
  });

  it("tsup.config.ts builds the list's entries", () => {
    const configs = Array.isArray(tsupConfig) ? tsupConfig : [tsupConfig];
    expect((configs[0] as { entry: unknown }).entry).toEqual(tsupEntries());
  });
});
