import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';
import { messageOf, VulnDataError } from '../core/errors.js';

/** Options of {@link downloadMirrorFile}. */
export interface MirrorDownloadOptions {
  /** Connect, headers and idle-body timeout. */
  timeoutMs: number;
  /** A larger file is refused (and nothing of it kept). */
  maxBytes: number;
  /** Redirects followed (a mirror may hand out storage URLs). */
  maxRedirects?: number;
  /** Where the temporary copy goes (default: the OS temp directory). */
  tempDir?: string;
}

/** A downloaded file; `cleanup()` removes it. */
export interface MirrorFile {
  path: string;
  cleanup(): Promise<void>;
}

const DEFAULT_REDIRECTS = 5;
const SAFE_NAME_RE = /[^A-Za-z0-9._-]/g;

/**
 * Downloads one file of an internal mirror (an OSV `all.zip`, a tracker
 * export, a secdb document …) to a temporary file, streaming, and keeps
 * its name so the importer can tell its kind. Throws
 * VulnDataError('MIRROR_UNAVAILABLE') on a network error, a non-2xx
 * answer, too many redirects or a body above `maxBytes`; nothing is left
 * on disk then. The caller imports the file, then calls `cleanup()`.
 */
export async function downloadMirrorFile(
  url: string,
  options: MirrorDownloadOptions,
): Promise<MirrorFile> {
  const dir = await mkdtemp(
    join(options.tempDir ?? tmpdir(), 'customs-mirror-'),
  );
  const cleanup = (): Promise<void> =>
    rm(dir, { recursive: true, force: true });
  const agent = new Agent({
    connect: { timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  try {
    const path = join(dir, fileNameOf(url));
    await fetchTo(url, path, agent, options);
    return { path, cleanup };
  } catch (err: unknown) {
    await cleanup();
    if (err instanceof VulnDataError) throw err;
    throw unavailable(url, messageOf(err), err);
  } finally {
    await agent.close();
  }
}

async function fetchTo(
  start: string,
  path: string,
  agent: Agent,
  options: MirrorDownloadOptions,
): Promise<void> {
  let url = new URL(start);
  const authorization = basicAuth(url);
  const origin = url.origin;
  url.username = '';
  url.password = '';
  for (let hop = 0; hop <= (options.maxRedirects ?? DEFAULT_REDIRECTS); hop++) {
    // Credentials of the URL go to the mirror's own origin only.
    const headers =
      authorization !== undefined && url.origin === origin
        ? { authorization }
        : undefined;
    const response = await request(url, {
      method: 'GET',
      dispatcher: agent,
      headers,
    });
    const location = response.headers['location'];
    if (response.statusCode >= 300 && response.statusCode < 400 && location) {
      await response.body.dump();
      url = new URL(String(location), url);
      continue;
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      await response.body.dump();
      throw unavailable(start, `answered HTTP ${response.statusCode}`);
    }
    await pipeline(
      response.body,
      limitBytes(options.maxBytes, start),
      createWriteStream(path),
    );
    return;
  }
  throw unavailable(start, 'too many redirects');
}

function limitBytes(maxBytes: number, url: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) {
        done(unavailable(url, `larger than ${maxBytes} bytes`));
        return;
      }
      done(null, chunk);
    },
  });
}

/** `Basic …` from the URL's user and password, if it has any. */
function basicAuth(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** The URL's last path segment, made safe as a file name. */
function fileNameOf(url: string): string {
  const name = basename(new URL(url).pathname).replace(SAFE_NAME_RE, '_');
  return name === '' || name === '.' || name === '..' ? 'download' : name;
}

function unavailable(url: string, why: string, cause?: unknown): VulnDataError {
  const shown = new URL(url);
  shown.username = '';
  shown.password = '';
  return new VulnDataError(
    'MIRROR_UNAVAILABLE',
    `cannot download ${shown.toString()}: ${why}`,
    { cause },
  );
}
