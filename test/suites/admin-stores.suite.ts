import { beforeAll, describe, expect, it } from 'vitest';
import type { Stores } from '../../lib/storage/ports.js';

/**
 * Conformance of the admin stores (tokens, audit log, exceptions,
 * break-glass grants), run by the storage
 * suite on every database Customs runs on, so PGlite and PostgreSQL behave
 * the same. `storesOf` gives the stores of a migrated database.
 */
export function describeAdminStores(storesOf: () => Stores): void {
  describe('admin stores', () => {
    let stores: Stores;
    beforeAll(() => {
      stores = storesOf();
    });

    it('stores admin tokens by hash, once per name, and revokes them', async () => {
      const token = {
        name: 'alice',
        role: 'operator' as const,
        tokenHash: 'a'.repeat(64),
        createdBy: 'cli',
        expiresAt: '2030-01-01T00:00:00.000Z',
      };
      expect(await stores.adminTokens.create(token)).toBe(true);
      expect(
        await stores.adminTokens.create({ ...token, tokenHash: 'b' }),
      ).toBe(false);
      expect(await stores.adminTokens.findByHash('a'.repeat(64))).toEqual({
        ...token,
        createdAt: expect.any(String) as string,
        revokedAt: undefined,
      });
      expect(await stores.adminTokens.findByHash('c')).toBeUndefined();
      expect(await stores.adminTokens.revoke('alice')).toBe(true);
      expect(await stores.adminTokens.revoke('nobody')).toBe(false);
      const [listed] = await stores.adminTokens.list();
      expect(listed?.revokedAt).toEqual(expect.any(String));
    });

    it('appends audit entries and pages them newest first with filters', async () => {
      await stores.audit.append([
        {
          actor: 'a',
          action: 'x.create',
          target: 't/1',
          before: null,
          after: { n: 1 },
        },
        {
          actor: 'b',
          action: 'x.create',
          target: 't/2',
          before: { n: 1 },
          after: null,
        },
        {
          actor: 'a',
          action: 'x.delete',
          target: 't/1',
          before: { n: 1 },
          after: null,
        },
      ]);
      const first = await stores.audit.query({ limit: 2 });
      expect(first.entries.map((e) => e.target)).toEqual(['t/1', 't/2']);
      expect(first.entries[0]).toMatchObject({
        actor: 'a',
        action: 'x.delete',
        before: { n: 1 },
        after: null,
      });
      expect(first.next).toEqual(expect.any(Number));
      const second = await stores.audit.query({ limit: 2, before: first.next });
      expect(second.entries.map((e) => e.after)).toEqual([{ n: 1 }]);
      expect(second.next).toBeUndefined();
      const byActor = await stores.audit.query({ limit: 10, actor: 'a' });
      expect(byActor.entries.map((e) => e.action)).toEqual([
        'x.delete',
        'x.create',
      ]);
      const byAction = await stores.audit.query({
        limit: 10,
        action: 'x.create',
        since: '2000-01-01T00:00:00Z',
        until: '2999-01-01T00:00:00Z',
      });
      expect(byAction.entries).toHaveLength(2);
      expect(
        (await stores.audit.query({ limit: 10, until: '2000-01-01T00:00:00Z' }))
          .entries,
      ).toEqual([]);
    });

    it('stores exceptions, lists those in force, revokes and finds expired ones', async () => {
      const e = await stores.exceptions.create({
        advisoryId: 'CVE-2030-1',
        package: null,
        scope: { repository: 'team/*', environments: ['prod'] },
        owner: 'team-a',
        justification: 'not reachable',
        expiresAt: '2030-01-01T00:01:00.000Z',
        createdBy: 'alice',
      });
      expect(e).toMatchObject({
        id: expect.any(Number) as number,
        scope: { repository: 'team/*', environments: ['prod'] },
        package: null,
        revokedAt: null,
      });
      const at = (iso: string) => stores.exceptions.list({ inForceAt: iso });
      expect(await at('2030-01-01T00:00:59Z')).toHaveLength(1);
      expect(await at('2030-01-01T00:01:00Z')).toEqual([]);
      expect(
        await stores.exceptions.expiredBetween(
          '2030-01-01T00:00:00Z',
          '2030-01-01T00:01:00.001Z',
        ),
      ).toEqual([e]);
      expect((await stores.exceptions.revoke(e.id))?.revokedAt).toEqual(
        expect.any(String),
      );
      expect(await stores.exceptions.revoke(e.id + 1000)).toBeUndefined();
      expect(
        await stores.exceptions.expiredBetween(
          '2030-01-01T00:00:00Z',
          '2030-01-02T00:00:00Z',
        ),
      ).toEqual([]);
      expect(await stores.exceptions.imagesWithAdvisory('CVE-2030-1')).toEqual(
        [],
      );
      expect(await stores.exceptions.imagesCiting(e.id)).toEqual([]);
    });

    it('stores break-glass grants with one announcement per event', async () => {
      const g = await stores.breakGlass.create({
        repository: 'team/app',
        digest: `sha256:${'b'.repeat(64)}`,
        environment: 'prod',
        ticket: 'INC-1',
        reason: 'outage',
        expiresAt: '2030-01-01T00:01:00.000Z',
        createdBy: 'carol',
      });
      expect(await stores.breakGlass.announceExpired(g)).toBe(true);
      expect(await stores.breakGlass.announceExpired(g)).toBe(false);
      expect(
        await stores.breakGlass.list({ inForceAt: '2030-01-01T00:00:00Z' }),
      ).toEqual([g]);
      expect((await stores.breakGlass.revoke(g.id))?.id).toBe(g.id);
      expect(
        await stores.breakGlass.list({ inForceAt: '2030-01-01T00:00:00Z' }),
      ).toEqual([]);
    });
  });
}
