import type { IncomingMessage } from 'node:http';
import { OciError } from '../../core/oci-errors.js';
import type { Caller } from './door.js';

export interface CallerOptions {
  /** Pulls without credentials are allowed. */
  anonymous: boolean;
  /** Host name (without port) → environment. */
  hosts: Readonly<Record<string, string>>;
  /** Checks presented credentials; undefined when the scheme is not theirs. */
  authenticate?: (req: IncomingMessage) => Promise<Caller | undefined>;
  /** The `WWW-Authenticate` challenge sent with UNAUTHORIZED. */
  challenge: (req: IncomingMessage) => string;
}

/**
 * Who is pulling and which environment that binds them to: credentials
 * (an account or token bound to one environment) first, then the Host name
 * they used; nothing bound leaves the choice to the path prefix. Without
 * credentials, and anonymous pulls turned off, the answer is UNAUTHORIZED
 * with a challenge so docker, podman and skopeo log in.
 */
export function createCallerIdentifier(
  options: CallerOptions,
): (req: IncomingMessage) => Promise<Caller> {
  const unauthorized = (req: IncomingMessage, message: string) =>
    new OciError('UNAUTHORIZED', {
      message,
      headers: { 'WWW-Authenticate': options.challenge(req) },
    });
  return async (req) => {
    const host = hostBinding(req, options.hosts);
    if (req.headers.authorization) {
      let caller: Caller | undefined;
      try {
        caller = await options.authenticate?.(req);
      } catch (err: unknown) {
        if (err instanceof OciError) throw err;
        throw unauthorized(req, (err as Error).message);
      }
      if (!caller) throw unauthorized(req, 'unsupported credentials');
      if (host && caller.bound && host !== caller.bound) {
        throw new OciError('DENIED', {
          message: `these credentials are bound to ${caller.bound}, not to ${host}`,
        });
      }
      return { ...caller, bound: caller.bound ?? host };
    }
    if (!options.anonymous) throw unauthorized(req, 'authentication required');
    return { bound: host, name: 'anonymous', push: [] };
  };
}

function hostBinding(
  req: IncomingMessage,
  hosts: Readonly<Record<string, string>>,
): string | undefined {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  return host ? hosts[host] : undefined;
}
