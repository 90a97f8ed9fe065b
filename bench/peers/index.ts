import { createFts5Peer } from './fts5.js';
import { createFts5TrigramPeer } from './fts5-trigram.js';
import { createLunrPeer } from './lunr.js';
import { createMiniSearchPeer } from './minisearch.js';
import { createOramaPeer } from './orama.js';
import type { KeywordPeerFactory } from './types.js';
import { createWinkBm25Peer } from './wink-bm25.js';

export type { KeywordPeer, KeywordPeerFactory, PeerDocument, PeerHit } from './types.js';

/** Every keyword peer, each built fresh per collection. */
export const PEER_FACTORIES: readonly KeywordPeerFactory[] = [
  createLunrPeer,
  createWinkBm25Peer,
  createMiniSearchPeer,
  createOramaPeer,
  () => createFts5Peer(),
  createFts5TrigramPeer,
];
