/**
 * Identifies the distribution of an image from os-release, before package
 * detectors run (they need it for ecosystems such as `Debian:12`).
 */
import type { Distribution } from '../../../core/package.js';
import type { DetectWarning, LayerFS } from '../types.js';
import { parseOsRelease } from './parse.js';

/**
 * Where os-release lives, in lookup order: `etc/os-release` first, then
 * `usr/lib/os-release`, as the os-release specification says. Debian ships
 * `etc/os-release -> ../usr/lib/os-release`; the LayerFS follows it.
 */
export const OS_RELEASE_PATHS: readonly string[] = [
  'etc/os-release',
  'usr/lib/os-release',
];

/** True for the files the walker must keep so {@link identifyDistribution} can read them. */
export function isOsReleasePath(path: string): boolean {
  return path === 'etc/os-release' || path === 'usr/lib/os-release';
}

/** Result of {@link identifyDistribution}. */
export interface Identification {
  distribution: Distribution | undefined;
  /** Path actually read, when one was found. */
  path?: string | undefined;
  warnings: DetectWarning[];
}

/**
 * Reads the first os-release of {@link OS_RELEASE_PATHS} present in `fs`.
 * The distribution is undefined when none exists or it has no `ID`. Invalid
 * lines become an `OS_RELEASE_INVALID` warning. Throws only what `fs`
 * throws (ScanError `EXTRACT_LIMIT_EXCEEDED` on a symlink loop).
 */
export async function identifyDistribution(
  fs: LayerFS,
): Promise<Identification> {
  for (const path of OS_RELEASE_PATHS) {
    const content = await fs.readFile(path);
    if (content === undefined) continue;
    return { ...distributionOf(content.toString('utf8')), path };
  }
  return { distribution: undefined, warnings: [] };
}

/** Maps os-release text to a Distribution (ID lower-cased, as the spec defines it). */
export function distributionOf(text: string): Omit<Identification, 'path'> {
  const { fields, invalidLines } = parseOsRelease(text);
  const warnings: DetectWarning[] =
    invalidLines.length > 0
      ? [
          {
            code: 'OS_RELEASE_INVALID',
            message: 'invalid os-release lines skipped',
            details: { lines: invalidLines },
          },
        ]
      : [];
  const id = fields.get('ID')?.toLowerCase();
  if (id === undefined || id === '')
    return { distribution: undefined, warnings };
  return {
    distribution: {
      id,
      versionId: nonEmpty(fields.get('VERSION_ID')),
      versionCodename: nonEmpty(fields.get('VERSION_CODENAME')),
      prettyName: nonEmpty(fields.get('PRETTY_NAME')),
    },
    warnings,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
