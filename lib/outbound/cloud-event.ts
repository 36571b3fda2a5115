import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OutboxEvent } from '../storage/ports.js';

/** Header carrying the body's signature: `sha256=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'x-customs-signature';
/** Media type of a structured-mode CloudEvent (CloudEvents JSON format §4). */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json; charset=utf-8';

/** A CloudEvents 1.0 event in structured JSON mode. */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: unknown;
}

/**
 * The CloudEvents 1.0 form of an outbox event
 * (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md):
 * `id` is the outbox event id, the same on every retry, so a sink can
 * de-duplicate (delivery is at least once).
 */
export function toCloudEvent(event: OutboxEvent, source: string): CloudEvent {
  return {
    specversion: '1.0',
    id: event.eventId,
    source,
    type: event.type,
    subject: event.subject,
    time: event.time,
    datacontenttype: 'application/json',
    data: event.data,
  };
}

/** `sha256=<hex>`: HMAC-SHA256 of the exact body bytes with `secret`. */
export function signBody(body: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Checks a signature header against the body, in constant time: what a
 * sink does with the bytes it received (before parsing them).
 */
export function isValidSignature(
  body: Buffer | string,
  header: string | undefined,
  secret: string,
): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signBody(body, secret));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
