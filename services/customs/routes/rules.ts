import express, {
  type NextFunction,
  type Request,
  type Response,
  type Router,
} from 'express';
import { z } from 'zod';
import { NO_OVERRIDES } from '../../../lib/policy/override-source.js';
import { previewAll } from '../../../lib/policy/rejudge-all.js';
import {
  isRulesInvalid,
  RulesFileMode,
} from '../../../lib/policy/rules-holder.js';
import type { RuleSet } from '../../../lib/policy/rules.js';
import type { Deps } from '../deps.js';
import { actorOf, requireRole } from './admin-auth.js';
import { auditAction } from './audit-action.js';
import { parseBody } from './body.js';
import { sendError } from './errors.js';

export const rulesBody = z.strictObject({
  yaml: z.string().min(1).max(1_000_000),
});

/**
 * The trust rules under /api/v1: the version in force and the history
 * (viewer), a preview of a change (operator), and a new version (admin;
 * 409 `RULES_FILE_MODE` while `rules.file` is the source). Invalid rules
 * get 400 `RULES_INVALID` with every problem, and the rules in force stay.
 */
export function rulesRoutes(deps: Deps): Router {
  const router = express.Router();
  const holder = deps.policy.holder;
  const json = express.json({ limit: '1mb' });

  router.get('/api/v1/rules', (_req, res) => {
    const v = holder.info();
    if (!v) return sendError(res, 503, 'RULES_UNAVAILABLE', 'rules not loaded');
    res.json({ ...v, mode: holder.mode });
  });

  router.get('/api/v1/rules/versions', async (_req, res) => {
    res.json({ versions: await deps.stores.ruleVersions.list(100) });
  });

  router.put(
    '/api/v1/rules',
    requireRole('admin'),
    json,
    async (req: Request, res: Response, next: NextFunction) => {
      const body = parseBody(rulesBody, req, res);
      if (!body) return;
      try {
        const version = await holder.put(body.yaml, actorOf(res).name);
        await auditAction(deps, res, {
          action: 'rules.update',
          target: `rules/${version.version}`,
          after: { version: version.version, contentHash: version.contentHash },
        });
        res.json({ ...version, mode: holder.mode });
      } catch (err: unknown) {
        if (err instanceof RulesFileMode)
          return sendError(res, 409, 'RULES_FILE_MODE', err.message);
        if (!rulesRefused(err, res)) next(err);
      }
    },
  );

  router.post(
    '/api/v1/rules/preview',
    requireRole('operator'),
    json,
    async (req: Request, res: Response, next: NextFunction) => {
      const body = parseBody(rulesBody, req, res);
      if (!body) return;
      let rules: RuleSet;
      try {
        rules = holder.parse(body.yaml);
      } catch (err: unknown) {
        if (!rulesRefused(err, res)) next(err);
        return;
      }
      const judge = deps.policy.judge;
      const changes = await previewAll(
        { ...judge, stores: deps.stores },
        {
          rules,
          overrides: (await judge.overrides?.load()) ?? NO_OVERRIDES,
          now: Date.now(),
        },
      );
      res.json({ changes });
    },
  );
  return router;
}

/**
 * Answers 400 RULES_INVALID with every problem (in `problems` and in
 * `error.details.problems`); false for another error.
 */
function rulesRefused(err: unknown, res: Response): boolean {
  if (!isRulesInvalid(err)) return false;
  const problems = (err.details?.problems as string[] | undefined) ?? [];
  res.status(400).json({
    error: {
      code: 'RULES_INVALID',
      message: err.message,
      details: { problems },
    },
    problems,
  });
  return true;
}
