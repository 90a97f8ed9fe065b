/** An ingestion job as other servers on the same database see it: its latest view, opaque to the store. */
export interface SharedJob {
  id: string;
  collection: string;
  /** queued, running, done, failed, cancelled. */
  status: string;
  createdAt: string;
  /** The job as its server's API shows it (files, progress, errors; never server paths). */
  view: Record<string, unknown>;
}

/**
 * Where servers sharing one database post their ingestion jobs, so that a client polling `/api/jobs/{id}`
 * may reach any of them: the job runs where the files were uploaded, its progress is readable everywhere.
 */
export interface JobBoard {
  publish(job: SharedJob): Promise<void>;
  get(id: string): Promise<SharedJob | undefined>;
  /** Newest first. */
  list(options?: { limit?: number }): Promise<SharedJob[]>;
}
