import type { Database } from '../database.js';
import type { Stores } from '../ports.js';
import { createAgeStore } from './age-store.js';
import { createAdminTokenStore } from './admin-token-store.js';
import { createAuditLog } from './audit-store.js';
import { createBreakGlassStore } from './break-glass-store.js';
import { createExceptionStore } from './exception-store.js';
import { createRuleVersionStore } from './rule-version-store.js';
import { createEventStore } from './event-store.js';
import { createEvidenceStore } from './evidence-store.js';
import { createExploitStore } from './exploit-store.js';
import { createFindingStore } from './finding-store.js';
import { createLayerResultStore } from './layer-result-store.js';
import { createManifestStore } from './manifest-store.js';
import { createPullCredentialStore } from './pull-credential-store.js';
import { createOverviewStore } from './overview-store.js';
import { createOutboxStore } from './outbox-store.js';
import { createRematchStore } from './rematch-store.js';
import { createScanStore } from './scan-store.js';
import { createServingIndex } from './serving-index.js';
import { createSignatureStore } from './signature-store.js';
import { createVerdictStore } from './verdict-store.js';
import { createVulnStore } from './vuln-store.js';

/** Every SQL store on one database. */
export function createStores(db: Database): Stores {
  return {
    events: createEventStore(db),
    manifests: createManifestStore(db),
    scans: createScanStore(db),
    findings: createFindingStore(db),
    vulns: createVulnStore(db),
    signatures: createSignatureStore(db),
    verdicts: createVerdictStore(db),
    serving: createServingIndex(db),
    pullCredentials: createPullCredentialStore(db),
    rematch: createRematchStore(db),
    outbox: createOutboxStore(db),
    layerResults: createLayerResultStore(db),
    adminTokens: createAdminTokenStore(db),
    audit: createAuditLog(db),
    overview: createOverviewStore(db),
    exceptions: createExceptionStore(db),
    breakGlass: createBreakGlassStore(db),
    ruleVersions: createRuleVersionStore(db),
    evidence: createEvidenceStore(db),
    exploits: createExploitStore(db),
    ages: createAgeStore(db),
  };
}
