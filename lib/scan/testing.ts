/**
 * Test helpers of lib/scan: error-code assertions (after sigstore-js's
 * `toThrowWithCode`), a silent logger, and a DetectInput over bytes.
 * Only for tests.
 */
import { pino, type Logger } from 'pino';
import { expect } from 'vitest';
import { ScanError, type ScanErrorCode } from '../core/errors.js';
import type { Distribution } from '../core/package.js';
import type { DetectInput, DetectWarning, LayerFS } from './detectors/types.js';
import { limitExceeded } from './layers/limits.js';

/** A logger that writes nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });

/**
 * Asserts that `promise` rejects with a ScanError of `code` (and, when
 * given, details containing `details`); returns the error for more checks.
 */
export async function expectScanError(
  promise: Promise<unknown>,
  code: ScanErrorCode,
  details?: Record<string, unknown>,
): Promise<ScanError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ScanError);
  const scanError = err as ScanError;
  expect({ code: scanError.code, details: scanError.details }).toMatchObject({
    code,
    details: details ?? scanError.details,
  });
  return scanError;
}

const EMPTY_FS: LayerFS = {
  stat: () => undefined,
  readFile: () => Promise.resolve(undefined),
};

function filesFs(files: Record<string, Buffer | string>): LayerFS {
  const bytes = (path: string): Buffer | undefined => {
    const content = files[path];
    return typeof content === 'string' ? Buffer.from(content) : content;
  };
  return {
    stat: (path) => {
      const content = bytes(path);
      return content === undefined
        ? undefined
        : { path, sizeBytes: content.length, mode: 0o644 };
    },
    readFile: (path) => Promise.resolve(bytes(path)),
  };
}

/**
 * A DetectInput over `content` at `path`, as the pipeline builds it;
 * `read()` enforces `maxFileBytes` like extraction does. Warnings are
 * collected in the returned array.
 */
export function detectInputOf(
  path: string,
  content: Buffer | string,
  options: {
    distribution?: Distribution;
    maxFileBytes?: number;
    /** Other files of the image, for `input.fs`. */
    files?: Record<string, Buffer | string>;
  } = {},
): { input: DetectInput; warnings: DetectWarning[] } {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const warnings: DetectWarning[] = [];
  const maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
  const input: DetectInput = {
    file: { path, sizeBytes: bytes.length, mode: 0o644 },
    read: () =>
      bytes.length > maxFileBytes
        ? Promise.reject(limitExceeded('maxFileBytes', maxFileBytes, { path }))
        : Promise.resolve(bytes),
    fs: options.files === undefined ? EMPTY_FS : filesFs(options.files),
    distribution: options.distribution,
    signal: new AbortController().signal,
    logger: silentLogger,
    warn: (warning) => warnings.push(warning),
  };
  return { input, warnings };
}
