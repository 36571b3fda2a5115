/**
 * The built-in secret rules: what a leaked credential looks like, after the
 * public rule sets of Trivy and gitleaks. Each rule names the capture group
 * `secret` (the part that is redacted), so a finding can say where the
 * secret is without ever carrying it. Compiled once, at module level.
 */

/** Severity of a secret finding (all secrets are at least `high`). */
export type SecretSeverity = 'critical' | 'high';

/** One built-in rule. */
export interface SecretRule {
  /** Stable kebab-case id; stored with findings and named in allow-lists. */
  id: string;
  title: string;
  severity: SecretSeverity;
  /** Global, with indices (`dg`); must have a named group `secret`. */
  pattern: RegExp;
  /**
   * Shannon entropy (bits per character) the secret must reach: keeps
   * placeholders and words out of the generic rules.
   */
  minEntropy?: number;
}

const rule = (
  id: string,
  title: string,
  source: string,
  options: { severity?: SecretSeverity; flags?: string; minEntropy?: number },
): SecretRule => ({
  id,
  title,
  severity: options.severity ?? 'critical',
  pattern: new RegExp(source, `dg${options.flags ?? ''}`),
  ...(options.minEntropy === undefined
    ? {}
    : { minEntropy: options.minEntropy }),
});

/** Every built-in rule, most specific first. */
export const SECRET_RULES: readonly SecretRule[] = [
  rule(
    'private-key',
    'Private key',
    String.raw`-----\s*BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?\s*-----(?:\s|\\[nr])*(?<secret>[A-Za-z0-9+/=\\\r\n\t ]{32,}?)(?:\s|\\[nr])*-----\s*END[ A-Z0-9_-]{0,100}PRIVATE KEY`,
    {},
  ),
  rule(
    'aws-access-key-id',
    'AWS access key ID',
    String.raw`(?<![A-Z0-9])(?<secret>(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16})(?![A-Z0-9])`,
    {},
  ),
  rule(
    'aws-secret-access-key',
    'AWS secret access key',
    String.raw`aws[\w.-]{0,20}?(?:key|secret)['"]?\s{0,3}(?:=>|=|:)?\s{0,3}['"]?(?<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])`,
    { flags: 'i' },
  ),
  rule(
    'gcp-service-account-key',
    'GCP service account private key id',
    String.raw`"private_key_id"\s*:\s*"(?<secret>[a-f0-9]{40})"`,
    {},
  ),
  rule(
    'gcp-api-key',
    'GCP API key',
    String.raw`(?<![\w-])(?<secret>AIza[0-9A-Za-z_-]{35})(?![\w-])`,
    {},
  ),
  rule(
    'azure-storage-account-key',
    'Azure storage account key',
    String.raw`AccountKey=(?<secret>[A-Za-z0-9+/]{86}==)`,
    {},
  ),
  rule(
    'azure-sas-token',
    'Azure shared access signature',
    String.raw`sv=\d{4}-\d{2}-\d{2}&[^\s"']*?sig=(?<secret>[A-Za-z0-9%+/]{30,}={0,2})`,
    {},
  ),
  rule(
    'azure-devops-pat',
    'Azure DevOps personal access token',
    String.raw`(?:azure|ado|devops)[\w.-]{0,20}?(?:pat|token)['"]?\s{0,3}(?:=|:)\s{0,3}['"]?(?<secret>[a-z2-7]{52})(?![a-z0-9])`,
    { flags: 'i' },
  ),
  rule(
    'github-pat',
    'GitHub personal access token',
    String.raw`(?<![A-Za-z0-9_])(?<secret>ghp_[A-Za-z0-9]{36})`,
    {},
  ),
  rule(
    'github-fine-grained-pat',
    'GitHub fine-grained personal access token',
    String.raw`(?<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9])`,
    {},
  ),
  rule(
    'github-app-token',
    'GitHub app, OAuth or refresh token',
    String.raw`(?<![A-Za-z0-9_])(?<secret>gh[usor]_(?:[A-Za-z0-9]{36}|\d+_[A-Za-z0-9_.-]{40,}))`,
    {},
  ),
  rule(
    'gitlab-token',
    'GitLab access token',
    String.raw`(?<![A-Za-z0-9_])(?<secret>gl(?:pat|dt|rt|ptt|cbt|oas)-[A-Za-z0-9_-]{20,})`,
    {},
  ),
  rule(
    'slack-token',
    'Slack token',
    String.raw`(?<![A-Za-z0-9])(?<secret>xox[abposr]-(?:\d+-)+[A-Za-z0-9-]{10,})`,
    {},
  ),
  rule(
    'slack-webhook-url',
    'Slack incoming webhook URL',
    String.raw`https://hooks\.slack\.com/services/(?<secret>T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,})`,
    {},
  ),
  rule(
    'npm-access-token',
    'npm access token',
    String.raw`(?<![A-Za-z0-9_])(?<secret>npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])`,
    {},
  ),
  rule(
    'npmrc-auth-token',
    'npm registry auth token in .npmrc',
    String.raw`:_authToken\s*=\s*(?<secret>[A-Za-z0-9_.+/=-]{20,})`,
    { minEntropy: 3.5 },
  ),
  rule(
    'pypi-upload-token',
    'PyPI upload token',
    String.raw`(?<secret>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})`,
    {},
  ),
  rule(
    'dockerconfig-secret',
    'Docker registry credentials',
    String.raw`(?:\.dockerconfigjson|\.dockercfg|"auth")\s*:\s*['"]?(?<secret>[A-Za-z0-9+/=]{8,})`,
    {},
  ),
  rule(
    'generic-secret-assignment',
    'High-entropy value assigned to a secret-like name',
    String.raw`(?<![A-Za-z0-9])(?:[\w.-]{0,30}?)(?:secret|passw(?:or)?d|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret)[\w.-]{0,20}['"]?\s{0,3}(?:=|:|=>)\s{0,3}['"]?(?<secret>[A-Za-z0-9_+/=.~-]{16,128})(?=$|[\s'",;})\]<&])`,
    { severity: 'high', flags: 'i', minEntropy: 4.2 },
  ),
];

/**
 * A cheap pre-filter: a file that matches none of these words holds no
 * secret any rule can find, so most files are dismissed with one scan.
 */
export const SECRET_HINTS =
  /PRIVATE KEY|A3T|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|aws|AIza|private_key_id|AccountKey=|sig=|azure|ado|devops|gh[pusor]_|github_pat_|gl(?:pat|dt|rt|ptt|cbt|oas)-|xox[abposr]-|hooks\.slack|npm_|_authToken|pypi-|dockerc|"auth"|secret|passw|token|api[_-]?key|access[_-]?key/i;
