import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { Logger } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Logs each API request (method, url, status, durationMs) with a request id:
 * the caller's `X-Request-Id` when it is a sane token, else a new UUID,
 * echoed in the response. Header values are not logged (STYLE.md §5), so
 * tokens and cookies never reach the log.
 */
export function requestLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger: logger.child({ component: 'http' }),
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const given = req.headers['x-request-id'];
      const id =
        typeof given === 'string' && REQUEST_ID.test(given)
          ? given
          : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // The id goes into the bindings of `req.log`, named `reqId`.
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'reqId', responseTime: 'durationMs' },
    // Health probes and scrapes every few seconds would drown the log.
    autoLogging: {
      ignore: (req) =>
        req.url === '/healthz' ||
        req.url === '/readyz' ||
        req.url === '/metrics',
    },
    serializers: {
      req: (req: { method: string; url: string }) => ({
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
  });
}
