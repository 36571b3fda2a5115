import type { EnrichedFinding } from '../../../lib/policy/enrich-findings.js';
import type { ImageEvidence } from '../../../lib/core/image-evidence.js';
import type { ImagePackage } from '../../../lib/core/package.js';
import type { ScanRecord } from '../../../lib/storage/ports.js';
import { out } from './common.js';

/** One scanned image as `customs scan` prints it. */
export interface ImageResult {
  digest: string;
  scan: ScanRecord | undefined;
  packages: ImagePackage[];
  /** With attribution, exploitation signals and fix priority. */
  findings: Array<EnrichedFinding>;
  /** Secrets and other evidence besides packages. */
  evidence: ImageEvidence | undefined;
}

/** The human table: status, distribution, packages, findings. */
export function printTable(r: ImageResult): void {
  const failure = r.scan?.errorCode
    ? ` (${r.scan.errorCode}: ${r.scan.errorMessage ?? ''})`
    : '';
  out(`${r.digest}: scan ${r.scan?.status ?? 'none'}${failure}`);
  if (r.scan?.distribution)
    out(
      `distribution: ${r.scan.distribution.prettyName ?? r.scan.distribution.id}`,
    );
  for (const w of r.scan?.warnings ?? [])
    out(`warning: ${w.code} ${w.message}${w.path ? ` (${w.path})` : ''}`);
  out(`${r.packages.length} packages`);
  for (const p of r.packages)
    out(
      `  ${p.ecosystem.padEnd(12)} ${p.name.padEnd(32)} ${p.version.padEnd(24)} ${p.path}`,
    );
  if (r.findings.length > 0) out(`${r.findings.length} findings`);
  for (const f of r.findings) {
    const id = f.aliases.find((a) => a.startsWith('CVE-')) ?? f.advisoryId;
    const fixed = f.fixedVersion ? ` (fixed in ${f.fixedVersion})` : '';
    const undetermined = f.status === 'undetermined' ? ' [undetermined]' : '';
    const kev = f.exploit?.kevDateAdded ? ' [KEV]' : '';
    const origin = f.attribution ? ` (${f.attribution.origin})` : '';
    out(
      `  ${f.priority.level} ${id.padEnd(18)} ${f.severity.padEnd(10)} ${f.packageName} ${f.packageVersion}${fixed}${undetermined}${kev}${origin}`,
    );
  }
  printEvidence(r.evidence);
}

/** Secrets (masked) and the other evidence of one image. */
function printEvidence(evidence: ImageEvidence | undefined): void {
  const secrets = evidence?.secrets ?? [];
  if (secrets.length > 0) out(`${secrets.length} secrets`);
  const baseline = evidence?.baseline?.findings.length ?? 0;
  for (const s of secrets)
    out(
      `  ${s.ruleId.padEnd(26)} ${s.severity.padEnd(10)} ${s.path}:${s.line} (layer ${s.layerDigest.slice(7, 19)}) ${s.excerpt}`,
    );
  if (baseline > 0) out(`${baseline} configuration checks failed`);
  for (const b of evidence?.baseline?.findings ?? [])
    out(`  ${b.id.padEnd(26)} ${b.severity.padEnd(10)} ${b.title}: ${b.fix}`);
  const malware = evidence?.malware;
  if (malware === undefined) return;
  out(
    `malware: clamav ${malware.clamav}, hash lists ${malware.hashLists ? 'checked' : 'none'}, ${malware.findings.length} found`,
  );
  for (const m of malware.findings)
    out(
      `  ${m.name.padEnd(26)} ${m.source.padEnd(10)} ${m.path} (layer ${m.layerDigest.slice(7, 19)})`,
    );
}
