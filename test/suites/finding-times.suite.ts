import { describe, expect, it } from 'vitest';
import type { Finding } from '../../lib/core/finding.js';
import type { Database } from '../../lib/storage/database.js';
import type { Stores } from '../../lib/storage/ports.js';
import {
  digestOf,
  LODASH_HIGH_FINDING,
  languagePackage,
  storeScannedImage,
} from '../helpers/stored-images.js';

const DAY = 86_400_000;

const lodash = (over: Partial<Finding> = {}): Finding => ({
  ...LODASH_HIGH_FINDING,
  advisorySource: 'osv',
  ...over,
});
const minimist = (over: Partial<Finding> = {}): Finding =>
  lodash({
    advisoryId: 'GHSA-xvch-5gv4-984h',
    aliases: ['CVE-2021-44906'],
    packageName: 'minimist',
    packageVersion: '1.2.5',
    advisoryPackage: 'minimist',
    fixedVersion: undefined,
    ...over,
  });

/**
 * When each finding was first seen, and first seen with a fix: kept
 * through every rewrite of an image's findings (scan-time matching and
 * the re-match after an import), dropped when no repository holds the
 * image any more.
 */
export function describeFindingTimes(
  get: () => { db: Database; stores: Stores },
): void {
  describe('finding first-seen times', () => {
    const image = {
      repository: 'team/times',
      digest: digestOf('finding-times'),
    };
    /** Moves every recorded time of the image `days` into the past. */
    const backdate = (days: number) =>
      get().db.query(
        `UPDATE finding_first_seen
         SET first_seen_at = first_seen_at - make_interval(days => $2),
           fix_available_since = fix_available_since - make_interval(days => $2)
         WHERE image_digest = $1`,
        [image.digest, days],
      );
    const timesByPackage = async () =>
      new Map(
        (await get().stores.findings.list(image.digest)).map((f) => [
          f.packageName,
          {
            firstSeenAt: f.firstSeenAt,
            fixAvailableSince: f.fixAvailableSince,
          },
        ]),
      );

    it('keeps them through a replacement, and records a fix when it first appears', async () => {
      const { stores } = get();
      await storeScannedImage(stores, {
        ...image,
        packages: [
          languagePackage('npm', 'lodash', '4.17.15'),
          languagePackage('npm', 'minimist', '1.2.5'),
        ],
      });
      const before = Date.now();
      await stores.findings.replace(image.digest, [lodash(), minimist()], 1);
      const first = await timesByPackage();
      expect(Date.parse(first.get('lodash')!.firstSeenAt!)).toBeGreaterThan(
        before - DAY,
      );
      expect(first.get('lodash')!.fixAvailableSince).toBe(
        first.get('lodash')!.firstSeenAt,
      );
      expect(first.get('minimist')).toEqual({
        firstSeenAt: expect.any(String),
        fixAvailableSince: undefined,
      });

      await backdate(40);
      const old = await timesByPackage();
      // A later import gives minimist a fix; lodash stays as it was.
      await stores.findings.replace(
        image.digest,
        [lodash(), minimist({ fixedVersion: '1.2.6' })],
        2,
      );
      const after = await timesByPackage();
      expect(after.get('lodash')).toEqual(old.get('lodash'));
      expect(after.get('minimist')!.firstSeenAt).toBe(
        old.get('minimist')!.firstSeenAt,
      );
      expect(
        Date.parse(after.get('minimist')!.fixAvailableSince!) -
          Date.parse(old.get('minimist')!.firstSeenAt!),
      ).toBeGreaterThan(39 * DAY);
    });

    it('keeps them through a re-match that deletes and inserts the findings', async () => {
      const { stores } = get();
      const old = await timesByPackage();
      await stores.rematch.recordMatch(image.digest, [], 2);
      const applied = await stores.rematch.applyDeltas(
        [
          {
            digest: image.digest,
            matchedAt: 2,
            isFull: false,
            remove: [{ source: 'osv', id: 'GHSA-35jh-r3h4-6jhm' }],
            add: [lodash({ severity: 'critical' })],
          },
        ],
        3,
      );
      expect(applied).toEqual([image.digest]);
      expect(
        (await stores.findings.list(image.digest)).map((f) => f.severity),
      ).toEqual(['high', 'critical']);
      expect(await timesByPackage()).toEqual(old);
      expect(
        (await stores.findings.timesOf([image.digest]))
          .map((t) => [t.packageName, t.fixAvailableSince])
          .sort(),
      ).toEqual([
        ['lodash', old.get('lodash')!.fixAvailableSince],
        ['minimist', old.get('minimist')!.fixAvailableSince],
      ]);
    });

    it('finds the next fix and scan times and the images they concern', async () => {
      const { stores } = get();
      const times = await timesByPackage();
      const lodashFix = times.get('lodash')!.fixAvailableSince!;
      const at = Date.parse(lodashFix);
      const iso = (ms: number) => new Date(ms).toISOString();
      expect(await stores.ages.nextAt('fix', iso(at - 1))).toBe(lodashFix);
      expect(
        await stores.ages.imagesBetween('fix', iso(at), iso(at + 1)),
      ).toEqual([image]);
      expect(
        await stores.ages.imagesBetween('fix', iso(at + 1), iso(at + DAY)),
      ).toEqual([]);
      const scan = (await stores.scans.get(image.digest))!.finishedAt!;
      expect(
        Date.parse(
          (await stores.ages.nextAt('scan', iso(Date.parse(scan) - 1)))!,
        ),
      ).toBeLessThanOrEqual(Date.parse(scan));
      expect(
        await stores.ages.imagesBetween(
          'scan',
          scan,
          iso(Date.parse(scan) + 1),
        ),
      ).toContainEqual(image);
    });

    it('drops them when the last repository forgets the image', async () => {
      const { stores } = get();
      await stores.manifests.save(
        (await stores.manifests.get(image.digest))!,
        'team/other',
      );
      await stores.manifests.forget(image.repository, image.digest);
      expect(await stores.findings.timesOf([image.digest])).toHaveLength(2);
      await stores.manifests.forget('team/other', image.digest);
      expect(await stores.findings.timesOf([image.digest])).toEqual([]);
      expect(await timesByPackage()).toEqual(
        new Map([
          ['lodash', { firstSeenAt: undefined, fixAvailableSince: undefined }],
          [
            'minimist',
            { firstSeenAt: undefined, fixAvailableSince: undefined },
          ],
        ]),
      );
    });
  });
}
