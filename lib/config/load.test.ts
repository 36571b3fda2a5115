import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { listConfigLeaves } from './env.js';
import { loadConfig } from './load.js';
import { configSchema } from './schema.js';

const files = (map: Record<string, string>) => (path: string) => {
  const text = map[path];
  if (text === undefined) throw new Error(`ENOENT: ${path}`);
  return text;
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err: unknown) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    return (err as ConfigError).details?.problems as string[];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the schema defaults with no file and no env', () => {
    const cfg = loadConfig({ env: {}, readFile: files({}) });
    expect(cfg.server.port).toBe(8080);
    expect(cfg.database.url).toBe('');
    expect(cfg.server.defaultEnvironment).toBe('prod');
    expect(Object.isFrozen(cfg.server)).toBe(true);
  });

  it('layers file then env, env names case-insensitive with __ levels', () => {
    const cfg = loadConfig({
      configPath: '/c.yaml',
      env: {
        CUSTOMS_UPSTREAM__URL: 'http://127.0.0.1:15000',
        customs_server__port: '9999',
        CUSTOMS_DATADIR: '/var/lib/customs',
      },
      readFile: files({
        '/c.yaml': 'version: 1\nserver:\n  port: 7000\n  host: 0.0.0.0\n',
      }),
    });
    expect(cfg.server).toMatchObject({ port: 9999, host: '0.0.0.0' });
    expect(cfg.upstream.url).toBe('http://127.0.0.1:15000');
    expect(cfg.dataDir).toBe('/var/lib/customs');
  });

  it('reads secrets from a _FILE variable', () => {
    const cfg = loadConfig({
      env: { CUSTOMS_INTAKE__SECRET_FILE: '/run/secret' },
      readFile: files({ '/run/secret': 's3cret\n' }),
    });
    expect(cfg.intake.secret).toBe('s3cret');
  });

  it('names every problem at once: unknown keys, bad values, bad env', () => {
    const problems = problemsOf(() =>
      loadConfig({
        configPath: '/c.yaml',
        env: { CUSTOMS_SERVER__PORT: 'eighty', CUSTOMS_NOPE: 'x' },
        readFile: files({
          '/c.yaml':
            'version: 1\nserver:\n  bogus: 1\nupstream:\n  url: not a url\n',
        }),
      }),
    );
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/server\.bogus: unknown key/);
    expect(problems.join('\n')).toMatch(/upstream\.url/);
    expect(problems.join('\n')).toMatch(/server\.port: .*CUSTOMS_SERVER__PORT/);
    expect(problems.join('\n')).toMatch(
      /CUSTOMS_NOPE: unknown configuration key/,
    );
  });

  it('requires version: 1 in a config file', () => {
    expect(
      problemsOf(() =>
        loadConfig({
          configPath: '/c.yaml',
          env: {},
          readFile: files({ '/c.yaml': 'dataDir: x\n' }),
        }),
      ),
    ).toEqual([expect.stringMatching(/^version: required/)]);
    expect(
      problemsOf(() =>
        loadConfig({
          configPath: '/c.yaml',
          env: {},
          readFile: files({ '/c.yaml': 'version: 2\n' }),
        }),
      ),
    ).toEqual([expect.stringMatching(/^version: /)]);
  });

  it('reports an unreadable file and broken YAML', () => {
    expect(
      problemsOf(() =>
        loadConfig({ configPath: '/x', env: {}, readFile: files({}) }),
      ),
    ).toEqual([expect.stringMatching(/cannot read config file/)]);
    expect(
      problemsOf(() =>
        loadConfig({
          configPath: '/c',
          env: {},
          readFile: files({ '/c': 'a: [1,\n' }),
        }),
      )[0],
    ).toMatch(/^\/c: /);
  });

  it('refuses the Harbor scanner adapter enabled without a secret', () => {
    expect(
      problemsOf(() =>
        loadConfig({
          env: { CUSTOMS_HARBORADAPTER__ENABLED: 'true' },
          readFile: files({}),
        }),
      ),
    ).toEqual([expect.stringMatching(/harborAdapter\.secret/)]);
    const cfg = loadConfig({
      env: {
        CUSTOMS_HARBORADAPTER__ENABLED: 'true',
        CUSTOMS_HARBORADAPTER__SECRET: 'Bearer s',
      },
      readFile: files({}),
    });
    expect(cfg.harborAdapter.enabled).toBe(true);
  });
});

describe('config/default.yaml', () => {
  const path = fileURLToPath(
    new URL('../../config/default.yaml', import.meta.url),
  );
  const text = readFileSync(path, 'utf8');

  it('parses and equals the schema defaults', () => {
    const fromFile = loadConfig({
      configPath: path,
      env: {},
      readFile: (p) => readFileSync(p, 'utf8'),
    });
    expect(fromFile).toEqual(loadConfig({ env: {}, readFile: files({}) }));
  });

  it('mentions every key of the schema', () => {
    const missing = listConfigLeaves(configSchema)
      .map((leaf) => leaf.path)
      .filter(
        (p) => !new RegExp(`^\\s*#?\\s*${p[p.length - 1]}:`, 'm').test(text),
      );
    expect(missing).toEqual([]);
    expect(parse(text)).toMatchObject({ version: 1 });
  });
});
