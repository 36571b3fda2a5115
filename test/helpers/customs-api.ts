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
  customsUrl: string,
  repository: string,
  digest: string,
): Promise<ImageReport> {
  const res = await fetch(
    `${customsUrl}/api/v1/images/${repository}@${digest}`,
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
