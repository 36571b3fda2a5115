import { parseLicense, type LicenseNode } from '../core/license-expression.js';
import { licenseKey } from '../core/license-names.js';
import type { ImagePackage } from '../core/package.js';
import type { VerdictReason } from '../core/verdict.js';

/** An environment's license rules (see rules.ts). */
export interface LicenseRules {
  /** Licenses never acceptable (deny wins over allow). */
  deny: string[];
  /** When non-empty, only these licenses are acceptable. */
  allow: string[];
  /** What a package without a declared license does: nothing, or refuse. */
  unknown: 'ignore' | 'deny';
}

/** What license rules read of a package. */
export type LicensedPackage = Pick<
  ImagePackage,
  'ecosystem' | 'name' | 'version' | 'license'
>;

/** True when the rules can refuse anything (judging then reads packages). */
export function hasLicenseRules(rules: LicenseRules): boolean {
  return (
    rules.deny.length > 0 || rules.allow.length > 0 || rules.unknown === 'deny'
  );
}

/** Most packages quoted in one reason; `details.packages` lists them all. */
const MAX_QUOTED = 10;

/**
 * The violations of an environment's license rules by the image's
 * packages: `LICENSE_DENIED` for packages whose declared license is not
 * acceptable, `LICENSE_UNKNOWN` for packages declaring none when
 * `unknown: deny`. A license is acceptable when it is not denied and,
 * with a non-empty allow list, allowed; an `OR` expression when any of its
 * alternatives is, `AND` when all are; `A WITH B` when the pair is listed
 * as such, or when both A and B are acceptable (a denied A or B refuses
 * it). Names compare by `licenseKey` (SPDX id when known, else the text;
 * case-insensitive).
 */
export function judgeLicenses(
  packages: readonly LicensedPackage[],
  rules: LicenseRules,
): VerdictReason[] {
  if (!hasLicenseRules(rules)) return [];
  const verdict = licenseVerdict(rules);
  const refused: LicensedPackage[] = [];
  const unknown: LicensedPackage[] = [];
  for (const p of packages) {
    if (p.license === undefined) {
      if (rules.unknown === 'deny') unknown.push(p);
    } else if (!verdict(p.license)) refused.push(p);
  }
  return [
    ...reason(refused, 'LICENSE_DENIED', (n, list) =>
      n === 1
        ? `license not acceptable in this environment: ${list}`
        : `${n} packages with licenses not acceptable in this environment: ${list}`,
    ),
    ...reason(unknown, 'LICENSE_UNKNOWN', (n, list) =>
      n === 1
        ? `package declares no license (unknown licenses are denied): ${list}`
        : `${n} packages declare no license (unknown licenses are denied): ${list}`,
    ),
  ];
}

/** A cached test of declared licenses against `rules`. */
function licenseVerdict(rules: LicenseRules): (license: string) => boolean {
  const deny = new Set(rules.deny.map(ruleKey));
  const allow = new Set(rules.allow.map(ruleKey));
  const isDenied = (key: string): boolean => deny.has(key);
  const isAllowed = (key: string): boolean =>
    allow.size === 0 || allow.has(key);
  const accept = (node: LicenseNode): boolean => {
    switch (node.kind) {
      case 'license': {
        const key = licenseKey(node.name);
        return !isDenied(key) && isAllowed(key);
      }
      case 'with': {
        const license = licenseKey(node.license);
        const exception = licenseKey(node.exception);
        const pair = `${license} with ${exception}`;
        if (isDenied(pair) || isDenied(license) || isDenied(exception))
          return false;
        return allow.has(pair) || (isAllowed(license) && isAllowed(exception));
      }
      case 'and':
        return node.terms.every(accept);
      case 'or':
        return node.terms.some(accept);
    }
  };
  const cache = new Map<string, boolean>();
  return (license) => {
    let ok = cache.get(license);
    if (ok === undefined) {
      ok = accept(parseLicense(license));
      cache.set(license, ok);
    }
    return ok;
  };
}

/** The key of a rule entry: one license, or `license WITH exception`. */
function ruleKey(entry: string): string {
  const node = parseLicense(entry);
  return node.kind === 'with'
    ? `${licenseKey(node.license)} with ${licenseKey(node.exception)}`
    : licenseKey(entry);
}

function reason(
  packages: LicensedPackage[],
  code: 'LICENSE_DENIED' | 'LICENSE_UNKNOWN',
  message: (count: number, list: string) => string,
): VerdictReason[] {
  if (packages.length === 0) return [];
  const seen = new Map<string, LicensedPackage>();
  for (const p of packages)
    seen.set(`${p.ecosystem}\u0000${p.name}@${p.version}\u0000${p.license}`, p);
  const distinct = [...seen.values()];
  const quoted = distinct
    .slice(0, MAX_QUOTED)
    .map(
      (p) =>
        `${p.name}@${p.version}${p.license === undefined ? '' : ` (${p.license})`}`,
    )
    .join(', ');
  const more =
    distinct.length > MAX_QUOTED ? `, … (${distinct.length} in all)` : '';
  return [
    {
      code,
      message: message(distinct.length, quoted + more),
      details: {
        packages: distinct.map((p) => ({
          ecosystem: p.ecosystem,
          name: p.name,
          version: p.version,
          license: p.license ?? null,
        })),
      },
    },
  ];
}
