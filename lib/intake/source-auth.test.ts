import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSourceAuthorized } from './source-auth.js';

const body = Buffer.from('{"events":[]}');
const mac = createHmac('sha256', 'k3y').update(body).digest('hex');

describe('isSourceAuthorized', () => {
  it.each([
    [
      { mode: 'bearer', secret: 's' } as const,
      { authorization: 'Bearer s' },
      true,
    ],
    [
      { mode: 'bearer', secret: 's' } as const,
      { authorization: 'Bearer t' },
      false,
    ],
    [
      { mode: 'bearer', secret: '' } as const,
      { authorization: 'Bearer ' },
      false,
    ],
    [
      { mode: 'header', header: 'Authorization', secret: 'Basic abc' } as const,
      { authorization: 'Basic abc' },
      true,
    ],
    [
      { mode: 'header', header: 'X-Harbor-Auth', secret: 'tok' } as const,
      { 'x-harbor-auth': 'tok' },
      true,
    ],
    [
      { mode: 'header', header: 'X-Harbor-Auth', secret: 'tok' } as const,
      {},
      false,
    ],
    [
      { mode: 'hmac', header: 'X-Signature', secret: 'k3y' } as const,
      { 'x-signature': mac },
      true,
    ],
    [
      { mode: 'hmac', header: 'X-Signature', secret: 'k3y' } as const,
      { 'x-signature': `sha256=${mac.toUpperCase()}` },
      true,
    ],
    [
      { mode: 'hmac', header: 'X-Signature', secret: 'other' } as const,
      { 'x-signature': mac },
      false,
    ],
    [
      { mode: 'hmac', header: 'X-Signature', secret: 'k3y' } as const,
      { 'x-signature': 'sha256=zz' },
      false,
    ],
  ])('%j with %j → %s', (auth, headers, expected) => {
    expect(isSourceAuthorized(auth, headers, body)).toBe(expected);
  });

  it('binds the HMAC to the exact body', () => {
    const auth = {
      mode: 'hmac',
      header: 'X-Signature',
      secret: 'k3y',
    } as const;
    expect(
      isSourceAuthorized(
        auth,
        { 'x-signature': mac },
        Buffer.from('{"events": []}'),
      ),
    ).toBe(false);
  });
});
