/**
 * Writes OCI content to a real registry with the distribution push API
 * (monolithic blob upload, manifest PUT), as cosign, notation and oras do,
 * including the referrers tag schema fallback (`sha256-<hex>` index) for
 * registries without the referrers API.
 */
import { createHash } from 'node:crypto';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** `sha256:<hex>` of bytes. */
export function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Uploads a blob (POST then PUT ?digest=); returns its digest. */
export async function pushBlob(
  registryUrl: string,
  repository: string,
  data: Buffer,
): Promise<string> {
  const digest = sha256Digest(data);
  const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, {
    method: 'POST',
  });
  if (start.status !== 202)
    throw new Error(
      `blob upload refused: ${start.status} ${await start.text()}`,
    );
  const location = new URL(start.headers.get('location')!, registryUrl);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: data,
  });
  if (put.status !== 201)
    throw new Error(`blob upload failed: ${put.status} ${await put.text()}`);
  return digest;
}

/** PUTs a manifest under a tag or its digest; returns its digest. */
export async function pushManifest(
  registryUrl: string,
  repository: string,
  reference: string | undefined,
  body: Buffer,
  mediaType = MANIFEST,
): Promise<string> {
  const digest = sha256Digest(body);
  const res = await fetch(
    `${registryUrl}/v2/${repository}/manifests/${reference ?? digest}`,
    {
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body,
    },
  );
  if (res.status !== 201)
    throw new Error(`manifest push failed: ${res.status} ${await res.text()}`);
  return digest;
}

/** GETs a manifest: its bytes and media type, or undefined (404). */
export async function getManifest(
  registryUrl: string,
  repository: string,
  reference: string,
): Promise<{ body: Buffer; mediaType: string } | undefined> {
  const res = await fetch(
    `${registryUrl}/v2/${repository}/manifests/${reference}`,
    {
      headers: {
        Accept: `${MANIFEST}, ${INDEX}, application/vnd.docker.distribution.manifest.v2+json`,
      },
    },
  );
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`manifest read failed: ${res.status}`);
  return {
    body: Buffer.from(await res.arrayBuffer()),
    mediaType: res.headers.get('content-type') ?? '',
  };
}

/**
 * Pushes a referrer (its blobs, then the manifest by digest) and, as
 * clients do for a registry without the referrers API, adds it to the
 * `sha256-<hex>` index of its subject. Returns the referrer's digest.
 */
export async function pushReferrer(
  registryUrl: string,
  repository: string,
  referrer: { manifest: Buffer; blobs: Buffer[] },
  options: { tagFallback: boolean } = { tagFallback: true },
): Promise<string> {
  for (const blob of referrer.blobs)
    await pushBlob(registryUrl, repository, blob);
  const digest = await pushManifest(
    registryUrl,
    repository,
    undefined,
    referrer.manifest,
  );
  if (!options.tagFallback) return digest;
  const parsed = JSON.parse(referrer.manifest.toString()) as {
    subject: { digest: string };
    artifactType?: string;
    config: { mediaType: string };
    annotations?: Record<string, string>;
  };
  const tag = parsed.subject.digest.replace(':', '-');
  const existing = await getManifest(registryUrl, repository, tag);
  const index = existing
    ? (JSON.parse(existing.body.toString()) as { manifests: unknown[] })
    : { schemaVersion: 2, mediaType: INDEX, manifests: [] as unknown[] };
  index.manifests.push({
    mediaType: MANIFEST,
    digest,
    size: referrer.manifest.length,
    artifactType: parsed.artifactType ?? parsed.config.mediaType,
    annotations: parsed.annotations,
  });
  await pushManifest(
    registryUrl,
    repository,
    tag,
    Buffer.from(JSON.stringify(index)),
    INDEX,
  );
  return digest;
}

/** An OCI 1.1 referrer manifest holding one blob (bundle, envelope, ...). */
export function referrerManifest(
  subject: { mediaType: string; digest: string; size: number },
  artifactType: string,
  layer: { mediaType: string; data: Buffer },
  annotations: Record<string, string> = {},
): { manifest: Buffer; blobs: Buffer[] } {
  const empty = Buffer.from('{}');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      artifactType,
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        digest: sha256Digest(empty),
        size: 2,
      },
      layers: [
        {
          mediaType: layer.mediaType,
          digest: sha256Digest(layer.data),
          size: layer.data.length,
        },
      ],
      subject,
      annotations: {
        'org.opencontainers.image.created': new Date().toISOString(),
        ...annotations,
      },
    }),
  );
  return { manifest, blobs: [empty, layer.data] };
}

/** A cosign `.sig`/`.att`-style manifest: one layer per signature, with annotations. */
export function cosignManifest(
  layers: Array<{
    mediaType: string;
    data: Buffer;
    annotations: Record<string, string>;
  }>,
): { manifest: Buffer; blobs: Buffer[] } {
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      os: '',
      config: {},
      rootfs: {
        type: 'layers',
        diff_ids: layers.map((l) => sha256Digest(l.data)),
      },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256Digest(config),
        size: config.length,
      },
      layers: layers.map((l) => ({
        mediaType: l.mediaType,
        digest: sha256Digest(l.data),
        size: l.data.length,
        annotations: l.annotations,
      })),
    }),
  );
  return { manifest, blobs: [config, ...layers.map((l) => l.data)] };
}

/**
 * Copies a single-platform image between repositories of one registry
 * (cross-repository blob mount + manifest PUT); returns its digest.
 */
export async function copyImage(
  registryUrl: string,
  from: string,
  to: string,
  reference: string,
): Promise<string> {
  const source = await getManifest(registryUrl, from, reference);
  if (!source) throw new Error(`no ${from}:${reference}`);
  const doc = JSON.parse(source.body.toString()) as {
    config: { digest: string };
    layers: Array<{ digest: string }>;
  };
  for (const digest of [
    doc.config.digest,
    ...doc.layers.map((l) => l.digest),
  ]) {
    const res = await fetch(
      `${registryUrl}/v2/${to}/blobs/uploads/?mount=${digest}&from=${from}`,
      { method: 'POST' },
    );
    if (res.status !== 201) throw new Error(`blob mount failed: ${res.status}`);
  }
  return pushManifest(registryUrl, to, 'latest', source.body, source.mediaType);
}

/** The descriptor (media type, digest, size) of a manifest in the registry. */
export async function manifestDescriptor(
  registryUrl: string,
  repository: string,
  digest: string,
): Promise<{ mediaType: string; digest: string; size: number }> {
  const found = await getManifest(registryUrl, repository, digest);
  if (!found) throw new Error(`no manifest ${repository}@${digest}`);
  return { mediaType: found.mediaType, digest, size: found.body.length };
}
