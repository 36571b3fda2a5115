/**
 * `npm run demo`: the README's five-minute walk-through, run for you on this
 * machine. Starts a real docker-registry and `customs serve`, pushes the
 * test images, imports vulnerability data, signs one image, and prints what
 * each environment may pull and why. Needs ../shared beside this checkout
 * and the tools of test/helpers/install-peers.sh. `--keep` leaves both
 * running (Ctrl-C stops them) so you can open the dashboard.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../lib/config/package-root.js';
import { freePort, run, start, waitFor, type Child } from './processes.js';

const ROOT = packageRoot();
const SHARED = join(ROOT, '..', 'shared');
const SCRIPTS = join(SHARED, 'scripts');
const SECRET = 'demo-secret';
const ADMIN_TOKEN = 'demo-admin-token';
const PASSWORD = 'demo-password';
const ENVIRONMENTS = ['dev', 'test', 'prod'];

interface Verdicts {
  verdicts?: Record<
    string,
    { status: string; reasons: Array<{ code: string; message: string }> }
  >;
}

const say = (line: string) => process.stderr.write(`» ${line}\n`);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dir = valueOf(args, '--dir') ?? '/tmp/customs-demo-run';
  const keep = args.includes('--keep');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const [registryPort, customsPort] = [await freePort(), await freePort()];
  const customsUrl = `http://127.0.0.1:${customsPort}`;
  const registryHost = `127.0.0.1:${registryPort}`;
  const children: Child[] = [];
  const stopAll = async () => {
    for (const c of children.reverse()) await c.stop();
    await run('bash', [
      join(SCRIPTS, 'stop-registry.sh'),
      join(dir, 'registry'),
    ]).catch(() => '');
  };
  try {
    const rules = await signingSetup(dir);
    say(`registry (CNCF Distribution) on ${registryHost}, notifying Customs`);
    await run('bash', [
      join(SCRIPTS, 'start-registry.sh'),
      '-p',
      String(registryPort),
      '-d',
      join(dir, 'registry'),
      '-n',
      `${customsUrl}/webhooks/distribution`,
      '-s',
      SECRET,
      '--ignore-pull',
    ]);
    say(`Customs on ${customsUrl}`);
    const env = {
      CUSTOMS_DATADIR: join(dir, 'data'),
      CUSTOMS_UPSTREAM__URL: `http://${registryHost}`,
      CUSTOMS_INTAKE__SECRET: SECRET,
      CUSTOMS_RULES__FILE: rules,
      CUSTOMS_ADMIN__BOOTSTRAPTOKEN: ADMIN_TOKEN,
    };
    const main = join(ROOT, 'dist', 'services', 'customs', 'main.js');
    const customs = start(
      process.execPath,
      [main, 'serve', '--port', String(customsPort)],
      env,
    );
    children.push(customs);
    await waitFor(
      'Customs to be ready',
      async () => ((await fetch(`${customsUrl}/readyz`)).ok ? true : undefined),
      60_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${customs.output().slice(-3000)}`);
    });
    say('pushing test images (a Debian minbase and a static busybox)');
    await run('bash', [
      join(SCRIPTS, 'make-test-images.sh'),
      '-r',
      registryHost,
      '--only',
      'debian,busybox',
    ]);
    say('importing vulnerability data (Debian security tracker, OSV)');
    await run(
      process.execPath,
      [
        main,
        'vulndb',
        'import',
        join(SHARED, 'data/raw/debian-security-tracker'),
        join(SHARED, 'data/osv'),
      ],
      env,
    );
    const images = [
      'test/debian:bookworm-minbase',
      'test/busybox-static:1.35.0',
    ];
    for (const image of images)
      await judged(
        customsUrl,
        image,
        (v) => Object.keys(v).length === ENVIRONMENTS.length,
      );
    say(
      'signing test/busybox-static:1.35.0 with the release key (cosign format)',
    );
    await run(
      'bash',
      [
        join(SCRIPTS, 'sign-image.sh'),
        '-k',
        join(dir, 'release'),
        `${registryHost}/test/busybox-static:1.35.0`,
      ],
      {
        COSIGN_PASSWORD: PASSWORD,
        TWEETNACL_DIR: join(dir, 'tools'),
      },
    );
    await judged(
      customsUrl,
      images[1]!,
      (v) => v['prod']?.status === 'eligible',
    );
    process.stdout.write(
      `\nWhat each environment may pull, and why (pull through ${customsUrl}/v2/<env>/<repo>):\n\n`,
    );
    for (const image of images)
      process.stdout.write(await describeImage(customsUrl, image));
    process.stdout.write(
      `Dashboard: ${customsUrl}/ui/ (admin token: ${ADMIN_TOKEN})\n`,
    );
    if (keep) {
      say('running; Ctrl-C stops Customs and the registry');
      await new Promise<void>((resolve) =>
        process.once('SIGINT', () => resolve()),
      );
    }
  } finally {
    await stopAll();
  }
}

/** Keys (cosign format) and rules requiring them in prod; returns the rules file. */
async function signingSetup(dir: string): Promise<string> {
  say('generating a release signing key; prod requires its signature');
  await run('npm', [
    'install',
    '--prefix',
    join(dir, 'tools'),
    '--no-audit',
    '--no-fund',
    '--no-save',
    'tweetnacl@1.0.3',
  ]);
  await run(
    process.execPath,
    [
      join(SCRIPTS, 'cosign-keys.mjs'),
      'generate',
      join(dir, 'release'),
      PASSWORD,
    ],
    {
      TWEETNACL_DIR: join(dir, 'tools'),
    },
  );
  const rules = join(dir, 'rules.yaml');
  writeFileSync(
    rules,
    readFileSync(join(ROOT, 'config', 'rules.example.yaml'), 'utf8')
      .replace(
        'keys: {}',
        `keys:\n  release:\n    publicKeyFile: ${join(dir, 'release.pub')}`,
      )
      .replace('requiredSigners: []', 'requiredSigners: [release]'),
  );
  return rules;
}

async function report(url: string, image: string): Promise<Verdicts> {
  const res = await fetch(`${url}/api/v1/images/${image}`, {
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return (await res.json()) as Verdicts;
}

async function judged(
  url: string,
  image: string,
  done: (v: NonNullable<Verdicts['verdicts']>) => boolean,
): Promise<void> {
  await waitFor(
    `verdicts of ${image}`,
    async () => {
      const v = (await report(url, image)).verdicts ?? {};
      return done(v) ? true : undefined;
    },
    120_000,
  );
}

/** `image` then one line per environment: status and its reasons. */
async function describeImage(url: string, image: string): Promise<string> {
  const { verdicts = {} } = await report(url, image);
  const lines = [`${image}`];
  for (const env of ENVIRONMENTS) {
    const v = verdicts[env];
    const why = (v?.reasons ?? []).map((r) => `${r.code}: ${r.message}`);
    lines.push(
      `  ${env.padEnd(5)} ${(v?.status ?? 'unknown').padEnd(10)} ${why[0] ?? ''}`,
    );
    for (const more of why.slice(1, 4))
      lines.push(`  ${''.padEnd(16)} ${more}`);
    if (why.length > 4)
      lines.push(`  ${''.padEnd(16)} … ${why.length - 4} more`);
  }
  return `${lines.join('\n')}\n\n`;
}

function valueOf(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}

main().catch((err: unknown) => {
  process.stderr.write(
    `demo failed: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exitCode = 1;
});
