import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built web UI: `web/dist` of the package, from `src/server/` and `dist/server/` alike. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Shown at `/` until the web UI is built: no script, no inline style (the CSP would refuse them anyway). */
const PLACEHOLDER = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Lore</title></head>
<body>
<h1>Lore is running</h1>
<p>The web UI is not built in this installation. The APIs are here:</p>
<ul>
<li><a href="/openapi.json">/openapi.json</a> — the REST and OpenAI-compatible API</li>
<li><a href="/v1/models">/v1/models</a> — models, including <code>lore/&lt;collection&gt;</code></li>
<li><a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a>, <a href="/metrics">/metrics</a></li>
</ul>
</body>
</html>
`;

/**
 * Serves a file of the web UI. Paths that are not files fall back to index.html (the UI routes in the
 * browser); without a built UI, `/` shows a placeholder. Nothing outside `root` can be named.
 */
export async function serveStatic(options: { root: string; pathname: string; res: ServerResponse; head?: boolean }): Promise<boolean> {
  const { root, res } = options;
  let relative: string;
  try {
    relative = decodeURIComponent(options.pathname);
  } catch {
    return false;
  }
  const file = normalize(join(root, relative));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep) && file !== root) return false;
  const candidates = extname(relative) ? [file] : [file, join(root, 'index.html')];
  for (const candidate of candidates) {
    const info = await stat(candidate).catch(() => undefined);
    if (!info?.isFile()) continue;
    const ext = extname(candidate);
    // Built assets carry a content hash in their names; index.html must always be fetched fresh.
    const immutable = /\/assets\//.test(candidate.slice(root.length - 1)) && ext !== '.html';
    res.writeHead(200, {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (options.head) res.end();
    else createReadStream(candidate).pipe(res);
    return true;
  }
  if (relative === '/' || relative === '/index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(options.head ? undefined : PLACEHOLDER);
    return true;
  }
  return false;
}
