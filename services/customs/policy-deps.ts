import type { Logger } from 'pino';
import { readFileSync } from 'node:fs';
import type { Config } from '../../lib/config/schema.js';
import { ExpiryTimer } from '../../lib/policy/expiry-timer.js';
import type { JudgeDeps } from '../../lib/policy/judge.js';
import type { OverrideAdminDeps } from '../../lib/policy/override-admin.js';
import { storeOverrideSource } from '../../lib/policy/override-source.js';
import { ageDeadlines } from '../../lib/policy/age-deadlines.js';
import { dataAgeDeadline } from '../../lib/policy/data-age-source.js';
import { rejudgeAll } from '../../lib/policy/rejudge-all.js';
import { rejudgeImages } from '../../lib/policy/rejudge.js';
import { parseRules, type RuleSet } from '../../lib/policy/rules.js';
import { RulesHolder } from '../../lib/policy/rules-holder.js';
import type { ImageName } from '../../lib/storage/admin-ports.js';
import type { Stores } from '../../lib/storage/ports.js';
import { rulesPath } from './rules-source.js';

/** How far back the first expiry check of a process looks. */
const EXPIRY_LOOKBACK_MS = 24 * 3_600_000;

/** The rules in force, judging with exceptions and grants, their administration. */
export interface PolicyDeps {
  rules: () => RuleSet;
  environments: () => ReadonlySet<string>;
  holder: RulesHolder;
  judge: JudgeDeps;
  overrides: OverrideAdminDeps;
  /** Running only in processes that work (`serve`), not in CLI-only ones. */
  expiry: ExpiryTimer | undefined;
  /** Starts the rules poll (and the expiry timer); close() stops them. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Wires rules, judging, exceptions, grants and the audit log (explicit, STYLE.md §6). */
export async function buildPolicyDeps(options: {
  config: Readonly<Config>;
  stores: Stores;
  logger: Logger;
  withTimers: boolean;
  now?: () => number;
  /** Queues a scan of each image (its scan grew older than a limit). */
  rescan?: (images: ImageName[], reason: string) => Promise<void>;
}): Promise<PolicyDeps> {
  const { config, stores, logger } = options;
  const now = options.now ?? Date.now;
  const log = logger.child({ component: 'policy' });
  const path = rulesPath(config.rules.file);
  const parse = (yaml: string) =>
    parseRules(yaml, (p) => readFileSync(p), 'rules');
  const yaml = readFileSync(path, 'utf8');
  let rejudging = Promise.resolve();
  const holder = new RulesHolder(
    {
      store: stores.ruleVersions,
      parse,
      file: config.rules.file
        ? { read: () => readFileSync(path, 'utf8') }
        : undefined,
      // Re-judging every image may take a while: the caller does not wait.
      onChange: (cause) => {
        rejudging = rejudging
          .then(async () => {
            const changed = await rejudgeAll({ ...judge, stores }, cause);
            log.info({ cause, changed }, 'verdicts re-judged for new rules');
          })
          .catch((err: unknown) =>
            log.error({ err }, 'failed to re-judge for new rules'),
          );
        return Promise.resolve();
      },
      logger: log,
    },
    parse(yaml),
    yaml,
  );
  await holder.init();
  const rules = () => holder.current();
  const judge: JudgeDeps = {
    stores,
    rules,
    logger: log,
    overrides: storeOverrideSource(stores, now),
    audit: stores.audit,
  };
  const rejudgeNow = async (images: ImageName[], cause: string) =>
    void (await rejudgeImages(judge, images, cause));
  const expiry = options.withTimers
    ? new ExpiryTimer({
        stores,
        rejudge: rejudgeNow,
        now,
        sweepIntervalMs: config.policy.expirySweepIntervalMs,
        lookbackMs: EXPIRY_LOOKBACK_MS,
        logger: logger.child({ component: 'policy.expiry' }),
        deadlines: [
          dataAgeDeadline({
            vulns: stores.vulns,
            rules,
            rejudgeAll: async (cause) => {
              const changed = await rejudgeAll({ ...judge, stores }, cause);
              log.info({ changed }, 'verdicts re-judged for data age');
            },
          }),
          ageDeadlines({ stores, rules, rejudge: rejudgeNow }, 'fix'),
          // Refused from the limit on, and scanned again to be admitted.
          ageDeadlines(
            {
              stores,
              rules,
              rejudge: async (images, cause) => {
                await rejudgeNow(images, cause);
                await options.rescan?.(images, cause);
              },
            },
            'scan',
          ),
        ],
      })
    : undefined;
  const environments = environmentsOf(rules);
  let poll: NodeJS.Timeout | undefined;
  return {
    rules,
    environments,
    holder,
    judge,
    expiry,
    overrides: { stores, judge, environments, now, expiry },
    async start() {
      poll = setInterval(() => {
        holder
          .refresh()
          .catch((err: unknown) =>
            log.error({ err }, 'failed to refresh the rules'),
          );
      }, config.rules.pollIntervalMs).unref();
      await expiry?.start();
    },
    async close() {
      clearInterval(poll);
      await expiry?.close();
      await rejudging;
    },
  };
}

/** The environment names of the rules in force (one Set per rules version). */
function environmentsOf(rules: () => RuleSet): () => ReadonlySet<string> {
  let seen: RuleSet | undefined;
  let names: ReadonlySet<string> = new Set();
  return () => {
    const current = rules();
    if (current !== seen) {
      seen = current;
      names = new Set(Object.keys(current.environments));
    }
    return names;
  };
}
