import { rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DEFAULT_SPLIT_OPTIONS, type DocumentRecord } from '../../index.js';
import { forbidden, HttpError, notFound } from '../http-error.js';
import { canSee, requireVisible, requireWritable, type Principal } from '../principal.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ApiError, ChunkList, ChunksQuery, Deleted, DocumentDetail, DocumentList, JobResponse } from '../schemas/api-schemas.js';
import type { ServerContext } from '../server-context.js';
import { receiveUpload } from '../upload.js';
import { displayName, documentView, listDocumentViews } from '../views.js';

const notVisible = { 404: { description: 'No such document or collection (or not visible to this key)', schema: ApiError } };

/** A document by numeric id (as citations give it) or stable id, only if the caller may see its collection. */
async function findDocument(app: ServerContext, principal: Principal, id: string): Promise<DocumentRecord> {
  const doc = /^\d+$/.test(id) ? await app.store.getDocument(Number(id)) : await app.store.getDocument(id);
  if (!doc || !canSee(principal, doc.collection)) throw notFound(`No document "${id}"`);
  return doc;
}

function isUpload(app: ServerContext, source: string): boolean {
  const inside = relative(app.settings.uploadDir, source);
  return inside !== '' && !inside.startsWith('..') && !inside.startsWith(sep);
}

export const documentRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    path: '/api/collections/:name/documents',
    operationId: 'listDocuments',
    summary: 'Documents of a collection with their ingestion status and errors',
    description: 'Stored documents are `ready`; uploads still in progress (`queued`, `ingesting`, `embedding`) or `failed` are listed too, with their job id.',
    tag: 'documents',
    surface: 'api',
    access: 'key',
    responses: { 200: { description: 'The documents', schema: DocumentList }, ...notVisible },
    async handle({ app, principal, params }) {
      const name = params['name']!;
      requireVisible(principal, name);
      if (!(await app.store.getCollection(name))) throw notFound(`No collection "${name}"`);
      return { body: { documents: listDocumentViews({ collection: name, documents: await app.store.listDocuments({ collection: name }), jobs: app.jobs, uploadDir: app.settings.uploadDir }) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/collections/:name/documents',
    operationId: 'uploadDocuments',
    summary: 'Upload files (multipart/form-data) to be ingested; creates the collection if needed',
    description:
      'Answers 202 with an ingestion job as soon as the files are received. Follow it with GET /api/jobs/{id} or the event stream GET /api/jobs/{id}/events. A file with the name of one already in the collection replaces it.',
    tag: 'documents',
    surface: 'api',
    access: 'key',
    multipart: { description: 'One or more files, in fields of any name' },
    responses: {
      202: { description: 'Received; ingestion queued', schema: JobResponse },
      403: { description: 'Read-only key', schema: ApiError },
      413: { description: 'A file over the upload limit, or too many files', schema: ApiError },
      503: { description: 'Too many uploads waiting', schema: ApiError },
      ...notVisible,
    },
    async handle({ app, principal, params, req }) {
      const name = params['name']!;
      requireWritable(principal, name);
      await app.store.ensureCollection(name, { ...DEFAULT_SPLIT_OPTIONS });
      const files = await receiveUpload({ req, dir: join(app.settings.uploadDir, name), maxFileBytes: app.settings.maxUploadBytes, maxFiles: app.settings.maxUploadFiles });
      const job = app.jobs.submit({ collection: name, kind: 'upload', files });
      await app.jobShared?.(job.id);
      return { status: 202, body: { job } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/documents/:id',
    operationId: 'getDocument',
    summary: 'One document, by stable id or by the numeric id citations carry',
    tag: 'documents',
    surface: 'api',
    access: 'key',
    responses: { 200: { description: 'The document', schema: DocumentDetail }, ...notVisible },
    async handle({ app, principal, params }) {
      return { body: { document: documentView(await findDocument(app, principal, params['id']!), app.settings.uploadDir) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/documents/:id/chunks',
    operationId: 'getDocumentChunks',
    summary: "A document's chunks in order (optionally ordinals from…to): the passage around a citation",
    tag: 'documents',
    surface: 'api',
    access: 'key',
    query: ChunksQuery,
    responses: { 200: { description: 'The chunks', schema: ChunkList }, ...notVisible },
    async handle({ app, principal, params, query }) {
      const doc = await findDocument(app, principal, params['id']!);
      const chunks = await app.store.documentChunks({ documentId: doc.id, fromOrdinal: query.from, toOrdinal: query.to });
      return {
        body: { chunks: chunks.map((c) => ({ chunkId: c.chunkId, ordinal: c.ordinal, text: c.text, start: c.start, end: c.end, page: c.page, headingPath: c.headingPath })) },
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/documents/:id',
    operationId: 'deleteDocument',
    summary: 'Delete a document (and its uploaded file)',
    tag: 'documents',
    surface: 'api',
    access: 'key',
    responses: { 200: { description: 'Deleted', schema: Deleted }, 403: { description: 'Read-only key', schema: ApiError }, ...notVisible },
    async handle({ app, principal, params }) {
      const doc = await findDocument(app, principal, params['id']!);
      requireWritable(principal, doc.collection);
      await app.store.deleteDocument(doc.id);
      if (isUpload(app, doc.source)) await rm(doc.source, { force: true });
      return { body: { deleted: true } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/documents/:id/reingest',
    operationId: 'reingestDocument',
    summary: 'Load, split and embed a document again from its source, even if unchanged',
    tag: 'documents',
    surface: 'api',
    access: 'key',
    responses: {
      202: { description: 'Queued', schema: JobResponse },
      403: { description: 'Read-only key', schema: ApiError },
      503: { description: 'Too many jobs waiting', schema: ApiError },
      ...notVisible,
    },
    async handle({ app, principal, params }) {
      const doc = await findDocument(app, principal, params['id']!);
      requireWritable(principal, doc.collection);
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(doc.source)) throw forbidden('Documents fetched from URLs cannot be re-ingested by the server');
      const job = app.jobs.submit({ collection: doc.collection, kind: 'reingest', files: [{ name: displayName(doc.source, app.settings.uploadDir), path: doc.source, bytes: doc.bytes }] });
      await app.jobShared?.(job.id);
      return { status: 202, body: { job } };
    },
  }),
];
