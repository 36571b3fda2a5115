import type { Digest } from '../core/digest.js';

/** DSSE payload type of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** Predicate cosign (v2.5+/v3) puts in the statement of a plain signature. */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

/** What the rules see of a verified attestation. */
export interface PredicateSummary {
  predicateType: string;
  /** SLSA provenance builder id (v0.2 `builder.id`, v1 `runDetails.builder.id`). */
  builderId?: string | undefined;
  /** SLSA v1 build type / v0.2 buildType. */
  buildType?: string | undefined;
  /** Vulnerability scan: scanner name; SBOM: its format. */
  scanner?: string | undefined;
  /** The predicate itself when small (bounded by the caller). */
  predicate?: unknown;
}

/** A statement that names the subject, or why it does not. */
export type StatementCheck =
  | { ok: true; summary: PredicateSummary }
  | { ok: false; code: 'MALFORMED' | 'DIGEST_MISMATCH'; reason: string };

const MAX_PREDICATE_BYTES = 16 * 1024;

/**
 * Parses an in-toto statement (v0.1 or v1) and checks that one of its
 * subjects has the image digest. Returns a summary of its predicate for the
 * rules (SLSA provenance builder, scanner, SBOM format).
 */
export function checkStatement(payload: Buffer, image: Digest): StatementCheck {
  let doc: {
    _type?: unknown;
    subject?: unknown;
    predicateType?: unknown;
    predicate?: unknown;
  };
  try {
    doc = JSON.parse(payload.toString('utf8')) as typeof doc;
  } catch {
    return { ok: false, code: 'MALFORMED', reason: 'statement is not JSON' };
  }
  if (
    typeof doc._type !== 'string' ||
    !doc._type.startsWith('https://in-toto.io/Statement/') ||
    typeof doc.predicateType !== 'string' ||
    !Array.isArray(doc.subject)
  )
    return { ok: false, code: 'MALFORMED', reason: 'not an in-toto statement' };
  const [algorithm, hex] = image.split(':') as [string, string];
  const named = (doc.subject as Array<{ digest?: Record<string, unknown> }>)
    .map((s) => s?.digest?.[algorithm])
    .filter((d): d is string => typeof d === 'string');
  if (!named.includes(hex))
    return {
      ok: false,
      code: 'DIGEST_MISMATCH',
      reason: `statement subjects ${named.map((d) => `${algorithm}:${d.slice(0, 12)}…`).join(', ') || '(none)'} do not include ${image}`,
    };
  return { ok: true, summary: summarize(doc.predicateType, doc.predicate) };
}

function summarize(
  predicateType: string,
  predicate: unknown,
): PredicateSummary {
  const p = (predicate ?? {}) as Record<string, unknown>;
  const get = (...path: string[]): string | undefined => {
    let at: unknown = p;
    for (const key of path) at = (at as Record<string, unknown> | null)?.[key];
    return typeof at === 'string' ? at : undefined;
  };
  const small = JSON.stringify(predicate ?? null).length <= MAX_PREDICATE_BYTES;
  return {
    predicateType,
    builderId: get('runDetails', 'builder', 'id') ?? get('builder', 'id'),
    buildType: get('buildDefinition', 'buildType') ?? get('buildType'),
    scanner: get('scanner', 'uri') ?? get('scanner', 'name'),
    predicate: small ? predicate : undefined,
  };
}
