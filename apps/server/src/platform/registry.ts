import { ApiError } from '@batchyard/core';
import type { Platform } from './types.js';

/** The configured platform accounts, by name; the first is the default. */
export class PlatformRegistry {
  private readonly byName = new Map<string, Platform>();

  constructor(readonly platforms: readonly Platform[]) {
    for (const p of platforms) this.byName.set(p.name, p);
  }

  get default(): Platform {
    const first = this.platforms[0];
    if (!first) throw new Error('no platform account is configured');
    return first;
  }

  /** The named account, or a 400 that lists the configured ones. */
  resolve(name: string | undefined, path = 'body.platform'): Platform {
    if (name === undefined) return this.default;
    const p = this.byName.get(name);
    if (!p) {
      const known = this.platforms.map((x) => x.name).join(', ');
      throw new ApiError(
        'VALIDATION_FAILED',
        `${path}: unknown platform account '${name}'; configured: ${known}`,
        [{ path, message: `unknown platform account '${name}'; configured: ${known}` }],
      );
    }
    return p;
  }

  find(name: string | null): Platform | undefined {
    return name === null ? undefined : this.byName.get(name);
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.platforms.map((p) => p.close()));
  }
}
