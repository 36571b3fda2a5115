import { describe, expect, it } from 'vitest';
import { TokenCache } from './token-cache.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('TokenCache', () => {
  it('keeps a token until expires_in minus a 10 s margin', () => {
    const c = clock();
    const cache = new TokenCache(c.now);
    cache.set('repository:a:pull', 't1', 300);
    c.advance(289_999);
    expect(cache.get('repository:a:pull')).toBe('t1');
    c.advance(1);
    expect(cache.get('repository:a:pull')).toBeUndefined();
  });

  it('assumes 60 s when expires_in is missing or not positive', () => {
    for (const expiresIn of [undefined, 0, -5]) {
      const c = clock();
      const cache = new TokenCache(c.now);
      cache.set('k', 't', expiresIn);
      c.advance(49_999);
      expect(cache.get('k')).toBe('t');
      c.advance(1);
      expect(cache.get('k')).toBeUndefined();
    }
  });

  it('uses a quarter of the lifetime as margin for short-lived tokens', () => {
    const c = clock();
    const cache = new TokenCache(c.now);
    cache.set('k', 't', 4);
    c.advance(2_999);
    expect(cache.get('k')).toBe('t');
    c.advance(1);
    expect(cache.get('k')).toBeUndefined();
  });

  it('keeps scopes apart, replaces and deletes entries', () => {
    const cache = new TokenCache(clock().now);
    cache.set('a', 'ta');
    cache.set('b', 'tb');
    cache.set('a', 'ta2');
    cache.delete('b');
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([
      'ta2',
      undefined,
      undefined,
    ]);
  });

  it('stays bounded, evicting the oldest entry', () => {
    const cache = new TokenCache(clock().now);
    for (let i = 0; i <= 1_000; i++) cache.set(`k${i}`, `t${i}`);
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k1')).toBe('t1');
    expect(cache.get('k1000')).toBe('t1000');
  });
});
