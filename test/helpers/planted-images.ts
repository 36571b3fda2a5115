/**
 * Small test images pushed to a real registry (distribution push API) that
 * hold what Customs must find beyond CVEs: fake secrets (one in a kept
 * file, one in a file the next layer deletes), a setuid shell, a root user
 * (no USER), the EICAR test file and a malicious npm package named in
 * ../shared/data/osv/malicious; and a clean counterpart holding none.
 * The secret values are built here (fake, in the shape of real ones) and
 * exported so tests can grep every output for them.
 */
import {
  buildTar,
  gzip,
  type TarSpec,
} from '../../lib/scan/layers/test-tar.js';
import { pushBlob, pushManifest, sha256Digest } from './oci-push.js';

/** Planted secret values: they must never appear in anything Customs keeps or says. */
export const PLANTED_SECRETS = {
  githubPat: `ghp_${'Zq8Lr2Vx9Mw4Tn7Kp3Hs6Jd1Fg5Bc0Ny2Uae'}`,
  awsKeyId: `AKIA${'QX7TZ3LM9VN2KP4W'}`,
  awsSecretKey: `${'wJalrXUtnFEMIK7MDENGbPxRfiCY'}${'Q2r8Tz4Lm6Vn'}`,
} as const;

/** The EICAR anti-virus test file (https://www.eicar.org/download-anti-malware-testfile/). */
export const EICAR =
  'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

/** What was pushed: the manifest digest and each layer's digest, bottom first. */
export interface PushedImage {
  repository: string;
  tag: string;
  digest: string;
  layers: string[];
}

const LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const BASE: TarSpec[] = [
  { type: 'dir', path: 'etc' },
  {
    type: 'file',
    path: 'etc/os-release',
    content: 'ID=customs-test\nVERSION_ID="1"\n',
  },
  { type: 'file', path: 'bin/sh', content: '#!fake shell\n', mode: 0o755 },
];

/** The planted image: every finding the issue lists, in two layers. */
export function plantedLayers(): TarSpec[][] {
  const s = PLANTED_SECRETS;
  return [
    [
      ...BASE,
      {
        type: 'file',
        path: 'srv/app/.env',
        content: `# app settings\nPORT=8080\nGITHUB_TOKEN=${s.githubPat}\n`,
      },
      {
        type: 'file',
        path: 'root/.aws/credentials',
        content: `[default]\naws_access_key_id = ${s.awsKeyId}\naws_secret_access_key = ${s.awsSecretKey}\n`,
      },
      {
        type: 'file',
        path: 'usr/local/bin/rootshell',
        content: '#!fake setuid shell\n',
        mode: 0o4755,
      },
      { type: 'file', path: 'srv/app/eicar.com', content: EICAR },
      {
        type: 'file',
        path: 'srv/app/node_modules/flatmap-stream/package.json',
        content: JSON.stringify({ name: 'flatmap-stream', version: '0.1.1' }),
      },
      // salt 3000.1: CVE-2020-11651 (PYSEC-2020-102), in CISA KEV, fixed in 3000.2.
      {
        type: 'file',
        path: 'usr/lib/python3/dist-packages/salt-3000.1.dist-info/METADATA',
        content: 'Metadata-Version: 2.1\nName: salt\nVersion: 3000.1\n',
      },
    ],
    // The credentials file is deleted, but still pullable from the layer below.
    [{ type: 'file', path: 'root/.aws/.wh.credentials', content: '' }],
  ];
}

/** The base layer the clean image is built on (an approved base in the tests). */
export function baseLayer(): TarSpec[] {
  return BASE;
}

/** The clean counterpart: built on the base layer, none of the findings. */
export function cleanLayers(): TarSpec[][] {
  return [
    BASE,
    [
      { type: 'file', path: 'srv/app/.env', content: 'PORT=8080\n' },
      {
        type: 'file',
        path: 'usr/local/bin/tool',
        content: '#!fake tool\n',
        mode: 0o755,
      },
      {
        type: 'file',
        path: 'srv/app/node_modules/ms/package.json',
        content: JSON.stringify({ name: 'ms', version: '2.1.3' }),
      },
    ],
    [{ type: 'file', path: 'srv/app/README', content: 'clean\n' }],
  ];
}

/** Image config of a planted image (root) or a clean one (USER, HEALTHCHECK). */
export function imageConfig(
  layers: Buffer[],
  kind: 'planted' | 'clean',
): Record<string, unknown> {
  const clean = kind === 'clean';
  return {
    architecture: 'amd64',
    os: 'linux',
    config: {
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin'],
      Cmd: ['/bin/sh'],
      ...(clean && {
        User: '10001:10001',
        Healthcheck: { Test: ['CMD', '/usr/local/bin/tool', 'health'] },
        Labels: {
          'org.opencontainers.image.source': 'https://git.example.org/app',
          'org.opencontainers.image.revision': '0123456789abcdef',
        },
      }),
    },
    rootfs: {
      type: 'layers',
      diff_ids: layers.map((l) => sha256Digest(l)),
    },
    history: [{ created_by: 'COPY . /srv/app' }],
  };
}

/** The gzip blobs of `layers` (deterministic: digests are known before a push). */
export function layerBlobs(layers: TarSpec[][]): Buffer[] {
  return layers.map((entries) => gzip(buildTar(entries)));
}

/**
 * Pushes an image of `layers` (gzip) with `config` to `repository:tag` of
 * the registry at `registryUrl`.
 */
export async function pushLayeredImage(
  registryUrl: string,
  image: { repository: string; tag: string },
  layers: TarSpec[][],
  kind: 'planted' | 'clean',
): Promise<PushedImage> {
  const tars = layers.map((entries) => buildTar(entries));
  const blobs = layerBlobs(layers);
  const config = Buffer.from(JSON.stringify(imageConfig(tars, kind)));
  for (const blob of [config, ...blobs])
    await pushBlob(registryUrl, image.repository, blob);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256Digest(config),
        size: config.length,
      },
      layers: blobs.map((b) => ({
        mediaType: LAYER_GZIP,
        digest: sha256Digest(b),
        size: b.length,
      })),
    }),
  );
  const digest = await pushManifest(
    registryUrl,
    image.repository,
    image.tag,
    manifest,
  );
  return {
    ...image,
    digest,
    layers: blobs.map((b) => sha256Digest(b)),
  };
}
