import {
  createPullCredential,
  PullCredentialInvalid,
} from '../../../lib/registry/door/pull-credentials.js';
import type { PullCredential } from '../../../lib/storage/ports.js';
import { loadRules } from '../rules-source.js';
import { CliError, configFrom, EXIT, out, validityOf } from './common.js';
import { revokeNamed, withData } from './local-server.js';

interface CreateOptions {
  config?: string;
  environment: string;
  expires?: string;
  account?: boolean;
  passwordStdin?: boolean;
  push?: string[];
}
type Created = {
  name: string;
  secret: string;
  environment: string;
  push: string[];
  expiresAt: string | undefined;
};

/** `customs pull-credentials create NAME --environment E [--expires 30d] [--account --password-stdin]`. */
export async function createPullCredentialCommand(
  name: string,
  options: CreateOptions,
): Promise<void> {
  const config = configFrom(options.config);
  const request = {
    name,
    kind: options.account ? ('account' as const) : ('robot' as const),
    environment: options.environment,
    push: options.push ?? [],
    expires: options.expires,
    secret: options.passwordStdin
      ? (await readStdin()).replace(/\r?\n$/, '')
      : undefined,
  };
  const environments = new Set(
    Object.keys(loadRules(config.rules.file).environments),
  );
  let created: Created;
  try {
    created = await withData(
      config,
      (call) => call<Created>('POST', '/api/v1/pull-credentials', request),
      (stores) =>
        createPullCredential(stores.pullCredentials, request, environments),
    );
  } catch (err: unknown) {
    if (err instanceof PullCredentialInvalid)
      throw new CliError(err.message, EXIT.usage);
    throw err;
  }
  out(
    `${created.name} may pull from ${created.environment}${created.expiresAt ? ` until ${created.expiresAt}` : ''}`,
  );
  if (created.push.length > 0)
    out(`${created.name} may push to ${created.push.join(', ')}`);
  if (request.kind === 'robot') out(`secret (shown once): ${created.secret}`);
  out(
    `log in with: skopeo login --username ${created.name} --password-stdin <customs host>`,
  );
}

/** `customs pull-credentials list`. */
export async function listPullCredentialsCommand(options: {
  config?: string;
}): Promise<void> {
  const config = configFrom(options.config);
  const all = await withData(
    config,
    (call) =>
      call<Array<Omit<PullCredential, 'secretHash'>>>(
        'GET',
        '/api/v1/pull-credentials',
      ),
    (stores) => stores.pullCredentials.list(),
  );
  for (const c of all) {
    const state = validityOf(c);
    const push = c.pushRepositories.length
      ? ` push: ${c.pushRepositories.join(',')}`
      : '';
    out(
      `${c.name.padEnd(24)} ${c.kind.padEnd(8)} ${c.environment.padEnd(10)} ${state}${push}`,
    );
  }
}

/** `customs pull-credentials revoke NAME`. */
export async function revokePullCredentialCommand(
  name: string,
  options: { config?: string },
): Promise<void> {
  await revokeNamed(
    configFrom(options.config),
    { collection: '/api/v1/pull-credentials', name, what: 'credential' },
    (stores) => stores.pullCredentials.revoke(name),
  );
  out(`${name} revoked`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
