import type { IncomingMessage } from 'node:http';
import { badRequest, HttpError } from './http-error.js';

export function payloadTooLarge(limit: number, what = 'Request body'): HttpError {
  return new HttpError({ status: 413, code: 'PAYLOAD_TOO_LARGE', message: `${what} is over the ${formatLimit(limit)} limit`, openaiCode: 'request_too_large' });
}

function formatLimit(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}

/**
 * Reads a JSON body of at most `limit` bytes. A declared Content-Length over the limit is refused before
 * reading; an undeclared (chunked) body is counted as it arrives and refused when it passes the limit.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw payloadTooLarge(limit);
  const type = String(req.headers['content-type'] ?? '');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw payloadTooLarge(limit);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  if (type && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new HttpError({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: `Send JSON (Content-Type: application/json), not ${type}` });
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw badRequest('The request body is not valid JSON');
  }
}
