import { describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import { createLogger } from '../../log/create-logger.js';
import type { Announcements } from '../../storage/announcements.js';
import { TagCache, type TagResolver } from './tag-cache.js';

const A = `sha256:${'a'.repeat(64)}` as Digest;
const B = `sha256:${'b'.repeat(64)}` as Digest;
const OCI = ['application/vnd.oci.image.manifest.v1+json'];
const ALL = [...OCI, 'application/vnd.oci.image.index.v1+json'];

/** One channel in memory: what the database's LISTEN/NOTIFY does across replicas. */
class Channel implements Announcements {
  listeners = new Set<{
    onPayload: (p: string) => void;
    onLost?: ((err: Error) => void) | undefined;
  }>();
  failNextListen = false;

  listen(
    _channel: string,
    onPayload: (payload: string) => void,
    onLost?: (err: Error) => void,
  ): Promise<() => Promise<void>> {
    if (this.failNextListen) {
      this.failNextListen = false;
      return Promise.reject(new Error('connection refused'));
    }
    const listener = { onPayload, onLost };
    this.listeners.add(listener);
    return Promise.resolve(() => {
      this.listeners.delete(listener);
      return Promise.resolve();
    });
  }

  announce(payload: string): void {
    for (const l of this.listeners) l.onPayload(payload);
  }

  lose(): void {
    const lost = [...this.listeners];
    this.listeners.clear();
    for (const l of lost) l.onLost?.(new Error('connection reset'));
  }
}

/** A registry whose tags the test moves, counting the lookups it answers. */
function registry(tags: Record<string, Digest | undefined>) {
  const asked: string[] = [];
  const resolve: TagResolver = (repository, tag, accept) => {
    asked.push(`${repository}:${tag}#${accept.length}`);
    return Promise.resolve(tags[`${repository}:${tag}`]);
  };
  return { tags, asked, resolve };
}

async function started(
  resolve: TagResolver,
  options: { ttlMs?: number; maxEntries?: number } = {},
) {
  let now = 1_000_000;
  const channel = new Channel();
  const cache = new TagCache({
    resolve,
    ttlMs: options.ttlMs ?? 1000,
    maxEntries: options.maxEntries ?? 100,
    notifications: channel,
    channel: 'customs_tags',
    logger: createLogger({ level: 'silent' }),
    now: () => now,
  });
  await cache.start();
  return {
    cache,
    channel,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('TagCache', () => {
  it('reuses a resolved tag until its time is up, then asks again', async () => {
    const upstream = registry({ 'team/app:1.0': A });
    const { cache, advance } = await started(upstream.resolve);
    expect(await cache.resolve('team/app', '1.0', OCI)).toBe(A);
    advance(999);
    upstream.tags['team/app:1.0'] = B;
    expect(await cache.resolve('team/app', '1.0', OCI)).toBe(A);
    expect(upstream.asked).toHaveLength(1);
    advance(1);
    expect(await cache.resolve('team/app', '1.0', OCI)).toBe(B);
    expect(upstream.asked).toHaveLength(2);
  });

  it('drops a tag the store announces as moved, and only that tag', async () => {
    const upstream = registry({ 'team/app:1.0': A, 'team/app:2.0': A });
    const { cache, channel } = await started(upstream.resolve);
    await cache.resolve('team/app', '1.0', OCI);
    await cache.resolve('team/app', '2.0', OCI);
    upstream.tags['team/app:1.0'] = B;
    channel.announce(JSON.stringify(['team/app:1.0']));
    expect(await cache.resolve('team/app', '1.0', OCI)).toBe(B);
    expect(await cache.resolve('team/app', '2.0', OCI)).toBe(A);
    expect(upstream.asked).toEqual([
      'team/app:1.0#1',
      'team/app:2.0#1',
      'team/app:1.0#1',
    ]);
  });

  it('drops every Accept variant of a moved tag', async () => {
    const upstream = registry({ 'app:latest': A });
    const { cache, channel } = await started(upstream.resolve);
    await cache.resolve('app', 'latest', OCI);
    await cache.resolve('app', 'latest', ALL);
    await cache.resolve('app', 'latest', ALL);
    expect(upstream.asked).toEqual(['app:latest#1', 'app:latest#2']);
    channel.announce(JSON.stringify(['app:latest']));
    await cache.resolve('app', 'latest', OCI);
    await cache.resolve('app', 'latest', ALL);
    expect(upstream.asked).toHaveLength(4);
  });

  it('drops everything on an announcement it cannot read', async () => {
    const upstream = registry({ 'app:1': A, 'app:2': A });
    const { cache, channel } = await started(upstream.resolve);
    await cache.resolve('app', '1', OCI);
    await cache.resolve('app', '2', OCI);
    channel.announce('not json');
    await cache.resolve('app', '1', OCI);
    await cache.resolve('app', '2', OCI);
    expect(upstream.asked).toHaveLength(4);
  });

  it('drops a tag written through this replica', async () => {
    const upstream = registry({ 'app:1': A });
    const { cache } = await started(upstream.resolve);
    await cache.resolve('app', '1', OCI);
    upstream.tags['app:1'] = B;
    cache.drop('app', '1');
    expect(await cache.resolve('app', '1', OCI)).toBe(B);
  });

  it('never remembers an unknown tag or a failed lookup', async () => {
    let fail = true;
    const upstream = registry({});
    const { cache } = await started((repository, tag, accept) =>
      fail
        ? Promise.reject(new Error('upstream 500'))
        : upstream.resolve(repository, tag, accept),
    );
    await expect(cache.resolve('app', '1', OCI)).rejects.toThrow(
      'upstream 500',
    );
    fail = false;
    expect(await cache.resolve('app', '1', OCI)).toBeUndefined();
    upstream.tags['app:1'] = A;
    expect(await cache.resolve('app', '1', OCI)).toBe(A);
    expect(upstream.asked).toHaveLength(2);
  });

  it('shares one upstream lookup between concurrent pulls of a tag', async () => {
    let calls = 0;
    let answer: (d: Digest) => void = () => undefined;
    const { cache } = await started(() => {
      calls++;
      return new Promise<Digest>((r) => (answer = r));
    });
    const pulls = [1, 2, 3].map(() => cache.resolve('app', '1', OCI));
    answer(A);
    expect(await Promise.all(pulls)).toEqual([A, A, A]);
    expect(calls).toBe(1);
  });

  it('caches nothing while announcements may be missed', async () => {
    const upstream = registry({ 'app:1': A });
    const { cache, channel } = await started(upstream.resolve);
    await cache.resolve('app', '1', OCI);
    channel.failNextListen = true;
    channel.lose();
    upstream.tags['app:1'] = B;
    // Lost: what was cached is gone, and nothing new is kept.
    expect(await cache.resolve('app', '1', OCI)).toBe(B);
    expect(await cache.resolve('app', '1', OCI)).toBe(B);
    expect(upstream.asked).toHaveLength(3);
    // The retry a second later subscribes again; caching resumes.
    await new Promise((r) => setTimeout(r, 1100));
    expect(channel.listeners.size).toBe(1);
    await cache.resolve('app', '1', OCI);
    await cache.resolve('app', '1', OCI);
    expect(upstream.asked).toHaveLength(4);
    await cache.close();
  });

  it('keeps at most maxEntries tags, dropping the least recently resolved', async () => {
    const upstream = registry({ 'app:1': A, 'app:2': A, 'app:3': A });
    const { cache } = await started(upstream.resolve, { maxEntries: 2 });
    await cache.resolve('app', '1', OCI);
    await cache.resolve('app', '2', OCI);
    await cache.resolve('app', '3', OCI);
    expect(upstream.asked).toHaveLength(3);
    await cache.resolve('app', '3', OCI);
    await cache.resolve('app', '2', OCI);
    expect(upstream.asked).toHaveLength(3);
    await cache.resolve('app', '1', OCI);
    expect(upstream.asked).toHaveLength(4);
  });
});
