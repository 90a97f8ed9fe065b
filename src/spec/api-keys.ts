/** An API key as stored: the key itself is never kept, only its SHA-256. */
export interface ApiKeyInfo {
  /** Short public id, shown by `lore keys list` and used to revoke. */
  id: string;
  name: string | null;
  /** Collections the key may read (and, unless read-only, write); `['*']` means every collection. */
  collections: string[];
  readOnly: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** API keys for `lore serve`, in the same database as the documents they open; every method returns a promise. */
export interface ApiKeyStore {
  /** Makes a key; the returned `key` is shown once and cannot be read back. */
  createKey(options: { collections: string[]; readOnly?: boolean; name?: string }): Promise<{ key: string; info: ApiKeyInfo }>;
  /** The key's record when it exists and is not revoked. */
  verifyKey(key: string): Promise<ApiKeyInfo | undefined>;
  listKeys(): Promise<ApiKeyInfo[]>;
  /** False when there is no such key, or it was already revoked. */
  revokeKey(id: string): Promise<boolean>;
}
