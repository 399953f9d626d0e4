/** Whether the native backend's addon is built; its tests skip without it, except in CI where it must be there. */
import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { nativeAddonPath } from '../../src/backends/native/addon.js';

export const NATIVE_BUILT = existsSync(nativeAddonPath() ?? '');

/** `describe` for native-backend tests: skipped when the addon is not built, unless CI is set (then they fail). */
export const describeNative: typeof describe = NATIVE_BUILT || process.env.CI ? describe : describe.skip;
