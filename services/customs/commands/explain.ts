import type { ImageReport } from '../../../lib/policy/image-report.js';
import {
  apiUrl,
  CliError,
  configFrom,
  EXIT,
  out,
  runningServer,
} from './common.js';

/**
 * `customs explain REF --environment E`: asks the running Customs for the
 * verdict of an image and prints its reasons. Exits 0 when the image is
 * eligible in E, 1 when it is not (scripts can gate on it).
 */
export async function explainCommand(
  ref: string,
  options: {
    environment?: string;
    config?: string;
    url?: string;
    /** Admin API token (viewer or above); default: the running server's local token. */
    token?: string;
    json?: boolean;
  },
): Promise<number> {
  const config = configFrom(options.config);
  const base = apiUrl(config, options.url);
  let response: Response;
  try {
    const token = options.token ?? runningServer(config)?.localToken;
    response = await fetch(`${base}/api/v1/images/${encodeURI(ref)}`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
  } catch (err: unknown) {
    throw new CliError(
      `cannot reach Customs at ${base} (${(err as Error).message}); start it with \`npm start\` or pass --url`,
    );
  }
  const body = (await response.json()) as ImageReport & {
    error?: { message: string };
  };
  if (!response.ok)
    throw new CliError(body.error?.message ?? `HTTP ${response.status}`);
  const environment = options.environment ?? config.server.defaultEnvironment;
  const verdict = body.verdicts[environment];
  if (options.json) {
    out(
      JSON.stringify(
        {
          repository: body.repository,
          digest: body.digest,
          environment,
          verdict,
        },
        null,
        2,
      ),
    );
  } else {
    out(`${body.repository}@${body.digest}`);
    out(`environment ${environment}: ${verdict?.status ?? 'not judged'}`);
    for (const r of verdict?.reasons ?? []) out(`  - [${r.code}] ${r.message}`);
    const counts = `${body.packages.length} packages, ${body.findings.length} findings, ${body.signatures.length} signatures`;
    out(`scan: ${body.scan?.status ?? 'none'} (${counts})`);
    if (verdict)
      out(
        `rules ${verdict.rulesVersion}, data snapshot ${verdict.snapshotId ?? 'none'}, computed ${verdict.computedAt}`,
      );
  }
  return verdict?.status === 'eligible' ? EXIT.ok : EXIT.failure;
}
