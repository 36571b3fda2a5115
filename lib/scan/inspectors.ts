/**
 * The file inspections of a scan (secrets, malware) built from the
 * `scan` configuration; hash lists are read here, once.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import type { Inspectors } from './layers/layer-inspection.js';
import { createMalwareScanner } from './malware/malware-scanner.js';
import { createSecretScanner } from './secrets/secret-scanner.js';

/**
 * The inspectors `scan` configures (each absent when off).
 * @throws ConfigError `CONFIG_INVALID` for a hash list that does not
 *   parse; the read error for one that cannot be read.
 */
export function scanInspectors(scan: Config['scan']): Inspectors {
  return {
    secrets: createSecretScanner(scan.secrets),
    malware: createMalwareScanner(scan.malware, (path) =>
      readFileSync(path, 'utf8'),
    ),
  };
}
