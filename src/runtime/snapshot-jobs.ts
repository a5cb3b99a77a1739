/**
 * SnapshotJobs: the snapshot exports (export-jobs.ts) and imports
 * (import-jobs.ts) of one deployment, as the official CLI drives them
 * (convex-cli-and-guarantees.md §1.8), over one set of background jobs
 * (background-jobs.ts): a request starts a job and is answered; the job
 * records its progress in a system table the CLI's system queries read
 * (system-snapshots.ts). Their files live in the data directory, under
 * `exports/` and `imports/`.
 *
 * `start` fails the jobs a stopped server left unfinished; `close` stops
 * the running ones at their next step and waits for them.
 */
import { join } from 'node:path';
import type { FileStorage } from '../store/file-storage.ts';
import type { DocumentStore } from '../store/store.ts';
import { BackgroundJobs } from './background-jobs.ts';
import { ExportJobs } from './export-jobs.ts';
import { ImportJobs } from './import-jobs.ts';

export interface SnapshotJobsOptions {
  /** The data directory. */
  dir: string;
  files: FileStorage;
  /** Called when an import renumbered tables: every subscribed query must rerun. */
  onTablesMoved?: () => void;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export class SnapshotJobs {
  readonly exports: ExportJobs;
  readonly imports: ImportJobs;
  readonly #jobs: BackgroundJobs;

  constructor(store: DocumentStore, options: SnapshotJobsOptions) {
    this.#jobs = new BackgroundJobs((message) =>
      options.log?.('error', message),
    );
    this.exports = new ExportJobs(store, {
      dir: join(options.dir, 'exports'),
      files: options.files,
      jobs: this.#jobs,
      ...(options.log ? { log: options.log } : {}),
    });
    this.imports = new ImportJobs(store, {
      dir: join(options.dir, 'imports'),
      files: options.files,
      jobs: this.#jobs,
      ...(options.onTablesMoved
        ? { onTablesMoved: options.onTablesMoved }
        : {}),
    });
  }

  async start(): Promise<void> {
    await this.exports.start();
    await this.imports.start();
  }

  /** Resolves once no job is working. */
  settled(): Promise<void> {
    return this.#jobs.settled();
  }

  close(): Promise<void> {
    return this.#jobs.close();
  }
}
