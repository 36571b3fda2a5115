import { createPublicKey, X509Certificate } from 'node:crypto';
import type { NotationEntry } from './trust-rules.js';

/** The trust sections as the schema parsed them (files not read yet). */
interface ParsedTrust {
  keys: Record<
    string,
    {
      publicKey?: string | undefined;
      publicKeyFile?: string | undefined;
      trustedRoot?: string | undefined;
    }
  >;
  trustedRoots: Record<string, { file: string; ctlogThreshold: number }>;
  notation: Record<string, NotationEntry>;
}

/** The trust sections with every named file read and checked. */
export interface ResolvedTrust {
  keys: Record<
    string,
    { publicKeyPem: string; trustedRoot?: string | undefined }
  >;
  trustedRoots: Record<string, { json: unknown; ctlogThreshold: number }>;
  notation: Record<
    string,
    NotationEntry & { certificates: Buffer[]; tsaCertificates: Buffer[] }
  >;
}

/** Key types cosign signs with (ECDSA P-256/384/521, RSA, Ed25519). */
const KEY_TYPES = new Set(['ec', 'rsa', 'rsa-pss', 'ed25519']);
const PEM_CERT_RE =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads the key, trusted-root and certificate files the rules name and
 * checks each holds what it should; every problem is pushed on `problems`
 * (path first) so the caller can report them all at once.
 */
export function resolveTrustFiles(
  parsed: ParsedTrust,
  readFile: (path: string) => string | Buffer,
  problems: string[],
): ResolvedTrust {
  const read = (path: string, at: string): Buffer | undefined => {
    try {
      const data = readFile(path);
      return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    } catch (err: unknown) {
      problems.push(`${at}: cannot read ${path}: ${(err as Error).message}`);
      return undefined;
    }
  };
  return {
    keys: resolveKeys(parsed.keys, read, problems),
    trustedRoots: resolveRoots(parsed.trustedRoots, read, problems),
    notation: resolveNotation(parsed.notation, read, problems),
  };
}

type Read = (path: string, at: string) => Buffer | undefined;

function resolveKeys(
  entries: ParsedTrust['keys'],
  read: Read,
  problems: string[],
): ResolvedTrust['keys'] {
  const keys: ResolvedTrust['keys'] = {};
  for (const [name, key] of Object.entries(entries)) {
    const pem =
      key.publicKey ??
      read(key.publicKeyFile!, `keys.${name}.publicKeyFile`)?.toString('utf8');
    if (pem === undefined) continue;
    let type: string | undefined;
    try {
      type = createPublicKey(pem).asymmetricKeyType;
    } catch {
      problems.push(`keys.${name}: not a PEM public key`);
      continue;
    }
    if (type && KEY_TYPES.has(type))
      keys[name] = { publicKeyPem: pem, trustedRoot: key.trustedRoot };
    else
      problems.push(
        `keys.${name}: unsupported key type ${type ?? 'unknown'} (ECDSA, RSA or Ed25519)`,
      );
  }
  return keys;
}

function resolveRoots(
  entries: ParsedTrust['trustedRoots'],
  read: Read,
  problems: string[],
): ResolvedTrust['trustedRoots'] {
  const roots: ResolvedTrust['trustedRoots'] = {};
  for (const [name, root] of Object.entries(entries)) {
    const data = read(root.file, `trustedRoots.${name}.file`);
    if (data === undefined) continue;
    const json = parseTrustedRoot(data);
    if (typeof json === 'string')
      problems.push(`trustedRoots.${name}.file: ${root.file}: ${json}`);
    else roots[name] = { json, ctlogThreshold: root.ctlogThreshold };
  }
  return roots;
}

function resolveNotation(
  entries: ParsedTrust['notation'],
  read: Read,
  problems: string[],
): ResolvedTrust['notation'] {
  const notation: ResolvedTrust['notation'] = {};
  for (const [name, entry] of Object.entries(entries)) {
    const load = (files: string[], field: string) =>
      files.flatMap((file, i) => {
        const at = `notation.${name}.${field}.${i}`;
        const data = read(file, at);
        if (data === undefined) return [];
        const certs = splitCertificates(data);
        if (certs.length === 0)
          problems.push(`${at}: ${file} holds no X.509 certificate`);
        return certs;
      });
    notation[name] = {
      ...entry,
      certificates: load(entry.trustStore, 'trustStore'),
      tsaCertificates: load(entry.tsaStore, 'tsaStore'),
    };
  }
  return notation;
}

/** DER certificates in a PEM bundle or a single DER file; [] when none parse. */
export function splitCertificates(data: Buffer): Buffer[] {
  const text = data.toString('latin1');
  const pems = text.match(PEM_CERT_RE);
  const candidates: Array<string | Buffer> = pems ?? [data];
  return candidates.flatMap((cert) => {
    try {
      return [new X509Certificate(cert).raw];
    } catch {
      return [];
    }
  });
}

function parseTrustedRoot(data: Buffer): unknown {
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    return 'not JSON';
  }
  const doc = json as Record<string, unknown> | null;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    !Array.isArray(doc.tlogs) ||
    !Array.isArray(doc.certificateAuthorities)
  )
    return 'not a Sigstore trusted root (tlogs, certificateAuthorities)';
  return json;
}
