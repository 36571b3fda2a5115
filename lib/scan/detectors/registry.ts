/**
 * The explicit list of package detectors (STYLE.md §1: no discovery, no
 * plugins). To add one: a folder `<kind>-<format>/` with `detector.ts`,
 * `detector.test.ts` and `testdata/`, then one line here. Names must be
 * unique; names and versions are part of the scan cache key.
 */
import { apkDetector } from './os-apk/detector.js';
import { javaDetector } from './lang-java/detector.js';
import { goDetector } from './lang-go/detector.js';
import { npmDetector } from './lang-npm/detector.js';
import { pythonDetector } from './lang-python/detector.js';
import { rubyDetector } from './lang-ruby/detector.js';
import { rustDetector } from './lang-rust/detector.js';
import { rpmDetector } from './os-rpm/detector.js';
import { dpkgDetector } from './os-dpkg/detector.js';
import type { PackageDetector } from './types.js';

/** Every detector Customs runs, in a stable order (OS packages first). */
export const DETECTORS: readonly PackageDetector[] = [
  dpkgDetector,
  apkDetector,
  rpmDetector,
  npmDetector,
  pythonDetector,
  rubyDetector,
  javaDetector,
  goDetector,
  rustDetector,
];
