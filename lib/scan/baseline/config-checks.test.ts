import { describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import { baselineFindings, type BaselineInput } from './config-checks.js';
import { fileFlags } from './file-flags.js';

const LAYER = `sha256:${'3'.repeat(64)}` as Digest;
const TOKEN = `ghp_${'Zq8Lr2Vx9Mw4Tn7Kp3Hs6Jd1Fg5Bc0Ny2Uae'}`;
const good: BaselineInput = {
  config: {
    config: {
      User: '10001',
      Env: ['PATH=/usr/bin'],
      Healthcheck: { Test: ['CMD', 'true'] },
    },
    history: [{ created_by: 'COPY . /srv' }],
  },
  flags: [],
  tags: ['1.0', 'latest'],
};
const ids = (input: BaselineInput) => baselineFindings(input).map((f) => f.id);
const flagged = (path: string, mode: number) =>
  fileFlags({ path, sizeBytes: 1, mode }).map((f) => ({
    ...f,
    layerDigest: LAYER,
  }));

describe('configuration baseline', () => {
  it('passes a non-root image with a healthcheck and a version tag', () => {
    expect(ids(good)).toEqual([]);
  });

  it('flags root, a missing healthcheck, secrets in ENV and history, remote ADD', () => {
    const bad: BaselineInput = {
      ...good,
      config: {
        config: {
          User: 'root:root',
          Env: ['PATH=/usr/bin', `GITHUB_TOKEN=${TOKEN}`],
          Healthcheck: { Test: ['NONE'] },
        },
        history: [
          { created_by: `RUN curl -H "Authorization: token ${TOKEN}" x` },
          { created_by: 'ADD https://example.org/app.tgz?token=abc /opt/' },
        ],
      },
    };
    const found = baselineFindings(bad);
    expect(found.map((f) => f.id)).toEqual([
      'CUSTOMS-CFG-001',
      'CUSTOMS-CFG-002',
      'CUSTOMS-CFG-003',
      'CUSTOMS-CFG-004',
      'CUSTOMS-CFG-005',
    ]);
    expect(found[2]?.details).toEqual({ variables: ['GITHUB_TOKEN'] });
    expect(found[3]?.details).toEqual({ historySteps: [0] });
    expect(found[4]?.details).toEqual({
      urls: ['https://example.org/app.tgz'],
    });
    expect(JSON.stringify(found)).not.toContain(TOKEN);
    expect(ids({ ...good, config: { config: {} } })).toContain(
      'CUSTOMS-CFG-001',
    );
  });

  it('flags setuid/setgid, world-writable files and package caches', () => {
    const input: BaselineInput = {
      ...good,
      flags: [
        ...flagged('usr/local/bin/rootshell', 0o4755),
        ...flagged('usr/bin/wall', 0o2755),
        ...flagged('srv/app/data.txt', 0o666),
        ...flagged(
          'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4',
          0o644,
        ),
        ...flagged('srv/app/ok', 0o755),
      ],
    };
    const found = baselineFindings(input);
    expect(found.map((f) => f.id)).toEqual([
      'CUSTOMS-CFG-006',
      'CUSTOMS-CFG-007',
      'CUSTOMS-CFG-008',
    ]);
    expect(found[0]?.details).toMatchObject({
      count: 2,
      files: [
        { path: 'usr/local/bin/rootshell', mode: '04755', layerDigest: LAYER },
        { path: 'usr/bin/wall', mode: '02755' },
      ],
    });
  });

  it('flags an image tagged only latest; no config means no config checks', () => {
    expect(ids({ ...good, tags: ['latest'] })).toEqual(['CUSTOMS-CFG-009']);
    expect(ids({ ...good, config: undefined, tags: [] })).toEqual([]);
  });
});
