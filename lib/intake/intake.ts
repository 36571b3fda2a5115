import type { Logger } from 'pino';
import type { Digest } from '../core/digest.js';
import type { JobQueue } from '../scan/jobs.js';
import type { EventStore, ManifestStore } from '../storage/ports.js';
import {
  intentOf,
  type EventIntent,
  type IntakeEvent,
} from './intake-event.js';

export interface IntakeDeps {
  events: EventStore;
  manifests: Pick<ManifestStore, 'setTag' | 'forget' | 'untag'>;
  jobs: Pick<JobQueue, 'sendScan' | 'sendReevaluate'>;
  /** Whether the upstream still holds a manifest (after a tag delete). */
  upstream: {
    headManifest(
      repository: string,
      reference: string,
    ): Promise<{ digest: Digest } | undefined>;
  };
  logger: Logger;
}

export interface IntakeSummary {
  /** Events stored and acted on. */
  accepted: number;
  /** Events seen before (redeliveries): nothing done again. */
  duplicates: number;
  /** Events not acted on (pulls, blob pushes, mounts). */
  ignored: number;
}

/**
 * Stores each actionable event once (by source + event id) and queues its
 * work. When queueing fails the stored event is removed again and the error
 * thrown, so the registry's redelivery retries it; nothing is half-done.
 */
export async function acceptEvents(
  deps: IntakeDeps,
  source: string,
  events: IntakeEvent[],
): Promise<IntakeSummary> {
  const summary: IntakeSummary = { accepted: 0, duplicates: 0, ignored: 0 };
  for (const event of events) {
    const intent = intentOf(event);
    if (intent.kind === 'ignore') {
      summary.ignored++;
      continue;
    }
    const isNew = await deps.events.record({
      source,
      eventId: event.id,
      action: event.action,
      repository: intent.repository,
      digest: event.digest,
      tag: event.tag,
      mediaType: event.mediaType,
      outcome: intent.kind,
      body: event.body,
    });
    if (!isNew) {
      summary.duplicates++;
      continue;
    }
    try {
      await act(deps, intent);
    } catch (err: unknown) {
      await deps.events.remove(source, event.id);
      throw err;
    }
    summary.accepted++;
    deps.logger.info(
      {
        repository: intent.repository,
        digest: intent.digest,
        intent: intent.kind,
        eventId: event.id,
      },
      'event accepted',
    );
  }
  return summary;
}

async function act(
  deps: IntakeDeps,
  intent: Exclude<EventIntent, { kind: 'ignore' }>,
): Promise<void> {
  if (intent.kind === 'delete') {
    await forgetDeleted(deps, intent);
  } else if (intent.kind === 'scan') {
    if (intent.tag)
      await deps.manifests.setTag(intent.repository, intent.tag, intent.digest);
    await deps.jobs.sendScan({
      repository: intent.repository,
      digest: intent.digest,
      reason: 'push',
    });
  } else {
    await deps.jobs.sendReevaluate({
      repository: intent.repository,
      digest: intent.digest,
      reason: `signature pushed (${intent.tag})`,
      hint: { digest: intent.signatureDigest, tag: intent.tag },
    });
  }
}

/**
 * Forgets what the registry deleted, so no door serves it from stored
 * copies. A tag delete that names a digest forgets the digest too when the
 * upstream no longer has it, or cannot say (fail closed: the reconcile walk
 * queues it again if it is still there).
 */
async function forgetDeleted(
  deps: IntakeDeps,
  intent: Extract<EventIntent, { kind: 'delete' }>,
): Promise<void> {
  const { repository, digest, tag } = intent;
  if (tag) await deps.manifests.untag(repository, tag);
  if (!digest) return;
  if (tag && (await stillUpstream(deps, repository, digest))) return;
  const known = await deps.manifests.forget(repository, digest);
  if (known)
    deps.logger.info(
      { repository, digest },
      'image deleted upstream: forgotten',
    );
}

async function stillUpstream(
  deps: IntakeDeps,
  repository: string,
  digest: Digest,
): Promise<boolean> {
  try {
    return (await deps.upstream.headManifest(repository, digest)) !== undefined;
  } catch (err: unknown) {
    deps.logger.warn(
      { err, repository, digest },
      'upstream unreachable after a tag delete: forgetting the image',
    );
    return false;
  }
}
