/**
 * Judges the base image of an image against an environment's `baseImage`
 * rules. Pure.
 */
import type { ImageEvidence } from '../core/image-evidence.js';
import type { VerdictReason } from '../core/verdict.js';
import type { BaseImageRules } from './beyond-rules.js';

/** True when the rules judge the base image at all. */
export function judgesBaseImage(rules: BaseImageRules): boolean {
  return rules.requireApproved || rules.requireLatest;
}

/** The violations of `rules` by the base of `evidence`. */
export function judgeBaseImage(
  evidence: ImageEvidence,
  rules: BaseImageRules,
): VerdictReason[] {
  const base = evidence.baseImage;
  const wanted =
    rules.names.length > 0 ? rules.names.join(' or ') : 'an approved base';
  if (base === undefined || !isAllowed(base.name, rules))
    return [
      {
        code: 'BASE_IMAGE_UNAPPROVED',
        message: `not built on ${wanted}${base ? ` (built on ${base.name})` : ''}: rebuild FROM an approved base image`,
        details: { baseImage: base?.name },
      },
    ];
  if (rules.requireLatest && base.revision < base.latestRevision)
    return [
      {
        code: 'BASE_IMAGE_UNAPPROVED',
        message: `built on revision ${base.revision} of ${base.name}, not its newest (${base.latestRevision}): rebuild on the newer base`,
        details: { ...base },
      },
    ];
  return [];
}

function isAllowed(name: string, rules: BaseImageRules): boolean {
  return rules.names.length === 0 || rules.names.includes(name);
}
