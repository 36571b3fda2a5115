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

/** Where the demo runs: its directory, ports and the Customs CLI. */
interface Demo {
  dir: string;
  customsUrl: string;
  customsPort: number;
  registryHost: string;
  customsMain: string;
  env: Record<string, string>;
}

const IMAGES = ['test/debian:bookworm-minbase', 'test/busybox-static:1.35.0'];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dir = valueOf(args, '--dir') ?? '/tmp/customs-demo-run';
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const demo = await plan(dir);
  const children: Child[] = [];
  try {
    await startRegistry(demo);
    children.push(await startCustoms(demo));
    await pushAndJudge(demo);
    await signBusybox(demo);
    await printVerdicts(demo);
    if (args.includes('--keep')) {
      say('running; Ctrl-C stops Customs and the registry');
      await new Promise<void>((resolve) =>
        process.once('SIGINT', () => resolve()),
      );
    }
  } finally {
    for (const c of children) await c.stop();
    await run('bash', [
      join(SCRIPTS, 'stop-registry.sh'),
      join(dir, 'registry'),
    ]).catch(() => '');
  }
}

async function plan(dir: string): Promise<Demo> {
  const [registryPort, customsPort] = [await freePort(), await freePort()];
  const registryHost = `127.0.0.1:${registryPort}`;
  return {
    dir,
    customsPort,
    customsUrl: `http://127.0.0.1:${customsPort}`,
    registryHost,
    customsMain: join(ROOT, 'dist', 'services', 'customs', 'main.js'),
    env: {
      CUSTOMS_DATADIR: join(dir, 'data'),
      CUSTOMS_UPSTREAM__URL: `http://${registryHost}`,
      CUSTOMS_INTAKE__SECRET: SECRET,
      CUSTOMS_RULES__FILE: await signingSetup(dir),
      CUSTOMS_ADMIN__BOOTSTRAPTOKEN: ADMIN_TOKEN,
    },
  };
}

async function startRegistry(demo: Demo): Promise<void> {
  say(
    `registry (CNCF Distribution) on ${demo.registryHost}, notifying Customs`,
  );
  await run('bash', [
    join(SCRIPTS, 'start-registry.sh'),
    ...['-p', demo.registryHost.split(':')[1]!],
    ...['-d', join(demo.dir, 'registry')],
    ...['-n', `${demo.customsUrl}/webhooks/distribution`],
    ...['-s', SECRET, '--ignore-pull'],
  ]);
}

async function startCustoms(demo: Demo): Promise<Child> {
  say(`Customs on ${demo.customsUrl}`);
  const customs = start(
    process.execPath,
    [demo.customsMain, 'serve', '--port', String(demo.customsPort)],
    demo.env,
  );
  try {
    await waitFor(
      'Customs to be ready',
      async () =>
        (await fetch(`${demo.customsUrl}/readyz`)).ok ? true : undefined,
      60_000,
    );
  } catch (err: unknown) {
    await customs.stop();
    throw new Error(`${String(err)}\n${customs.output().slice(-3000)}`);
  }
  return customs;
}

/** Pushes the test images, imports the data, waits for every verdict. */
async function pushAndJudge(demo: Demo): Promise<void> {
  say('pushing test images (a Debian minbase and a static busybox)');
  // The script rewrites the shared image cache: one run at a time (the
  // tests take the same lock).
  const cache = process.env['OCI_TEST_CACHE'] ?? '/tmp/oci-test-cache';
  mkdirSync(cache, { recursive: true });
  await run('flock', [
    join(cache, '.make-test-images.lock'),
    ...['bash', join(SCRIPTS, 'make-test-images.sh')],
    ...['-r', demo.registryHost, '--only', 'debian,busybox'],
  ]);
  say('importing vulnerability data (Debian security tracker, OSV)');
  await run(
    process.execPath,
    [
      ...[demo.customsMain, 'vulndb', 'import'],
      join(SHARED, 'data/raw/debian-security-tracker'),
      join(SHARED, 'data/osv'),
    ],
    demo.env,
  );
  for (const image of IMAGES)
    await judged(
      demo.customsUrl,
      image,
      (v) => Object.keys(v).length === ENVIRONMENTS.length,
    );
}

/** Signs busybox; the registry's notification of the signature re-judges it. */
async function signBusybox(demo: Demo): Promise<void> {
  say(
    'signing test/busybox-static:1.35.0 with the release key (cosign format)',
  );
  await run(
    'bash',
    [
      join(SCRIPTS, 'sign-image.sh'),
      ...['-k', join(demo.dir, 'release')],
      `${demo.registryHost}/${IMAGES[1]!}`,
    ],
    { COSIGN_PASSWORD: PASSWORD, TWEETNACL_DIR: join(demo.dir, 'tools') },
  );
  await judged(
    demo.customsUrl,
    IMAGES[1]!,
    (v) => v['prod']?.status === 'eligible',
  );
}

async function printVerdicts(demo: Demo): Promise<void> {
  process.stdout.write(
    `\nWhat each environment may pull, and why (pull through ${demo.customsUrl}/v2/<env>/<repo>):\n\n`,
  );
  for (const image of IMAGES)
    process.stdout.write(await describeImage(demo.customsUrl, image));
  process.stdout.write(
    `Dashboard: ${demo.customsUrl}/ui/ (admin token: ${ADMIN_TOKEN})\n`,
  );
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
