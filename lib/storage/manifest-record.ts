import type { Digest } from '../core/digest.js';
import {
  platformName,
  type Descriptor,
  type ParsedManifest,
} from '../core/manifest.js';
import { MediaTypes } from '../core/media-types.js';
import type { ManifestKind, ManifestRecord, ReferenceRole } from './ports.js';

/** A manifest whose layers are all cosign signatures, or that names a subject, is not an image. */
export function classifyManifest(m: ParsedManifest): ManifestKind {
  if (m.kind === 'index') return 'index';
  if (
    m.layers.length > 0 &&
    m.layers.every((l) => l.mediaType === MediaTypes.cosignSimpleSigning)
  )
    return 'signature';
  if (m.subject || (m.artifactType && m.artifactType !== MediaTypes.ociConfig))
    return 'artifact';
  return 'image';
}

/**
 * The stored form of a verified manifest and what it references. `subject`
 * names the image a signature found by tag is about (legacy cosign tags
 * carry no `subject` field of their own).
 */
export function toManifestRecord(
  digest: Digest,
  body: Buffer,
  parsed: ParsedManifest,
  subject?: Digest,
): ManifestRecord {
  const ref = (role: ReferenceRole, d: Descriptor) => ({
    role,
    digest: d.digest,
    mediaType: d.mediaType,
    sizeBytes: d.size,
    platform: platformName(d),
  });
  const references =
    parsed.kind === 'index'
      ? parsed.manifests.map((m) => ref('manifest', m))
      : [
          ref('config', parsed.config),
          ...parsed.layers.map((l) => ref('layer', l)),
        ];
  return {
    digest,
    mediaType: parsed.mediaType,
    kind:
      subject && parsed.kind === 'image'
        ? 'signature'
        : classifyManifest(parsed),
    body,
    subjectDigest: subject ?? parsed.subject?.digest,
    references,
  };
}
