import { execFileSync } from 'node:child_process';

/** What one wrk run measured. */
export interface Load {
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
}

/**
 * Runs wrk (2 threads, 64 connections, `--latency`) and reads its summary:
 * `Requests/sec`, the 99% latency line and the non-2xx count. `script` is
 * a Lua file (method, body, headers); `headers` are added with -H.
 */
export function runWrk(options: {
  url: string;
  seconds: number;
  script: string;
  headers?: string[];
  connections?: number;
}): Load {
  const out = execFileSync('wrk', [
    '-t2',
    `-c${options.connections ?? 64}`,
    `-d${options.seconds}s`,
    '--latency',
    '-s',
    options.script,
    ...(options.headers ?? []).flatMap((h) => ['-H', h]),
    options.url,
  ]).toString();
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const unit = { us: 0.001, ms: 1, s: 1000 }[
    (p99?.[2] ?? 'ms') as 'us' | 'ms' | 's'
  ];
  const non2xx = Number(
    /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0,
  );
  return {
    requestsPerSecond: Math.round(rps),
    p99Ms: Number((Number(p99?.[1]) * unit).toFixed(2)),
    non2xx,
  };
}
