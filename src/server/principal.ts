import type { ApiKeyInfo } from '../spec/api-keys.js';
import { forbidden, notFound } from './http-error.js';

/**
 * Who is asking. On loopback without a key: the local user, who sees everything. With a key: only the
 * key's collections, and no writes when it is read-only.
 */
export interface Principal {
  /** The API key's id; null for the local user. */
  keyId: string | null;
  /** Collections this principal may see, or '*' for all. */
  collections: '*' | readonly string[];
  readOnly: boolean;
}

export const LOCAL_PRINCIPAL: Principal = { keyId: null, collections: '*', readOnly: false };

export function principalOfKey(info: ApiKeyInfo): Principal {
  return { keyId: info.id, collections: info.collections.includes('*') ? '*' : info.collections, readOnly: info.readOnly };
}

export function canSee(principal: Principal, collection: string): boolean {
  return principal.collections === '*' || principal.collections.includes(collection);
}

/**
 * A collection outside the key's scope answers exactly as one that does not exist, so a key cannot even
 * learn the names of the others.
 */
export function requireVisible(principal: Principal, collection: string): void {
  if (!canSee(principal, collection)) throw notFound(`No collection "${collection}"`);
}

export function requireWritable(principal: Principal, collection: string): void {
  requireVisible(principal, collection);
  if (principal.readOnly) throw forbidden('This API key is read-only');
}

/**
 * The collections a search without a named collection covers: every one for an unrestricted principal
 * (`undefined` = no filter), else the key's own.
 */
export function searchScope(principal: Principal, collection: string | undefined): string[] | undefined {
  if (collection !== undefined) {
    requireVisible(principal, collection);
    return [collection];
  }
  return principal.collections === '*' ? undefined : [...principal.collections];
}
