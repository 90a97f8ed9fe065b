import { useEffect, useRef, useState } from 'preact/hooks';
import { api, isFinished, type Collection, type DocumentItem, type DocumentStatus, type Job } from './api.js';
import { COLLECTION_NAME, errorMessage, formatBytes, timeAgo } from './format.js';
import { Icon } from './icons.js';
import { href, navigate } from './router.js';
import { activities, dataVersion, dismissActivity, notify, trackJob, upload, useStore, type Activity } from './store.js';

const STATUS_LABEL: Record<DocumentStatus, string> = {
  queued: 'Queued',
  ingesting: 'Ingesting',
  embedding: 'Embedding',
  ready: 'Ready',
  failed: 'Failed',
};

function StatusBadge({ status }: { status: DocumentStatus }) {
  const working = status === 'ingesting' || status === 'embedding' || status === 'queued';
  return (
    <span class={`badge badge-${status}`} data-status={status}>
      {working ? <span class="spinner" aria-hidden="true" /> : <span class="badge-dot" aria-hidden="true" />}
      {STATUS_LABEL[status]}
    </span>
  );
}

/** A destructive button that asks for a second click instead of a blocking dialog. */
function ConfirmButton({ label, confirmLabel, onConfirm, class: className = 'icon-button', icon = true }: { label: string; confirmLabel: string; onConfirm: () => void; class?: string; icon?: boolean }) {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    if (!armed) return;
    const timer = setTimeout(() => setArmed(false), 4000);
    return () => clearTimeout(timer);
  }, [armed]);
  return (
    <button
      type="button"
      class={armed ? `${className} armed` : className}
      aria-label={armed ? confirmLabel : label}
      title={armed ? confirmLabel : label}
      onClick={() => {
        if (armed) {
          setArmed(false);
          onConfirm();
        } else setArmed(true);
      }}
      onBlur={() => setArmed(false)}
    >
      {icon ? <Icon name="trash" size={16} /> : null}
      {armed ? <span>Confirm</span> : icon ? null : <span>{label}</span>}
    </button>
  );
}

function jobProgress(job: Job): { value?: number; label: string } {
  const p = job.progress;
  if (job.status === 'done') return { value: 1, label: 'Done' };
  if (job.status === 'failed') return { value: 1, label: job.error?.message ? `Failed: ${job.error.message}` : 'Finished with errors' };
  if (job.status === 'cancelled') return { value: 1, label: 'Cancelled' };
  if (job.phase === 'queued') return { label: 'Waiting for the ingestion queue…' };
  if (job.phase === 'embedding' && p.embedTotal > 0) return { value: p.embedded / p.embedTotal, label: `Embedding ${p.embedded} of ${p.embedTotal} chunks` };
  return { value: p.filesTotal ? p.filesDone / p.filesTotal : undefined, label: `Reading and splitting: ${p.filesDone} of ${p.filesTotal} ${p.filesTotal === 1 ? 'file' : 'files'}, ${p.chunks} chunks` };
}

function ActivityCard({ activity }: { activity: Activity }) {
  const { job } = activity;
  const finished = activity.error !== undefined || (job !== undefined && isFinished(job));
  const progress = activity.error ? { value: 1, label: activity.error } : job ? jobProgress(job) : { value: activity.sent, label: `Uploading ${Math.round(activity.sent * 100)}%` };
  const failed = activity.error !== undefined || job?.status === 'failed' || job?.files.some((f) => f.status === 'failed');
  const files = job ? job.files : activity.names.map((name) => ({ name, bytes: 0, status: 'queued' as DocumentStatus, error: null }));
  return (
    <div class={failed ? 'activity-card failed' : finished ? 'activity-card done' : 'activity-card'} data-testid="activity" data-state={finished ? (failed ? 'failed' : 'done') : 'running'}>
      <div class="activity-head">
        <Icon name={job?.kind === 'reingest' ? 'refresh' : 'upload'} size={16} />
        <span class="activity-title">
          {job?.kind === 'reingest' ? (finished ? 'Re-ingested' : 'Re-ingesting') : finished ? 'Uploaded' : 'Uploading'} {files.length} {files.length === 1 ? 'file' : 'files'}
        </span>
        <span class="activity-status" role="status">
          {progress.label}
        </span>
        {finished ? (
          <button type="button" class="icon-button small" aria-label="Dismiss" title="Dismiss" onClick={() => dismissActivity(activity.key)}>
            <Icon name="close" size={14} />
          </button>
        ) : null}
      </div>
      <progress class={failed ? 'bar bar-failed' : 'bar'} max={1} value={progress.value} aria-label={progress.label} />
      <ul class="activity-files">
        {files.map((f) => (
          <li data-file={f.name}>
            <span class="activity-file">{f.name}</span>
            {f.bytes ? <span class="muted">{formatBytes(f.bytes)}</span> : null}
            <StatusBadge status={f.status} />
            {f.error ? <span class="activity-error">{f.error.message}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Dropzone({ collection }: { collection: string }) {
  const [depth, setDepth] = useState(0);
  const picker = useRef<HTMLInputElement>(null);
  const take = (list: FileList | null | undefined) => {
    const files = list ? [...list] : [];
    if (files.length) void upload(collection, files);
  };
  return (
    <div
      class={depth > 0 ? 'dropzone dragging' : 'dropzone'}
      data-testid="dropzone"
      onDragEnter={(e) => {
        e.preventDefault();
        setDepth((d) => d + 1);
      }}
      onDragOver={(e) => {
        e.preventDefault();
        if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={() => setDepth((d) => Math.max(0, d - 1))}
      onDrop={(e) => {
        e.preventDefault();
        setDepth(0);
        take(e.dataTransfer?.files);
      }}
    >
      <div class="dropzone-icon" aria-hidden="true">
        <Icon name="upload" size={22} />
      </div>
      <p class="dropzone-title">
        Drop files here or{' '}
        <button type="button" class="link-button" onClick={() => picker.current?.click()}>
          choose files
        </button>
      </p>
      <p class="dropzone-hint">PDF, Word, Markdown, HTML, CSV, JSON, text and code, English and Chinese. A file with the name of one already here replaces it.</p>
      <input
        ref={picker}
        id="file-input"
        class="visually-hidden"
        type="file"
        multiple
        aria-label={`Choose files to add to ${collection}`}
        onChange={(e) => {
          take(e.currentTarget.files);
          e.currentTarget.value = '';
        }}
      />
    </div>
  );
}

function DocumentRow({ doc, onChanged }: { doc: DocumentItem; onChanged: () => void }) {
  const reingest = async () => {
    if (!doc.id) return;
    try {
      trackJob(await api.reingest(doc.id));
    } catch (error) {
      notify(`Could not re-ingest ${doc.name}: ${errorMessage(error)}`, 'error');
    }
  };
  const remove = async () => {
    if (!doc.id) return;
    try {
      await api.deleteDocument(doc.id);
      notify(`Deleted ${doc.name}`, 'success');
      dataVersion.update((n) => n + 1);
    } catch (error) {
      notify(`Could not delete ${doc.name}: ${errorMessage(error)}`, 'error');
    }
    onChanged();
  };
  return (
    <tr data-testid="document" data-name={doc.name} data-status={doc.status}>
      <td class="doc-main">
        <div class="doc-name">
          <Icon name="file" size={16} />
          <span>{doc.name}</span>
        </div>
        {doc.title && doc.title !== doc.name ? <div class="doc-title">{doc.title}</div> : null}
        {doc.error ? (
          <div class="doc-error" data-testid="document-error">
            <Icon name="alert" size={14} />
            <span>
              {doc.status === 'ready' ? 'The last upload failed; this is the previous version. ' : ''}
              {doc.error.message}
            </span>
          </div>
        ) : null}
        {doc.warnings.length ? (
          <details class="doc-warnings">
            <summary>
              {doc.warnings.length} {doc.warnings.length === 1 ? 'warning' : 'warnings'}
            </summary>
            <ul>
              {doc.warnings.map((w) => (
                <li>{w}</li>
              ))}
            </ul>
          </details>
        ) : null}
      </td>
      <td data-label="Status">
        <StatusBadge status={doc.status} />
      </td>
      <td data-label="Type" class="muted">
        {doc.type ?? '–'}
      </td>
      <td data-label="Chunks" class="num">
        {doc.status === 'ready' ? doc.chunkCount : '–'}
      </td>
      <td data-label="Size" class="num muted">
        {formatBytes(doc.bytes)}
      </td>
      <td data-label="Updated" class="muted">
        {timeAgo(doc.updatedAt)}
      </td>
      <td class="doc-actions">
        {doc.id ? (
          <>
            <button type="button" class="icon-button" aria-label={`Re-ingest ${doc.name}`} title="Re-ingest" disabled={doc.status !== 'ready' && doc.status !== 'failed'} onClick={() => void reingest()}>
              <Icon name="refresh" size={16} />
            </button>
            <ConfirmButton label={`Delete ${doc.name}`} confirmLabel={`Click again to delete ${doc.name}`} onConfirm={() => void remove()} />
          </>
        ) : null}
      </td>
    </tr>
  );
}

function CollectionDetail({ name, info, onDeleted }: { name: string; info: Collection | undefined; onDeleted: () => void }) {
  const [docs, setDocs] = useState<DocumentItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const version = useStore(dataVersion);
  const all = useStore(activities);
  const mine = all.filter((a) => a.collection === name);
  // Reload the list whenever a file of an upload here changes state.
  const signature = mine.map((a) => `${a.key}:${a.job?.status ?? 'sending'}:${a.job?.files.map((f) => f.status).join(',') ?? ''}`).join('|');

  useEffect(() => {
    let live = true;
    api.documents(name).then(
      (list) => {
        if (!live) return;
        setDocs(list);
        setError(null);
      },
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [name, version, signature, tick]);

  useEffect(() => setDocs(null), [name]);

  // Ingestion started elsewhere (another tab, the CLI): poll while anything is still in progress.
  const pending = docs?.some((d) => d.status !== 'ready' && d.status !== 'failed') ?? false;
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => setTick((t) => t + 1), 2000);
    return () => clearInterval(timer);
  }, [pending]);

  useEffect(() => {
    // A file dropped outside the drop zone would make the browser navigate away to it.
    const stop = (e: DragEvent) => e.preventDefault();
    window.addEventListener('dragover', stop);
    window.addEventListener('drop', stop);
    return () => {
      window.removeEventListener('dragover', stop);
      window.removeEventListener('drop', stop);
    };
  }, []);

  const removeCollection = async () => {
    try {
      await api.deleteCollection(name);
      notify(`Deleted collection ${name}`, 'success');
      onDeleted();
    } catch (e) {
      notify(`Could not delete ${name}: ${errorMessage(e)}`, 'error');
    }
  };

  const ready = docs?.filter((d) => d.status === 'ready').length ?? 0;
  return (
    <section class="collection-detail" aria-labelledby="collection-title">
      <header class="detail-head">
        <div>
          <h1 id="collection-title">{name}</h1>
          <p class="detail-stats">
            {info ? (
              <>
                {info.documentCount} {info.documentCount === 1 ? 'document' : 'documents'} · {info.chunkCount} chunks
                {info.embedder ? <> · vectors from {info.embedder}</> : <> · no vectors yet</>}
              </>
            ) : (
              'Loading…'
            )}
          </p>
        </div>
        <div class="detail-actions">
          <a class="button ghost small" href={href('search')}>
            <Icon name="search" size={16} /> Search
          </a>
          <ConfirmButton class="button ghost small danger" icon={false} label="Delete collection" confirmLabel={`Click again to delete ${name} and all its documents`} onConfirm={() => void removeCollection()} />
        </div>
      </header>
      <Dropzone collection={name} />
      {mine.length ? (
        <div class="activity-list" aria-label="Uploads and ingestion">
          {mine.map((a) => (
            <ActivityCard key={a.key} activity={a} />
          ))}
        </div>
      ) : null}
      <div class="table-head">
        <h2>Documents</h2>
        {docs ? (
          <span class="muted small">
            {ready} ready{docs.length > ready ? `, ${docs.length - ready} other` : ''}
          </span>
        ) : null}
      </div>
      {error ? (
        <div class="msg-error" role="alert">
          <Icon name="alert" size={16} /> {error}
        </div>
      ) : docs === null ? (
        <div class="skeleton-list">
          <div class="skeleton" />
          <div class="skeleton" />
        </div>
      ) : docs.length === 0 ? (
        <p class="empty-note">No documents yet. Drop files above to add them.</p>
      ) : (
        <div class="table-wrap">
          <table class="doc-table" data-testid="documents">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Type</th>
                <th scope="col" class="num">
                  Chunks
                </th>
                <th scope="col" class="num">
                  Size
                </th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {docs.map((d) => (
                <DocumentRow key={d.id ?? `${d.jobId}:${d.name}`} doc={d} onChanged={() => setTick((t) => t + 1)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function CollectionsView({ name }: { name?: string }) {
  const [collections, setCollections] = useState<Collection[] | null>(null);
  const [newName, setNewName] = useState('');
  const [creating, setCreating] = useState(false);
  const version = useStore(dataVersion);
  const all = useStore(activities);

  const refresh = () => api.collections().then(setCollections, (e: unknown) => notify(`Could not load collections: ${errorMessage(e)}`, 'error'));
  useEffect(() => {
    void refresh();
  }, [version]);

  useEffect(() => {
    if (!name && collections && collections.length > 0) location.replace(href('collections', collections[0]!.name));
  }, [name, collections]);

  const valid = COLLECTION_NAME.test(newName.trim());
  const create = async (e: Event) => {
    e.preventDefault();
    const value = newName.trim();
    if (!valid || creating) return;
    setCreating(true);
    try {
      const { created } = await api.createCollection(value);
      if (!created) notify(`${value} already exists`, 'info');
      setNewName('');
      await refresh();
      navigate('collections', value);
    } catch (error) {
      notify(`Could not create ${value}: ${errorMessage(error)}`, 'error');
    } finally {
      setCreating(false);
    }
  };

  return (
    <div class="collections-layout">
      <aside class="collection-pane" aria-label="Collections">
        <h1 class="pane-title">Collections</h1>
        <form class="create-form" onSubmit={create}>
          <label for="new-collection" class="visually-hidden">
            New collection name
          </label>
          <input
            id="new-collection"
            class="input"
            placeholder="New collection"
            value={newName}
            maxLength={64}
            aria-invalid={newName.trim() !== '' && !valid ? 'true' : undefined}
            aria-describedby="new-collection-help"
            onInput={(e) => setNewName(e.currentTarget.value)}
          />
          <button type="submit" class="button primary" disabled={!valid || creating} aria-label="Create collection">
            <Icon name="plus" size={16} />
            <span>Create</span>
          </button>
        </form>
        <p id="new-collection-help" class={newName.trim() !== '' && !valid ? 'field-help invalid' : 'field-help'}>
          Letters, digits, “_”, “-” or “.”, starting with a letter or digit.
        </p>
        {collections === null ? (
          <div class="skeleton-list">
            <div class="skeleton" />
            <div class="skeleton" />
          </div>
        ) : collections.length === 0 ? (
          <p class="sidebar-empty">No collections yet. Name one above to start.</p>
        ) : (
          <ul class="collection-list" data-testid="collection-list">
            {collections.map((c) => {
              const busy = all.some((a) => a.collection === c.name && !(a.error || (a.job && isFinished(a.job))));
              return (
                <li key={c.name}>
                  <a class={c.name === name ? 'collection-item active' : 'collection-item'} href={href('collections', c.name)} aria-current={c.name === name ? 'page' : undefined}>
                    <Icon name="database" size={16} />
                    <span class="collection-name">{c.name}</span>
                    {busy ? <span class="spinner" aria-label="ingesting" /> : null}
                    <span class="collection-count">{c.documentCount}</span>
                  </a>
                </li>
              );
            })}
          </ul>
        )}
      </aside>
      {name ? (
        <CollectionDetail
          key={name}
          name={name}
          info={collections?.find((c) => c.name === name)}
          onDeleted={() => {
            navigate('collections');
            void refresh();
          }}
        />
      ) : (
        <section class="collection-detail empty-detail">
          <div class="empty-chat">
            <Icon name="library" size={40} />
            <h2>Your documents live in collections</h2>
            <p>Create a collection, then drop PDFs, Word files, Markdown, HTML, CSV or JSON into it. Lore reads, splits and indexes them for search and answers.</p>
          </div>
        </section>
      )}
    </div>
  );
}
