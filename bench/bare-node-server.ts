// The floor a Node HTTP server can reach on this machine, for benchmarks to
// measure in the same run as Customs: a bare node:http server with no
// verdict work at all. Usage:
//   npx tsx bare-node-server.ts PORT admission
//     reads the AdmissionReview, parses it and answers "allowed";
//   npx tsx bare-node-server.ts PORT file PATH MEDIA_TYPE DIGEST
//     answers every GET/HEAD with the file's bytes and a manifest's headers.
import { readFileSync } from 'node:fs';
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';

const [port, mode, path, mediaType, digest] = process.argv.slice(2);

function admission(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      request: { uid: string };
    };
    const body = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: review.request.uid, allowed: true },
    });
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  });
}

function file(): (req: IncomingMessage, res: ServerResponse) => void {
  const body = readFileSync(path!);
  return (req, res) => {
    res.writeHead(200, {
      'Content-Type': mediaType,
      'Content-Length': body.length,
      'Docker-Content-Digest': digest,
      ETag: `"${digest}"`,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

createServer(mode === 'file' ? file() : admission).listen(
  Number(port),
  '127.0.0.1',
  () => process.stdout.write('ready\n'),
);
