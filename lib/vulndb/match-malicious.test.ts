import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Advisory } from '../core/advisory.js';
import type { ImagePackage } from '../core/package.js';
import { matchPackage, matchPackageDetailed } from './match.js';
import { parseOsvRecord } from './sources/osv.js';

/**
 * Matching real malicious-package records (shared/data/osv/malicious,
 * README-extra.md): they need no version comparator, because they list
 * versions or affect every version.
 */

const MALICIOUS = new URL(
  '../../../shared/data/osv/malicious/',
  import.meta.url,
);

async function malicious(rel: string): Promise<Advisory> {
  const text = await readFile(fileURLToPath(new URL(rel, MALICIOUS)), 'utf8');
  return parseOsvRecord(JSON.parse(text), 'malicious-packages');
}

function lang(ecosystem: string, name: string, version: string): ImagePackage {
  return {
    ecosystem,
    name,
    version,
    purl: `pkg:${ecosystem.toLowerCase()}/${name}@${version}`,
    layerDigest: `sha256:${'0'.repeat(64)}`,
    detector: 'lang/test',
    path: 'app/package.json',
  };
}

const npm = (name: string, version: string): ImagePackage =>
  lang('npm', name, version);

describe('matchPackage on malicious-package records', () => {
  it('flags malicious packages by versions list without a comparator', async () => {
    const a = await malicious('npm/000webhost-admin/MAL-2024-11848.json');
    const hit = matchPackageDetailed(npm('000webhost-admin', '999.9.9'), [a]);
    expect(hit.findings.map((f) => f.advisoryId)).toEqual(['MAL-2024-11848']);
    expect(matchPackageDetailed(npm('000webhost-admin', '1.0.0'), [a])).toEqual(
      {
        findings: [],
        unevaluated: [],
      },
    );
  });

  it('flags every version of an introduced-0 malicious package', async () => {
    const a = await malicious('npm/flatmap-stream/MAL-2025-20690.json');
    for (const version of ['0.1.0', '0.1.1', '99.0.0']) {
      const { findings } = matchPackageDetailed(
        npm('flatmap-stream', version),
        [a],
      );
      expect(
        findings.map((f) => [
          f.advisoryId,
          f.fixedVersion,
          f.severity,
          f.severitySource,
        ]),
      ).toEqual([
        ['MAL-2025-20690', undefined, 'critical', 'malicious-package'],
      ]);
    }
  });

  it('flags a listed PyPI version', async () => {
    const a = await malicious('pypi/1337test/MAL-2024-4720.json');
    const py = lang('PyPI', '1337test', '1');
    expect(matchPackage(py, [a]).map((f) => f.advisoryId)).toEqual([
      'MAL-2024-4720',
    ]);
  });
});
