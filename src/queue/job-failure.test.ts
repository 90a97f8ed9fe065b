import { describe, expect, it } from 'vitest';
import { LoreError } from '../spec/errors.js';
import { jobFailureReason, parseJobFailure } from './job-failure.js';
import { ingestJobId } from './ingest-job.js';

describe('job failures', () => {
  it('carry the LoreError code through BullMQ’s failedReason string', () => {
    const error = new LoreError({ code: 'CORRUPT_FILE', message: '/data/a.pdf is damaged: bad xref', hint: 'open it and save it again' });
    expect(parseJobFailure(jobFailureReason(error))).toEqual({ code: 'CORRUPT_FILE', message: '/data/a.pdf is damaged: bad xref — open it and save it again' });
  });

  it('report BullMQ’s own reasons as INTERNAL, unchanged', () => {
    expect(parseJobFailure('job stalled more than allowable limit')).toEqual({ code: 'INTERNAL', message: 'job stalled more than allowable limit' });
    expect(parseJobFailure('NOPE: not one of ours')).toEqual({ code: 'INTERNAL', message: 'NOPE: not one of ours' });
  });
});

describe('ingestJobId', () => {
  const base = { collection: 'docs', source: '/data/a.md', contentHash: 'ab'.repeat(32), chunkSize: 400, overlap: 40, loaderOptions: {} };
  it('is the same for the same file, content and settings, and a valid BullMQ custom id', () => {
    const id = ingestJobId(base);
    expect(ingestJobId({ ...base })).toBe(id);
    expect(id).toMatch(/^f-[0-9a-f]{32}$/);
  });
  it('changes with the collection, the content or the settings', () => {
    const id = ingestJobId(base);
    expect(ingestJobId({ ...base, collection: 'other' })).not.toBe(id);
    expect(ingestJobId({ ...base, contentHash: 'cd'.repeat(32) })).not.toBe(id);
    expect(ingestJobId({ ...base, chunkSize: 200 })).not.toBe(id);
    expect(ingestJobId({ ...base, loaderOptions: { encoding: 'gb18030' } })).not.toBe(id);
  });
});
