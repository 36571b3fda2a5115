import { X509Certificate } from 'node:crypto';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import type { RuleSet } from '../policy/rules.js';
import type { NotationEntry } from '../policy/trust-rules.js';
import { parseTrustedKey, type TrustedKey } from './trusted-keys.js';
import { SignatureError } from './types.js';

/** Bumped when verification itself changes, so cached results are redone. */
export const VERIFIER_VERSION = 2;

/** A trusted key and, when its bundles' tlog entries are checked, its root. */
export interface KeyTrust extends TrustedKey {
  /** Trust material answering this key for any hint (bundles, DSSE). */
  material: TrustMaterial;
  /** Whether `material` holds a root whose tlog keys must vouch for entries. */
  checksTlog: boolean;
}

/** A keyless identity compiled from the rules. */
export interface IdentityTrust {
  name: string;
  root: string;
  matchesSubject(san: string): boolean;
  matchesIssuer(issuer: string): boolean;
}

/** A Notation trust policy with its certificates parsed. */
export interface NotationTrust extends Omit<
  NotationEntry,
  'trustStore' | 'tsaStore'
> {
  name: string;
  anchors: X509Certificate[];
  tsaAnchors: X509Certificate[];
}

/** Everything signatures are verified against, built once per rules version. */
export interface TrustContext {
  /** Cache key part: trust material + verifier version + claim options. */
  version: string;
  keys: KeyTrust[];
  roots: Map<string, { material: TrustMaterial; ctlogThreshold: number }>;
  identities: IdentityTrust[];
  notation: NotationTrust[];
}

const EMPTY_ROOT = TrustedRoot.fromJSON({
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
});

/**
 * Compiles the rules' trust entries. Throws SignatureError TRUST_INVALID
 * naming the entry when a trusted root or certificate cannot be used.
 */
export function buildTrust(rules: RuleSet, claimOptions: string): TrustContext {
  const roots = compileRoots(rules);
  const keys = Object.entries(rules.keys).map(([name, k]): KeyTrust => {
    const parsed = parseTrustedKey(name, k.publicKeyPem);
    const root = k.trustedRoot ? roots.get(k.trustedRoot)?.root : undefined;
    const material = toTrustMaterial(root ?? EMPTY_ROOT, () => ({
      publicKey: parsed.key,
      validFor: () => true,
    }));
    return { ...parsed, material, checksTlog: root !== undefined };
  });
  return {
    version: `${rules.trustVersion}:${VERIFIER_VERSION}:${claimOptions}`,
    keys,
    roots,
    identities: Object.entries(rules.identities).map(([name, e]) => ({
      name,
      root: e.trustedRoot,
      matchesSubject: matcher(e.subject, e.subjectRegex),
      matchesIssuer: matcher(e.issuer, e.issuerRegex),
    })),
    notation: Object.entries(rules.notation).map(([name, n]) =>
      notationTrust(name, n),
    ),
  };
}

function compileRoots(
  rules: RuleSet,
): Map<
  string,
  { material: TrustMaterial; ctlogThreshold: number; root: TrustedRoot }
> {
  const roots = new Map<
    string,
    { material: TrustMaterial; ctlogThreshold: number; root: TrustedRoot }
  >();
  for (const [name, r] of Object.entries(rules.trustedRoots)) {
    try {
      const root = TrustedRoot.fromJSON(r.json);
      roots.set(name, {
        root,
        material: toTrustMaterial(root),
        ctlogThreshold: r.ctlogThreshold,
      });
    } catch (err: unknown) {
      throw new SignatureError(
        'TRUST_INVALID',
        `trusted root "${name}" cannot be used: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return roots;
}

function notationTrust(
  name: string,
  n: RuleSet['notation'][string],
): NotationTrust {
  const parse = (ders: Buffer[]) => ders.map((d) => new X509Certificate(d));
  return {
    name,
    trustedIdentities: n.trustedIdentities,
    registryScopes: n.registryScopes,
    level: n.level,
    verifyTimestamp: n.verifyTimestamp,
    anchors: parse(n.certificates),
    tsaAnchors: parse(n.tsaCertificates),
  };
}

/** Exact match, or a regex anchored at both ends (cosign's --*-regexp). */
function matcher(
  exact: string | undefined,
  regex: string | undefined,
): (value: string) => boolean {
  if (exact !== undefined) return (value) => value === exact;
  const re = new RegExp(`^(?:${regex ?? ''})$`);
  return (value) => re.test(value);
}
