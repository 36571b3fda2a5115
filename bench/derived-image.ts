/**
 * Bench helper: an image built on another one (all its layers, plus one
 * small layer of its own), as an OCI layout pushed with skopeo: what a
 * second image sharing its base layers looks like to the scanner.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildTar } from '../lib/scan/layers/test-tar.js';

const sha = (b: Buffer) =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Pushes `<host>/<repository>:<tag>` = the only image of `baseLayout` + one small layer; returns its digest. */
export async function pushDerivedImage(
  baseLayout: string,
  target: { host: string; repository: string; tag: string },
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'customs-derived-'));
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const blob = (d: string) => join(baseLayout, 'blobs', 'sha256', d.slice(7));
  const index = JSON.parse(
    await readFile(join(baseLayout, 'index.json'), 'utf8'),
  ) as { manifests: Array<{ digest: string }> };
  const manifest = JSON.parse(
    await readFile(blob(index.manifests[0]!.digest), 'utf8'),
  ) as {
    config: { digest: string; size: number; mediaType: string };
    layers: Array<{ digest: string; size: number; mediaType: string }>;
  };
  const config = JSON.parse(
    await readFile(blob(manifest.config.digest), 'utf8'),
  ) as { rootfs: { diff_ids: string[] } };
  const tar = buildTar([
    { type: 'file', path: 'etc/derived-release', content: 'derived image\n' },
  ]);
  const layer = gzipSync(tar);
  config.rootfs.diff_ids.push(sha(tar));
  const configBody = Buffer.from(JSON.stringify(config));
  const newManifest = Buffer.from(
    JSON.stringify({
      ...manifest,
      config: {
        ...manifest.config,
        digest: sha(configBody),
        size: configBody.length,
      },
      layers: [
        ...manifest.layers,
        {
          mediaType: manifest.layers[0]!.mediaType,
          digest: sha(layer),
          size: layer.length,
        },
      ],
    }),
  );
  for (const l of manifest.layers)
    await copyFile(blob(l.digest), join(blobs, l.digest.slice(7)));
  for (const b of [layer, configBody, newManifest])
    await writeFile(join(blobs, sha(b).slice(7)), b);
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: sha(newManifest),
          size: newManifest.length,
          annotations: { 'org.opencontainers.image.ref.name': target.tag },
        },
      ],
    }),
  );
  await promisify(execFile)('skopeo', [
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    '--preserve-digests',
    `oci:${dir}:${target.tag}`,
    `docker://${target.host}/${target.repository}:${target.tag}`,
  ]);
  return sha(newManifest);
}

/** Pushes image `tag` of a layout verbatim (digests kept); returns its manifest digest. */
export async function pushLayout(
  layout: string,
  tag: string,
  target: { host: string; ref: string },
): Promise<string> {
  const index = JSON.parse(
    await readFile(join(layout, 'index.json'), 'utf8'),
  ) as {
    manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
  };
  const chosen = index.manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag,
  );
  if (chosen === undefined) throw new Error(`no ${tag} in ${layout}`);
  await promisify(execFile)('skopeo', [
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    '--preserve-digests',
    `oci:${layout}:${tag}`,
    `docker://${target.host}/${target.ref}`,
  ]);
  return chosen.digest;
}
