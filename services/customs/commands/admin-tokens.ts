import {
  AdminTokenInvalid,
  createAdminToken,
  revokeAdminToken,
} from '../../../lib/access/admin-tokens.js';
import type { AdminToken } from '../../../lib/storage/admin-ports.js';
import { CliError, configFrom, EXIT, out, validityOf } from './common.js';
import { revokeNamed, withData } from './local-server.js';

/** Who the CLI acts as when it writes to the database itself. */
const CLI_ACTOR = 'cli';

type Created = Awaited<ReturnType<typeof createAdminToken>>;
type Listed = Omit<AdminToken, 'tokenHash'>;

/** `customs admin-tokens create --name N --role R [--expires-in 30d]`: prints the token once. */
export async function createAdminTokenCommand(options: {
  config?: string;
  name: string;
  role: string;
  expiresIn?: string;
}): Promise<void> {
  const config = configFrom(options.config);
  const request = {
    name: options.name,
    role: options.role,
    expiresIn: options.expiresIn,
  };
  let created: Created;
  try {
    created = await withData(
      config,
      (call) => call<Created>('POST', '/api/v1/admin-tokens', request),
      (stores) => createAdminToken(stores, request, CLI_ACTOR),
    );
  } catch (err: unknown) {
    if (err instanceof AdminTokenInvalid)
      throw new CliError(err.message, EXIT.usage);
    throw err;
  }
  out(
    `${created.name} (${created.role})${created.expiresAt ? ` until ${created.expiresAt}` : ''}`,
  );
  out(`token (shown once): ${created.token}`);
  out(`use it as: Authorization: Bearer <token>`);
}

/** `customs admin-tokens list`. */
export async function listAdminTokensCommand(options: {
  config?: string;
}): Promise<void> {
  const config = configFrom(options.config);
  const tokens = await withData(
    config,
    async (call) =>
      (await call<{ tokens: Listed[] }>('GET', '/api/v1/admin-tokens')).tokens,
    (stores) => stores.adminTokens.list(),
  );
  for (const t of tokens) {
    const state = validityOf(t);
    out(`${t.name.padEnd(24)} ${t.role.padEnd(9)} ${state}`);
  }
}

/** `customs admin-tokens revoke NAME`. */
export async function revokeAdminTokenCommand(
  name: string,
  options: { config?: string },
): Promise<void> {
  await revokeNamed(
    configFrom(options.config),
    { collection: '/api/v1/admin-tokens', name, what: 'admin token' },
    (stores) => revokeAdminToken(stores, name, CLI_ACTOR),
  );
  out(`${name} revoked`);
}
