/**
 * The usual end-to-end setup: a private docker-registry whose push
 * notifications go to a Customs process started beside it.
 */
import { join } from 'node:path';
import { startCustoms, type CustomsProcess } from './customs-process.js';
import { freePort, startRegistry, type RegistryHandle } from './registry.js';

export interface NotifiedStack {
  registry: RegistryHandle;
  customs: CustomsProcess;
  /** The environment Customs runs with (for CLI runs against the same setup). */
  env: Record<string, string>;
}

/**
 * Starts the registry (notifying `/webhooks/distribution` with `secret`,
 * pulls not reported) and `customs serve` with its data under `work/data`,
 * the registry as upstream, the same intake secret, and `env` on top. The
 * caller stops both (afterAll); if Customs fails to start, the registry is
 * stopped here.
 */
export async function startNotifiedStack(
  work: string,
  secret: string,
  env: Record<string, string> = {},
): Promise<NotifiedStack> {
  const port = await freePort();
  const registry = await startRegistry({
    notifyUrl: `http://127.0.0.1:${port}/webhooks/distribution`,
    secret,
    ignorePull: true,
  });
  const customsEnv = {
    CUSTOMS_DATADIR: join(work, 'data'),
    CUSTOMS_UPSTREAM__URL: registry.url,
    CUSTOMS_INTAKE__SECRET: secret,
    ...env,
  };
  try {
    const customs = await startCustoms(port, customsEnv);
    return { registry, customs, env: customsEnv };
  } catch (err: unknown) {
    await registry.stop();
    throw err;
  }
}
