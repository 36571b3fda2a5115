import express, { type Router } from 'express';
import { z } from 'zod';
import { packageVersion } from '../../../lib/config/package-root.js';
import { adminTokenBody } from './admin-tokens.js';
import { importBody } from './api.js';
import { breakGlassBody, exceptionBody } from './override-bodies.js';
import { pullCredentialBody } from './pull-credentials.js';
import { rulesBody } from './rules.js';

type Role = 'viewer' | 'operator' | 'admin' | 'none';
type Method = 'get' | 'post' | 'put' | 'delete';

interface Operation {
  summary: string;
  role: Role;
  body?: z.ZodType;
  /** Status of success; 200 unless given. */
  status?: number;
  query?: string[];
}

/** Every /api/v1 route: what it does, the role it needs, its body. */
const ROUTES: Record<string, Partial<Record<Method, Operation>>> = {
  '/api/v1/openapi.json': {
    get: { summary: 'this document (no token needed)', role: 'none' },
  },
  '/api/v1/whoami': {
    get: { summary: "the caller's token name and role", role: 'viewer' },
  },
  '/api/v1/admin-tokens': {
    get: {
      summary: 'admin tokens (never the tokens themselves)',
      role: 'admin',
    },
    post: {
      summary: 'create a token; the answer holds it, once',
      role: 'admin',
      body: adminTokenBody,
      status: 201,
    },
  },
  '/api/v1/admin-tokens/{name}': {
    delete: { summary: 'revoke a token', role: 'admin', status: 204 },
  },
  '/api/v1/images/{reference}': {
    get: {
      summary:
        'packages, findings, signatures and verdicts of REPO@DIGEST or REPO:TAG',
      role: 'viewer',
    },
  },
  '/api/v1/images/{reference}/sbom': {
    get: {
      summary: 'SBOM of a scanned image',
      role: 'viewer',
      query: ['format', 'platform'],
    },
  },
  '/api/v1/repositories': {
    get: { summary: 'repositories and their image counts', role: 'viewer' },
  },
  '/api/v1/images': {
    get: {
      summary:
        'one row per image digest: tags, a badge per environment, last scan, data snapshot, signers',
      role: 'viewer',
      query: ['repository', 'limit', 'cursor'],
    },
  },
  '/api/v1/intake/status': {
    get: {
      summary: 'last registry events, failed scans, job queues',
      role: 'viewer',
      query: ['limit'],
    },
  },
  '/api/v1/vulndb': {
    get: {
      summary: 'advisories stored, current data snapshot',
      role: 'viewer',
    },
  },
  '/api/v1/vulndb/imports': {
    post: {
      summary: 'import vulnerability data files on this host',
      role: 'admin',
      body: importBody,
    },
  },
  '/api/v1/pull-credentials': {
    get: { summary: 'pull accounts and robot tokens', role: 'admin' },
    post: {
      summary: 'create a pull credential',
      role: 'admin',
      body: pullCredentialBody,
      status: 201,
    },
  },
  '/api/v1/pull-credentials/{name}': {
    delete: { summary: 'revoke a pull credential', role: 'admin', status: 204 },
  },
  '/api/v1/exceptions': {
    get: { summary: '{exceptions}', role: 'viewer', query: ['active'] },
    post: {
      summary: 'create an exception; re-judges the images it concerns',
      role: 'operator',
      body: exceptionBody,
      status: 201,
    },
  },
  '/api/v1/exceptions/preview': {
    post: {
      summary: '{changes}: what the exception would change, nothing stored',
      role: 'operator',
      body: exceptionBody,
    },
  },
  '/api/v1/exceptions/{id}': {
    delete: { summary: 'revoke an exception', role: 'operator', status: 204 },
  },
  '/api/v1/break-glass': {
    get: { summary: '{grants}', role: 'viewer', query: ['active'] },
    post: {
      summary: 'grant break-glass for one digest in one environment',
      role: 'operator',
      body: breakGlassBody,
      status: 201,
    },
  },
  '/api/v1/break-glass/{id}': {
    delete: {
      summary: 'revoke a break-glass grant',
      role: 'operator',
      status: 204,
    },
  },
  '/api/v1/audit': {
    get: {
      summary:
        '{entries, next}: admin actions and verdict changes, newest first',
      role: 'viewer',
      query: ['actor', 'action', 'since', 'until', 'limit', 'cursor', 'format'],
    },
  },
  '/api/v1/rules': {
    get: {
      summary:
        'the rules in force: {version, source, yaml, createdAt, createdBy, mode}',
      role: 'viewer',
    },
    put: {
      summary:
        'new rules version (409 RULES_FILE_MODE when rules.file is the source)',
      role: 'admin',
      body: rulesBody,
    },
  },
  '/api/v1/rules/versions': {
    get: { summary: '{versions}, newest first', role: 'viewer' },
  },
  '/api/v1/rules/preview': {
    post: {
      summary: '{changes}: what the rules would change, nothing stored',
      role: 'operator',
      body: rulesBody,
    },
  },
};

/** `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of every /api/v1 route. */
export function openApiRoutes(): Router {
  const router = express.Router();
  const document = openApiDocument();
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}

/** The document (built once; bodies from the zod schemas the routes use). */
export function openApiDocument(): object {
  return {
    openapi: '3.1.0',
    info: { title: 'Customs admin API', version: packageVersion() },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                details: { type: 'object' },
              },
            },
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: Object.fromEntries(
      Object.entries(ROUTES).map(([path, ops]) => [
        path,
        Object.fromEntries(
          Object.entries(ops).map(([method, op]) => [
            method,
            operation(path, op),
          ]),
        ),
      ]),
    ),
  };
}

function operation(path: string, op: Operation): object {
  const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = (op.query ?? []).map((name) => ({
    name,
    in: 'query',
    required: false,
    schema: { type: 'string' },
  }));
  const error = {
    content: {
      'application/json': { schema: { $ref: '#/components/schemas/Error' } },
    },
  };
  return {
    summary: op.summary,
    'x-required-role': op.role,
    ...(op.role === 'none' ? { security: [] } : {}),
    parameters: [...params, ...query],
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: z.toJSONSchema(op.body, { io: 'input' }),
              },
            },
          },
        }
      : {}),
    responses: {
      [String(op.status ?? 200)]: { description: 'success' },
      ...(op.body
        ? {
            '400': { description: 'BODY_INVALID (or RULES_INVALID)', ...error },
          }
        : {}),
      ...(op.role === 'none'
        ? {}
        : {
            '401': { description: 'UNAUTHORIZED: no valid token', ...error },
            '403': {
              description: `FORBIDDEN: needs ${op.role} or above`,
              ...error,
            },
          }),
    },
  };
}
