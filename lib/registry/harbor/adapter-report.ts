import type { Digest } from '../../core/digest.js';
import type { Finding } from '../../core/finding.js';
import { SEVERITIES, type Severity } from '../../core/severity.js';

/**
 * Harbor Pluggable Scanner API v1.x (goharbor/pluggable-scanner-spec,
 * scanner-adapter-openapi-v1.2): the shapes Harbor reads.
 */
export const HARBOR_MIME = {
  metadata: 'application/vnd.scanner.adapter.metadata+json; version=1.1',
  scanRequest: 'application/vnd.scanner.adapter.scan.request+json',
  scanResponse:
    'application/vnd.scanner.adapter.scan.response+json; version=1.0',
  harborReport:
    'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0',
  securityReport: 'application/vnd.security.vulnerability.report; version=1.1',
  sbomReport: 'application/vnd.security.sbom.report+json; version=1.0',
  error: 'application/vnd.scanner.adapter.error+json; version=1.0',
} as const;

const CONSUMES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

/** `GET /api/v1/metadata`: what Customs scans and reports. */
export function adapterMetadata(
  version: string,
  dataUpdatedAt: string | null,
): object {
  return {
    scanner: { name: 'Customs', vendor: 'Customs', version },
    capabilities: [
      {
        type: 'vulnerability',
        consumes_mime_types: CONSUMES,
        produces_mime_types: [
          HARBOR_MIME.harborReport,
          HARBOR_MIME.securityReport,
        ],
      },
      {
        type: 'sbom',
        consumes_mime_types: CONSUMES,
        produces_mime_types: [HARBOR_MIME.sbomReport],
        additional_attributes: {
          sbom_media_types: [
            'application/spdx+json',
            'application/vnd.cyclonedx+json',
          ],
        },
      },
    ],
    properties: {
      'harbor.scanner-adapter/scanner-type': 'os-package-vulnerability',
      ...(dataUpdatedAt
        ? {
            'harbor.scanner-adapter/vulnerability-database-updated-at':
              dataUpdatedAt,
          }
        : {}),
    },
  };
}

/** A scan request id that names the image itself: repeated requests share it. */
export function scanRequestId(repository: string, digest: Digest): string {
  return Buffer.from(`${repository}@${digest}`).toString('base64url');
}

/** The image a scan request id names; undefined for an id Customs did not issue. */
export function imageOfRequestId(
  id: string,
): { repository: string; digest: string } | undefined {
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const at = text.lastIndexOf('@');
  return at > 0
    ? { repository: text.slice(0, at), digest: text.slice(at + 1) }
    : undefined;
}

const HARBOR_SEVERITY: Record<Severity, string> = {
  unknown: 'Unknown',
  negligible: 'Negligible',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/** Harbor's vulnerability report of an image's findings. */
export function harborReport(
  image: { repository: string; digest: Digest; mediaType: string | undefined },
  findings: Finding[],
  scanner: { version: string },
  now: Date,
): object {
  const vulnerabilities = findings.map((f) => ({
    id: f.aliases.find((a) => a.startsWith('CVE-')) ?? f.advisoryId,
    package: f.packageName,
    version: f.packageVersion,
    ...(f.fixedVersion ? { fix_version: f.fixedVersion } : {}),
    severity: HARBOR_SEVERITY[f.severity],
    ...(f.summary ? { description: f.summary } : {}),
    links: [
      `https://osv.dev/vulnerability/${encodeURIComponent(f.advisoryId)}`,
    ],
    ...(f.cvssScore !== undefined
      ? { preferred_cvss: { score_v3: f.cvssScore } }
      : {}),
  }));
  return {
    generated_at: now.toISOString(),
    artifact: {
      repository: image.repository,
      digest: image.digest,
      ...(image.mediaType ? { mime_type: image.mediaType } : {}),
    },
    scanner: { name: 'Customs', vendor: 'Customs', version: scanner.version },
    severity: HARBOR_SEVERITY[worst(findings.map((f) => f.severity))],
    vulnerabilities,
  };
}

/** The most severe level; unknown only when nothing is known (none at all = Unknown too). */
function worst(levels: Severity[]): Severity {
  let best: Severity = 'unknown';
  for (const level of levels) {
    if (level === 'unknown') continue;
    if (
      best === 'unknown' ||
      SEVERITIES.indexOf(level) > SEVERITIES.indexOf(best)
    )
      best = level;
  }
  return best;
}
