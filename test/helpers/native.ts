/** Whether the native backend's addon is built; its tests skip without it, except in CI where it must be there. */
import { existsSync } from 'node:fs';
import { nativeAddonPath } from '../../src/backends/native/addon.js';

export const NATIVE_BUILT = existsSync(nativeAddonPath() ?? '');

/** For `describe.skipIf(SKIP_NATIVE)`: skip when the addon is not built, unless CI is set (then the tests fail). */
export const SKIP_NATIVE = !NATIVE_BUILT && !process.env.CI;
