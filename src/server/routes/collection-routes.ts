import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_SPLIT_OPTIONS } from '../../index.js';
import { notFound } from '../http-error.js';
import { canSee, requireVisible, requireWritable } from '../principal.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ApiError, CollectionList, CollectionResponse, CreateCollectionBody, Deleted } from '../schemas/api-schemas.js';
import { collectionView } from '../views.js';

const errors = { 404: { description: 'No such collection (or not visible to this key)', schema: ApiError } };

export const collectionRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    path: '/api/collections',
    operationId: 'listCollections',
    summary: 'Collections this caller may see, with document and chunk counts',
    tag: 'collections',
    surface: 'api',
    access: 'key',
    responses: { 200: { description: 'The collections', schema: CollectionList } },
    async handle({ app, principal }) {
      return { body: { collections: (await app.store.listCollections()).filter((c) => canSee(principal, c.name)).map(collectionView) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/collections',
    operationId: 'createCollection',
    summary: 'Create a collection (201), or return the existing one (200)',
    description: 'A key may only create collections named in its scope, and not when read-only.',
    tag: 'collections',
    surface: 'api',
    access: 'key',
    body: CreateCollectionBody,
    responses: {
      200: { description: 'It already existed', schema: CollectionResponse },
      201: { description: 'Created', schema: CollectionResponse },
      403: { description: 'Read-only key', schema: ApiError },
      ...errors,
    },
    async handle({ app, principal, body }) {
      requireWritable(principal, body.name);
      const existed = (await app.store.getCollection(body.name)) !== undefined;
      const info = await app.store.ensureCollection(body.name, { ...DEFAULT_SPLIT_OPTIONS });
      return { status: existed ? 200 : 201, body: { collection: collectionView(info), created: !existed } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/collections/:name',
    operationId: 'getCollection',
    summary: 'One collection',
    tag: 'collections',
    surface: 'api',
    access: 'key',
    responses: { 200: { description: 'The collection', schema: CollectionResponse }, ...errors },
    async handle({ app, principal, params }) {
      const name = params['name']!;
      requireVisible(principal, name);
      const info = await app.store.getCollection(name);
      if (!info) throw notFound(`No collection "${name}"`);
      return { body: { collection: collectionView(info), created: false } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/collections/:name',
    operationId: 'deleteCollection',
    summary: 'Delete a collection with its documents, index and uploaded files',
    tag: 'collections',
    surface: 'api',
    access: 'key',
    responses: { 200: { description: 'Deleted', schema: Deleted }, 403: { description: 'Read-only key', schema: ApiError }, ...errors },
    async handle({ app, principal, params }) {
      const name = params['name']!;
      requireWritable(principal, name);
      if (!(await app.store.deleteCollection(name))) throw notFound(`No collection "${name}"`);
      await rm(join(app.settings.uploadDir, name), { recursive: true, force: true });
      return { body: { deleted: true } };
    },
  }),
];
