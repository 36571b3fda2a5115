import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isValidSignature, signBody, toCloudEvent } from './cloud-event.js';

describe('toCloudEvent', () => {
  it('makes a CloudEvents 1.0 structured event of an outbox event', () => {
    expect(
      toCloudEvent(
        {
          outboxId: 7,
          eventId: '0b6c3f0e-7a1d-4e8e-9a52-2d4f3c1b9e01',
          type: 'customs.verdict.changed',
          subject: 'team/app@sha256:ab',
          data: { environment: 'prod', old: 'eligible', new: 'ineligible' },
          time: '2026-01-02T03:04:05.000Z',
          attempts: 3,
        },
        '/customs/eu-1',
      ),
    ).toEqual({
      specversion: '1.0',
      id: '0b6c3f0e-7a1d-4e8e-9a52-2d4f3c1b9e01',
      source: '/customs/eu-1',
      type: 'customs.verdict.changed',
      subject: 'team/app@sha256:ab',
      time: '2026-01-02T03:04:05.000Z',
      datacontenttype: 'application/json',
      data: { environment: 'prod', old: 'eligible', new: 'ineligible' },
    });
  });
});

describe('signBody', () => {
  it('is the hex HMAC-SHA256 of the exact bytes', () => {
    const body = '{"a":1}';
    const want = createHmac('sha256', 's3cret').update(body).digest('hex');
    expect(signBody(body, 's3cret')).toBe(`sha256=${want}`);
    // RFC 4231 test case 2.
    expect(signBody('what do ya want for nothing?', 'Jefe')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('verifies only the right body with the right secret', () => {
    const header = signBody('{"a":1}', 'k');
    expect(isValidSignature('{"a":1}', header, 'k')).toBe(true);
    expect(isValidSignature('{"a": 1}', header, 'k')).toBe(false);
    expect(isValidSignature('{"a":1}', header, 'other')).toBe(false);
    expect(isValidSignature('{"a":1}', undefined, 'k')).toBe(false);
    expect(isValidSignature('{"a":1}', 'sha256=00', 'k')).toBe(false);
  });
});
