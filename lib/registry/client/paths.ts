/**
 * Validation of the names that end up in upstream URLs, so a caller-supplied
 * repository can never change the path (`..`, `%2f`, `?`).
 */
import { isDigest, type Digest } from '../../core/digest.js';
import { ReferenceError } from '../../core/errors.js';
import { isRepositoryName } from '../../core/reference.js';

/** `repository` if valid, else throws ReferenceError NAME_INVALID. */
export function repositoryPath(repository: string): string {
  if (!isRepositoryName(repository)) {
    throw new ReferenceError(
      'NAME_INVALID',
      `invalid repository name: ${repository}`,
    );
  }
  return repository;
}

/** `digest` if valid, else throws ReferenceError DIGEST_INVALID. */
export function digestPath(digest: string): Digest {
  if (!isDigest(digest)) {
    throw new ReferenceError('DIGEST_INVALID', `invalid digest: ${digest}`);
  }
  return digest;
}

/** The token scope of a pull from `repository` (token spec "Requesting a Token"). */
export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}
