import { readFileSync } from 'node:fs';
import { createLogger } from '../../../lib/log/create-logger.js';
import { hasCode } from '../../../lib/core/errors.js';
import { previewAll } from '../../../lib/policy/rejudge-all.js';
import type { PreviewChange } from '../../../lib/policy/rejudge.js';
import { parseRules, type RuleSet } from '../../../lib/policy/rules.js';
import { storeOverrideSource } from '../../../lib/policy/override-source.js';
import { CliError, configFrom, EXIT, out } from './common.js';
import { withData } from './local-server.js';

/**
 * `customs rules check FILE`: validates a rules file offline (exit 2 with
 * every problem), then prints which stored verdicts it would change —
 * through the running server when it holds the data, else on the database
 * itself. Exit 0 when valid. `--offline` skips the comparison.
 */
export async function rulesCheckCommand(
  file: string,
  options: { config?: string; offline?: boolean },
): Promise<void> {
  let yaml: string;
  try {
    yaml = readFileSync(file, 'utf8');
  } catch (err: unknown) {
    throw new CliError(
      `cannot read ${file}: ${(err as Error).message}`,
      EXIT.usage,
    );
  }
  let rules: RuleSet;
  try {
    rules = parseRules(yaml, (p) => readFileSync(p), file);
  } catch (err: unknown) {
    if (hasCode(err, 'RULES_INVALID'))
      throw new CliError((err as Error).message, EXIT.usage);
    throw err;
  }
  out(
    `${file}: valid (${Object.keys(rules.environments).join(', ')}; version ${rules.version})`,
  );
  if (options.offline) return;
  const config = configFrom(options.config);
  const changes = await withData(
    config,
    async (call) =>
      (
        await call<{ changes: PreviewChange[] }>(
          'POST',
          '/api/v1/rules/preview',
          { yaml },
        )
      ).changes,
    async (stores) => {
      const overrides = storeOverrideSource(stores);
      return previewAll(
        {
          stores,
          rules: () => rules,
          logger: createLogger({ level: 'silent' }),
          overrides,
        },
        { rules, overrides: await overrides.load(), now: Date.now() },
      );
    },
  );
  if (changes.length === 0) out('no stored verdict would change');
  for (const c of changes)
    out(
      `${c.repository}@${c.digest} ${c.environment}: ${c.from ?? 'none'} -> ${c.to}` +
        (c.to === 'eligible' ? '' : ` (${c.reasons.join(', ')})`),
    );
}
