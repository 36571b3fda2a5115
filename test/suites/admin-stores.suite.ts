import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { Stores } from '../../lib/storage/ports.js';

/**
 * Conformance of the admin stores (tokens, audit log) on every database
 * Customs runs on, so PGlite and PostgreSQL behave the same.
 */
export function describeAdminStores(
  name: string,
  open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>,
): void {
  describe(`admin stores on ${name}`, () => {
    let db: Database;
    let stores: Stores;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      ({ db, cleanup } = await open());
      await migrate(db);
      stores = createStores(db);
    });
    afterAll(async () => {
      await db.close();
      await cleanup();
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
  });
}
