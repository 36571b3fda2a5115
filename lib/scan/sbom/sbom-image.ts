/** What an SBOM is written from: one scanned image and its packages. */
import { randomUUID } from 'node:crypto';
import type { Digest } from '../../core/digest.js';
import type { Distribution, ImagePackage } from '../../core/package.js';
import { formatPurl } from '../../core/purl.js';

/** An image as the SBOM writers take it. */
export interface SbomImage {
  /** Repository (`test/debian`), with the registry host when known. */
  repository: string;
  digest: Digest;
  distribution?: Distribution | undefined;
  packages: readonly ImagePackage[];
}

/** Who wrote the document and when; fixed in tests for stable output. */
export interface SbomOptions {
  toolName?: string | undefined;
  toolVersion: string;
  timestamp?: Date | undefined;
  /** A UUID naming this document (random by default). */
  uuid?: string | undefined;
}

/** The image's own purl (purl-spec type `oci`): `pkg:oci/debian@sha256%3A…?repository_url=…`. */
export function imagePurl(image: SbomImage): string {
  const slash = image.repository.lastIndexOf('/');
  return formatPurl({
    type: 'oci',
    name: image.repository.slice(slash + 1).toLowerCase(),
    version: image.digest,
    qualifiers: { repository_url: image.repository },
  });
}

/** Timestamp without milliseconds (SPDX requires `YYYY-MM-DDThh:mm:ssZ`). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The options with defaults filled in. */
export function withDefaults(options: SbomOptions): Required<SbomOptions> {
  return {
    toolName: options.toolName ?? 'customs',
    toolVersion: options.toolVersion,
    timestamp: options.timestamp ?? new Date(),
    uuid: options.uuid ?? randomUUID(),
  };
}
