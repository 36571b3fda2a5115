#!/usr/bin/env node
import { Command, Option } from 'commander';
import { errorCode } from '../../lib/core/errors.js';
import {
  createAdminTokenCommand,
  listAdminTokensCommand,
  revokeAdminTokenCommand,
} from './commands/admin-tokens.js';
import { CliError, EXIT } from './commands/common.js';
import { explainCommand } from './commands/explain.js';
import { migrateCommand } from './commands/migrate.js';
import {
  createPullCredentialCommand,
  listPullCredentialsCommand,
  revokePullCredentialCommand,
} from './commands/pull-credentials.js';
import { rulesCheckCommand } from './commands/rules-check.js';
import { scanCommand } from './commands/scan.js';
import { serveCommand } from './commands/serve.js';
import { versionCompareCommand } from './commands/version-compare.js';
import { vulndbImportCommand } from './commands/vulndb-import.js';

const program = new Command('customs')
  .description(
    'Customs: scans, verifies and judges container images per environment, and enforces the verdict at the registry and at admission.',
  )
  .showHelpAfterError();
const configOption = new Option(
  '-c, --config <file>',
  'config file (YAML); also CUSTOMS_CONFIG',
);

program
  .command('serve')
  .description('run the doors, intake, API and workers')
  .addOption(configOption)
  .option('--port <port>', 'override server.port')
  .option('--host <host>', 'override server.host')
  .action(serveCommand);

program
  .command('migrate')
  .description('apply pending database migrations')
  .addOption(configOption)
  .action(migrateCommand);

program
  .command('vulndb')
  .description('vulnerability data')
  .command('import')
  .description(
    'import vulnerability data as one snapshot: OSV JSON and all.zip, Debian tracker list and JSON, Alpine secdb, Node.js security-wg; files, directories or mirror URLs',
  )
  .argument('<inputs...>')
  .addOption(configOption)
  .action(vulndbImportCommand);

program
  .command('scan')
  .description(
    'scan an image from a registry or an OCI layout and print its packages or an SBOM (no running Customs needed)',
  )
  .argument(
    '<reference>',
    'HOST[:PORT]/REPO[:TAG|@DIGEST], oci:DIR[:TAG] or DIR',
  )
  .addOption(configOption)
  .option('--json', 'print JSON (same as --format json)')
  .option('--format <format>', 'table, json, cyclonedx (1.6) or spdx (2.3)')
  .option(
    '--platform <os/arch>',
    'image of an index the SBOM describes (default linux/amd64)',
  )
  .option('--plain-http', 'use http (default for loopback registries)')
  .option('--vulndb <paths...>', 'match against this vulnerability data')
  .action(async (ref: string, o: Parameters<typeof scanCommand>[1]) => {
    process.exitCode = await scanCommand(ref, o);
  });

program
  .command('explain')
  .description(
    'print the verdict of an image in an environment, with its reasons',
  )
  .argument('<reference>', 'REPO@DIGEST or REPO:TAG')
  .addOption(configOption)
  .option(
    '-e, --environment <name>',
    'environment (default: server.defaultEnvironment)',
  )
  .option('--url <url>', 'Customs API base URL (default: the running server)')
  .option(
    '--token <token>',
    'admin API token, viewer or above (default: the local server)',
  )
  .option('--json', 'print JSON')
  .action(async (ref: string, o: Parameters<typeof explainCommand>[1]) => {
    process.exitCode = await explainCommand(ref, o);
  });

const credentials = program
  .command('pull-credentials')
  .description('pull accounts and robot tokens, bound to one environment');
credentials
  .command('create')
  .description(
    'create a robot token (secret printed once) or, with --account, an account',
  )
  .argument('<name>')
  .addOption(configOption)
  .requiredOption(
    '-e, --environment <name>',
    'the one environment it may pull from',
  )
  .option(
    '--expires <when>',
    'expiry: 30d, 12h, 90m or an ISO time (default: none)',
  )
  .option(
    '--account',
    'an account with a password of your choice (read from stdin)',
  )
  .option('--password-stdin', 'read the account password from stdin')
  .option(
    '--push <repository>',
    'may also push there (door.passThroughWrites): a name, name/* or *; repeatable',
    (value: string, previous: string[] = []) => [...previous, value],
  )
  .action(createPullCredentialCommand);
credentials
  .command('list')
  .description('list pull credentials')
  .addOption(configOption)
  .action(listPullCredentialsCommand);
credentials
  .command('revoke')
  .description('revoke a pull credential')
  .argument('<name>')
  .addOption(configOption)
  .action(revokePullCredentialCommand);

program
  .command('rules')
  .description('trust rules')
  .command('check')
  .description(
    'validate a rules file offline (exit 2 listing every problem) and print the stored verdicts it would change',
  )
  .argument('<file>')
  .addOption(configOption)
  .option('--offline', 'only validate; do not compare with stored verdicts')
  .action(rulesCheckCommand);

const adminTokens = program
  .command('admin-tokens')
  .description('tokens of the admin API, with a role: viewer, operator, admin');
adminTokens
  .command('create')
  .description('create an admin API token (printed once)')
  .addOption(configOption)
  .requiredOption('--name <name>', 'name of the token (who uses it)')
  .addOption(
    new Option('--role <role>', 'what it may do')
      .choices(['viewer', 'operator', 'admin'])
      .makeOptionMandatory(),
  )
  .option('--expires-in <when>', 'expiry: 30d, 12h, 90m or an ISO time')
  .action(createAdminTokenCommand);
adminTokens
  .command('list')
  .description('list admin API tokens')
  .addOption(configOption)
  .action(listAdminTokensCommand);
adminTokens
  .command('revoke')
  .description('revoke an admin API token')
  .argument('<name>')
  .addOption(configOption)
  .action(revokeAdminTokenCommand);

program
  .command('version-compare')
  .description('compare two versions of an ecosystem, or check a vectors file')
  .argument('<ecosystem>')
  .argument('[versions...]')
  .option('--file <file>', 'vectors file: one "A <op> B" per line')
  .action((ecosystem: string, versions: string[], o: { file?: string }) => {
    process.exitCode = versionCompareCommand(ecosystem, versions, o);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CliError) {
    process.stderr.write(`customs: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  const code = errorCode(err);
  if (code !== undefined) {
    process.stderr.write(`customs: ${(err as Error).message}\n`);
    process.exit(
      code === 'RULES_INVALID' || code === 'CONFIG_INVALID'
        ? EXIT.usage
        : EXIT.failure,
    );
  }
  process.stderr.write(
    `customs: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(EXIT.failure);
});
