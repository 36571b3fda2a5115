/** Reading what a running Customs says about an image, for end-to-end tests. */

/** The parts of `GET /api/v1/images/<repo>@<digest>` tests look at. */
export interface ImageReport {
  signatures: Array<{
    status: string;
    reasonCode?: string;
    signers?: string[];
    format: string;
    discoveredVia: string;
  }>;
  verdicts: Record<
    string,
    { status: string; reasons: Array<{ code: string }> }
  >;
}

/** The image report of `repository@digest`. */
export async function imageReport(
  customs: { url: string; apiToken: string },
  repository: string,
  digest: string,
): Promise<ImageReport> {
  const res = await fetch(
    `${customs.url}/api/v1/images/${repository}@${digest}`,
    { headers: { Authorization: `Bearer ${customs.apiToken}` } },
  );
  return (await res.json()) as ImageReport;
}

/**
 * Polls `probe` every 20 ms until it is true (a probe that throws counts as
 * false); fails after `timeoutMs` with `context()` (e.g. the process log).
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  context: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * From the first webhook Customs accepted for `repo` at or after `since` to
 * the prod verdict of `repo` turning eligible, by Customs' own log times.
 */
export function webhookToEligibleMs(
  log: string,
  repo: string,
  since: number,
): number {
  const lines = log
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map(
      (l) =>
        JSON.parse(l) as {
          time: string;
          msg: string;
          repository?: string;
          environment?: string;
          verdict?: string;
        },
    )
    .filter((l) => l.repository === repo && Date.parse(l.time) >= since - 50);
  const accepted = lines.find((l) => l.msg === 'event accepted');
  const eligible = lines.find(
    (l) =>
      l.msg === 'verdict changed' &&
      l.environment === 'prod' &&
      l.verdict === 'eligible',
  );
  if (!accepted || !eligible)
    throw new Error(`no webhook or verdict log line for ${repo}`);
  return Date.parse(eligible.time) - Date.parse(accepted.time);
}

/** {@link webhookToEligibleMs} once both log lines are written (the log is async). */
export async function loggedWebhookToEligibleMs(
  output: () => string,
  repo: string,
  since: number,
): Promise<number> {
  let ms = 0;
  await waitUntil(
    `${repo} webhook and verdict log lines`,
    () => {
      try {
        ms = webhookToEligibleMs(output(), repo, since);
        return Promise.resolve(true);
      } catch {
        return Promise.resolve(false);
      }
    },
    () => output().slice(-3000),
    10_000,
  );
  return ms;
}
