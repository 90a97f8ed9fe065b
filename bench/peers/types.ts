/** A document as every peer indexes it: the two BEIR text fields plus the id the run reports. */
export interface PeerDocument {
  id: string;
  title: string;
  text: string;
}

export interface PeerHit {
  id: string;
  /** The library's own score, higher is better (peers flip scores where the library ranks ascending). */
  score: number;
}

/**
 * An off-the-shelf keyword search library, wrapped with its default settings, to compare Lore against what
 * a user would get without tuning. One instance indexes one collection.
 */
export interface KeywordPeer {
  name: string;
  /** The installed version, read from the package's package.json. */
  version: string;
  index(docs: PeerDocument[]): Promise<void> | void;
  /** Up to k hits, best first. */
  search(query: string, k: number): Promise<PeerHit[]> | PeerHit[];
  dispose?(): void;
}

export type KeywordPeerFactory = () => KeywordPeer;
