/**
 * ExportJobs: snapshot exports as `npx convex export` drives them, each a
 * document of the system table `_exports` in the shape Convex gives it
 * (convex-backend `crates/model/src/exports/types.rs`), so the CLI's system
 * query `exports:getLatest` (system-snapshots.ts) sees it move:
 *
 *   requested ──▶ in_progress {start_ts} ──▶ completed {start_ts, complete_ts,
 *                                            expiration_ts, zip_object_key}
 *                                        └─▶ failed {start_ts, failed_ts}
 *
 * One export runs at a time. The archive is written in the background
 * (snapshot-export.ts) under `exports/` in the data directory, named by its
 * snapshot's timestamp, which is how the CLI downloads it; each export that
 * completes removes the archives before it.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Value } from 'convex/values';
import type { FileStorage } from '../store/file-storage.ts';
import type { Document, DocumentStore, Timestamp } from '../store/store.ts';
import type { BackgroundJobs, JobResult } from './background-jobs.ts';
import { allDocuments, latestDocument } from './job-documents.ts';
import { exportSnapshot } from './snapshot-export.ts';
import { systemTransaction } from './system-transaction.ts';

export const EXPORTS = '_exports';

/** Convex's retention of a completed export, in nanoseconds: 14 days. */
const EXPORT_RETENTION_NS = 14n * 24n * 60n * 60n * 1_000_000_000n;

export interface ExportJobsOptions {
  /** Where the archives are kept. */
  dir: string;
  /** The stored files, for the exports that include them. */
  files: FileStorage;
  jobs: BackgroundJobs;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export class ExportJobs {
  readonly #store: DocumentStore;
  readonly #options: ExportJobsOptions;

  constructor(store: DocumentStore, options: ExportJobsOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Fails the exports an earlier run left unfinished. */
  async start(): Promise<void> {
    await mkdir(this.#options.dir, { recursive: true });
    const ts = await this.#store.latestTs();
    for (const job of await allDocuments(this.#store, EXPORTS)) {
      const state = job['state'];
      if (state === 'requested' || state === 'in_progress')
        await this.#replace(job._id, failed(job, ts));
    }
  }

  async requestExport(includeStorage: boolean): Promise<JobResult<object>> {
    const format = { format: 'zip', include_storage: includeStorage };
    const id = await systemTransaction(this.#store, async (tx) => {
      const state = (await latestDocument(tx, EXPORTS))?.['state'];
      if (state === 'requested' || state === 'in_progress') return null;
      return tx.insert(EXPORTS, {
        state: 'requested',
        format,
        requestor: 'snapshotExport',
      });
    });
    if (id === null)
      return {
        success: false,
        code: 'ExportInProgress',
        error: 'There is already an export requested or in progress.',
      };
    this.#options.jobs.spawn('a snapshot export', () =>
      this.#export(id, format, includeStorage),
    );
    return { success: true };
  }

  /** The archive of the completed export taken at `ts`, or null. */
  async exportFile(
    ts: Timestamp,
  ): Promise<{ path: string; filename: string } | null> {
    const filename = archiveName(ts);
    const path = join(this.#options.dir, filename);
    try {
      await stat(path);
      return { path, filename };
    } catch {
      return null;
    }
  }

  async #export(
    id: string,
    format: Record<string, Value>,
    includeStorage: boolean,
  ): Promise<void> {
    const ts = await this.#store.latestTs();
    const base = { format, requestor: 'snapshotExport', start_ts: ts };
    await this.#replace(id, { ...base, state: 'in_progress' });
    const filename = archiveName(ts);
    const result = await exportSnapshot(this.#store, {
      ts,
      path: join(this.#options.dir, filename),
      files: includeStorage ? this.#options.files : null,
      stopped: () => this.#options.jobs.stopped,
    });
    const now = await this.#store.latestTs();
    if (!result.success) {
      this.#options.log?.('warn', `snapshot export failed: ${result.error}`);
      await this.#replace(id, { ...base, state: 'failed', failed_ts: now });
      return;
    }
    await this.#replace(id, {
      ...base,
      state: 'completed',
      complete_ts: now,
      expiration_ts: now + EXPORT_RETENTION_NS,
      zip_object_key: filename,
    });
    for (const old of await readdir(this.#options.dir))
      if (old !== filename)
        await rm(join(this.#options.dir, old), { force: true });
  }

  async #replace(id: string, fields: Record<string, Value>): Promise<void> {
    await systemTransaction(this.#store, (tx) => tx.replace(id, fields));
  }
}

function failed(job: Document, ts: Timestamp): Record<string, Value> {
  const { _id: _, _creationTime: __, ...fields } = job;
  return {
    ...fields,
    state: 'failed',
    start_ts: typeof job['start_ts'] === 'bigint' ? job['start_ts'] : ts,
    failed_ts: ts,
  };
}

function archiveName(ts: Timestamp): string {
  return `snapshot_${ts}.zip`;
}
