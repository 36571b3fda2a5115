import { isDigest, type Digest } from './digest.js';
import { AppError } from './errors.js';
import {
  isImageManifestMediaType,
  isIndexMediaType,
  MediaTypes,
} from './media-types.js';

/** A content descriptor (OCI image-spec "Descriptor"). */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string> | undefined;
  platform?:
    | { os: string; architecture: string; variant?: string | undefined }
    | undefined;
  artifactType?: string | undefined;
}

export type ParsedManifest =
  | {
      kind: 'image';
      mediaType: string;
      config: Descriptor;
      layers: Descriptor[];
      subject?: Descriptor | undefined;
      artifactType?: string | undefined;
    }
  | {
      kind: 'index';
      mediaType: string;
      manifests: Descriptor[];
      subject?: Descriptor | undefined;
    };

export type ManifestErrorCode = 'MANIFEST_INVALID' | 'MANIFEST_UNSUPPORTED';
export class ManifestError extends AppError<ManifestErrorCode> {}

/**
 * Parses an image manifest or index (OCI 1.1, Docker schema 2 and manifest
 * list). The media type comes from the body when present, else from the
 * Content-Type it was served with. Throws ManifestError MANIFEST_INVALID for
 * malformed JSON or descriptors, MANIFEST_UNSUPPORTED for other types
 * (e.g. Docker schema 1).
 */
export function parseManifest(
  body: Buffer,
  contentType?: string,
): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new ManifestError('MANIFEST_INVALID', 'manifest is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ManifestError(
      'MANIFEST_INVALID',
      'manifest is not a JSON object',
    );
  }
  if (doc.schemaVersion !== 2)
    throw new ManifestError(
      'MANIFEST_UNSUPPORTED',
      `unsupported schemaVersion ${String(doc.schemaVersion)}`,
    );
  const mediaType =
    typeof doc.mediaType === 'string'
      ? doc.mediaType
      : inferMediaType(doc, contentType);
  const subject =
    doc.subject === undefined ? undefined : descriptor(doc.subject, 'subject');
  if (isIndexMediaType(mediaType)) {
    return {
      kind: 'index',
      mediaType,
      manifests: descriptors(doc.manifests, 'manifests'),
      subject,
    };
  }
  if (isImageManifestMediaType(mediaType)) {
    return {
      kind: 'image',
      mediaType,
      config: descriptor(doc.config, 'config'),
      layers: descriptors(doc.layers ?? [], 'layers'),
      subject,
      artifactType:
        typeof doc.artifactType === 'string' ? doc.artifactType : undefined,
    };
  }
  throw new ManifestError(
    'MANIFEST_UNSUPPORTED',
    `unsupported manifest media type ${mediaType}`,
  );
}

/** `os/arch[/variant]` of a descriptor's platform. */
export function platformName(d: Descriptor): string | undefined {
  if (!d.platform) return undefined;
  return [d.platform.os, d.platform.architecture, d.platform.variant]
    .filter(Boolean)
    .join('/');
}

function inferMediaType(
  doc: Record<string, unknown>,
  contentType: string | undefined,
): string {
  // OCI allows omitting mediaType in the body; the served type then decides.
  if (
    contentType &&
    (isIndexMediaType(contentType) || isImageManifestMediaType(contentType))
  )
    return contentType;
  if (Array.isArray(doc.manifests)) return MediaTypes.ociIndex;
  if (doc.config !== undefined) return MediaTypes.ociManifest;
  return contentType ?? 'unknown';
}

function descriptors(value: unknown, field: string): Descriptor[] {
  if (!Array.isArray(value))
    throw new ManifestError('MANIFEST_INVALID', `${field} must be an array`);
  return value.map((v, i) => descriptor(v, `${field}[${i}]`));
}

function descriptor(value: unknown, field: string): Descriptor {
  const v = value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null)
    throw new ManifestError(
      'MANIFEST_INVALID',
      `${field} must be a descriptor`,
    );
  if (typeof v.mediaType !== 'string')
    throw new ManifestError('MANIFEST_INVALID', `${field}.mediaType missing`);
  if (typeof v.digest !== 'string' || !isDigest(v.digest))
    throw new ManifestError('MANIFEST_INVALID', `${field}.digest invalid`);
  if (
    typeof v.size !== 'number' ||
    !Number.isSafeInteger(v.size) ||
    v.size < 0
  ) {
    throw new ManifestError('MANIFEST_INVALID', `${field}.size invalid`);
  }
  const p = v.platform as Record<string, unknown> | undefined;
  return {
    mediaType: v.mediaType,
    digest: v.digest,
    size: v.size,
    annotations:
      (v.annotations as Record<string, string> | undefined) ?? undefined,
    artifactType:
      typeof v.artifactType === 'string' ? v.artifactType : undefined,
    platform:
      p && typeof p.os === 'string' && typeof p.architecture === 'string'
        ? {
            os: p.os,
            architecture: p.architecture,
            variant: typeof p.variant === 'string' ? p.variant : undefined,
          }
        : undefined,
  };
}
