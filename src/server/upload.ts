import busboy from 'busboy';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { badRequest, HttpError } from './http-error.js';
import { payloadTooLarge } from './read-body.js';

export interface UploadedFile {
  name: string;
  path: string;
  bytes: number;
}

/**
 * A file name a client sent, made safe to keep: the last path component only, no control characters, no
 * leading dot (an uploaded `.gitignore` must not start hiding files), at most 200 characters. Unicode
 * (中文.md) is kept.
 */
export function safeFileName(raw: string): string {
  const last = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = last.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '').trim().replace(/^\.+/, '_');
  const name = [...cleaned].slice(0, 200).join('');
  return name && name !== '_' ? name : 'upload';
}

/**
 * Streams the files of a multipart/form-data request into `dir`, each to a temporary name first and renamed
 * into place only when complete, so an upload cut short never replaces a good file. A file over
 * `maxFileBytes`, or more than `maxFiles` files, fails the whole request with 413 and keeps nothing.
 */
export async function receiveUpload(options: { req: IncomingMessage; dir: string; maxFileBytes: number; maxFiles: number }): Promise<UploadedFile[]> {
  const type = String(options.req.headers['content-type'] ?? '');
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    throw new HttpError({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Upload files as multipart/form-data' });
  }
  await mkdir(options.dir, { recursive: true });
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: options.req.headers, limits: { fileSize: options.maxFileBytes, files: options.maxFiles, fields: 20, fieldSize: 64 * 1024 }, defParamCharset: 'utf8' });
  } catch {
    throw badRequest('The multipart request has no boundary');
  }
  const written: Array<UploadedFile & { temp: string }> = [];
  const writes: Array<Promise<void>> = [];
  let failure: HttpError | undefined;
  const fail = (error: HttpError) => {
    failure ??= error;
  };

  parser.on('file', (_field, stream, info) => {
    const name = safeFileName(info.filename ?? 'upload');
    const temp = join(options.dir, `.upload-${randomBytes(6).toString('hex')}`);
    const entry = { name, path: join(options.dir, name), bytes: 0, temp };
    written.push(entry);
    stream.on('data', (chunk: Buffer) => (entry.bytes += chunk.length));
    stream.on('limit', () => fail(payloadTooLarge(options.maxFileBytes, `${name}`)));
    writes.push(pipeline(stream, createWriteStream(temp)).catch(() => fail(badRequest(`${name} could not be received`))));
  });
  parser.on('filesLimit', () =>
    fail(new HttpError({ status: 413, code: 'PAYLOAD_TOO_LARGE', message: `At most ${options.maxFiles} files per upload`, openaiCode: 'request_too_large' })),
  );

  try {
    await pipeline(options.req, parser);
  } catch {
    fail(badRequest('The multipart request is malformed or was cut short'));
  }
  await Promise.all(writes);
  if (!failure && written.length === 0) fail(badRequest('The request has no file; send files in a multipart/form-data field'));
  if (failure) {
    await Promise.all(written.map((f) => rm(f.temp, { force: true })));
    throw failure;
  }
  // Two files of the same name in one request: the later one wins, as it would on disk.
  for (const f of written) await rename(f.temp, f.path);
  const byPath = new Map(written.map((f) => [f.path, { name: f.name, path: f.path, bytes: f.bytes }]));
  return [...byPath.values()];
}
