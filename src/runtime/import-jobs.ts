/**
 * ImportJobs: snapshot imports as `npx convex import` drives them, each a
 * document of the system table `_snapshot_imports` in the shape Convex
 * gives it (convex-backend `crates/model/src/snapshot_imports/types.rs`), so
 * the CLI's system query `queryImport` (system-snapshots.ts) sees it move:
 *
 *   uploaded ──▶ waiting_for_confirmation {message_to_confirm,
 *                  require_manual_confirmation}
 *            ──perform──▶ in_progress {progress_message, checkpoint_messages}
 *            ──▶ completed {timestamp, num_rows_written}
 *   (any state but completed may end in failed {error_message})
 *
 * The upload comes in parts, kept under `imports/` in the data directory
 * and put together when it finishes; it is read (import-source.ts) to sum
 * the import up (import-summary.ts) and again to write it
 * (snapshot-import.ts), both in the background, and removed when the
 * import ends.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFile,
  mkdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import type { Value } from 'convex/values';
import { SYSTEM_TABLES } from '../store/catalog.ts';
import { decodeDocumentId } from '../store/document-id.ts';
import type { FileStorage } from '../store/file-storage.ts';
import type { Document, DocumentStore } from '../store/store.ts';
import type { BackgroundJobs, JobResult } from './background-jobs.ts';
import {
  type ImportFormat,
  type ImportSource,
  importSource,
} from './import-source.ts';
import { type ImportMode, importSummary } from './import-summary.ts';
import { allDocuments } from './job-documents.ts';
import { writeImport } from './snapshot-import.ts';
import { systemTransaction } from './system-transaction.ts';

export const SNAPSHOT_IMPORTS = '_snapshot_imports';

/** What `npx convex import` asks for (`finish_upload`'s `import`). */
export interface ImportRequest {
  format: ImportFormat;
  mode: ImportMode;
  tableName: string | null;
}

export interface ImportJobsOptions {
  /** Where uploads are kept until their import ends. */
  dir: string;
  /** Where imported stored files go. */
  files: FileStorage;
  jobs: BackgroundJobs;
  /** Called when an import renumbered tables: every subscribed query must rerun. */
  onTablesMoved?: () => void;
}

/** The CLI numbers parts from 1 and stays under 10,000 of them, as Convex requires. */
const MAX_PART_NUMBER = 9999;
const FORMAT_NAMES: Record<ImportFormat, string> = {
  csv: 'csv',
  jsonLines: 'jsonl',
  jsonArray: 'json_array',
  zip: 'zip',
};
const MODE_NAMES: Record<ImportMode, string> = {
  requireEmpty: 'RequireEmpty',
  append: 'Append',
  replace: 'Replace',
  replaceAll: 'ReplaceAll',
};

export class ImportJobs {
  readonly #store: DocumentStore;
  readonly #options: ImportJobsOptions;

  constructor(store: DocumentStore, options: ImportJobsOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Fails the imports an earlier run left unfinished, and forgets its uploads. */
  async start(): Promise<void> {
    await rm(this.#options.dir, { recursive: true, force: true });
    await mkdir(this.#options.dir, { recursive: true });
    for (const job of await allDocuments(this.#store, SNAPSHOT_IMPORTS)) {
      const state = stateOf(job);
      if (state !== 'completed' && state !== 'failed')
        await this.#setImportState(job._id, {
          state: 'failed',
          error_message: 'The server restarted before the import finished.',
        });
    }
  }

  async startUpload(): Promise<string> {
    const token = randomBytes(16).toString('hex');
    await mkdir(join(this.#options.dir, token), { recursive: true });
    return token;
  }

  /** Keeps one part of an upload; its token names the part and its bytes. */
  async uploadPart(
    token: string,
    partNumber: number,
    bytes: Uint8Array,
  ): Promise<JobResult<{ partToken: string }>> {
    const dir = await this.#uploadDir(token);
    if (!dir) return unknownUpload();
    if (
      !Number.isInteger(partNumber) ||
      partNumber < 1 ||
      partNumber > MAX_PART_NUMBER
    )
      return {
        success: false,
        code: 'InvalidPartNumber',
        error: `A part number is from 1 to ${MAX_PART_NUMBER}, got ${partNumber}.`,
      };
    await writeFile(join(dir, String(partNumber)), bytes);
    return { success: true, partToken: `${partNumber}.${sha256(bytes)}` };
  }

  /** Puts the parts together and starts the import: its id, or why not. */
  async finishUpload(
    token: string,
    partTokens: readonly string[],
    request: ImportRequest,
  ): Promise<JobResult<{ importId: string }>> {
    const problem = requestProblem(request);
    if (problem) return problem;
    const dir = await this.#uploadDir(token);
    if (!dir) return unknownUpload();
    const upload = `${dir}.upload`;
    await rm(upload, { force: true });
    for (const partToken of partTokens) {
      const [number = '', hash] = partToken.split('.');
      const bytes = await readFile(join(dir, number)).catch(() => null);
      if (!bytes || sha256(bytes) !== hash)
        return {
          success: false,
          code: 'InvalidUploadPart',
          error: `Part ${partToken} of the upload was not received.`,
        };
      await appendFile(upload, bytes);
    }
    await rm(dir, { recursive: true, force: true });
    const importId = await systemTransaction(this.#store, (tx) =>
      tx.insert(SNAPSHOT_IMPORTS, {
        state: { state: 'uploaded' },
        format:
          request.format === 'zip'
            ? { format: 'zip' }
            : {
                format: FORMAT_NAMES[request.format],
                table: request.tableName,
              },
        mode: MODE_NAMES[request.mode],
        object_key: `${token}.upload`,
        requestor: { type: 'snapshotImport' },
      }),
    );
    this.#options.jobs.spawn('an import', () =>
      this.#prepare(importId, upload, request),
    );
    return { success: true, importId };
  }

  /** The user confirmed: the import starts. */
  async performImport(importId: string): Promise<JobResult<object>> {
    const decoded = decodeDocumentId(importId);
    if (decoded?.tableNumber !== SYSTEM_TABLES.get(SNAPSHOT_IMPORTS))
      return {
        success: false,
        code: 'InvalidImport',
        error: `invalid import id ${importId}`,
      };
    const job = await systemTransaction(this.#store, async (tx) => {
      const found = await tx.get(importId);
      if (!found || stateOf(found) !== 'waiting_for_confirmation') return found;
      await tx.patch(importId, {
        state: {
          state: 'in_progress',
          progress_message: 'Importing',
          checkpoint_messages: [],
        },
      });
      return found;
    });
    if (!job)
      return {
        success: false,
        code: 'ImportNotFound',
        error: `import ${importId} not found`,
      };
    const state = stateOf(job);
    if (state !== 'waiting_for_confirmation')
      return {
        success: false,
        code: 'ImportNotWaitingForConfirmation',
        error: `The import is ${state}, not waiting for confirmation.`,
      };
    const request = requestOf(job);
    const objectKey = job['object_key'];
    const upload = join(
      this.#options.dir,
      typeof objectKey === 'string' ? objectKey : '',
    );
    this.#options.jobs.spawn('an import', () =>
      this.#perform(importId, upload, request),
    );
    return { success: true };
  }

  async #prepare(
    importId: string,
    upload: string,
    request: ImportRequest,
  ): Promise<void> {
    const source = await this.#read(importId, upload, request);
    if (!source) return;
    const summary = await importSummary(this.#store, source, request.mode);
    if (!summary.success) {
      await this.#importFailed(importId, upload, summary.error);
      return;
    }
    await this.#setImportState(importId, {
      state: 'waiting_for_confirmation',
      message_to_confirm: summary.message,
      require_manual_confirmation: summary.requireManualConfirmation,
    });
  }

  async #perform(
    importId: string,
    upload: string,
    request: ImportRequest,
  ): Promise<void> {
    const source = await this.#read(importId, upload, request);
    if (!source) return;
    let progressMessage = 'Importing';
    const checkpoints: string[] = [];
    const show = () =>
      this.#setImportState(importId, {
        state: 'in_progress',
        progress_message: progressMessage,
        checkpoint_messages: [...checkpoints],
      });
    const outcome = await writeImport(
      this.#store,
      this.#options.files,
      source,
      request.mode,
      {
        progress: async (message) => {
          progressMessage = message;
          await show();
        },
        checkpoint: async (message) => {
          checkpoints.push(message);
          await show();
        },
        stopped: () => this.#options.jobs.stopped,
      },
    );
    if (outcome.success && outcome.tablesMoved) this.#options.onTablesMoved?.();
    if (!outcome.success) {
      await this.#importFailed(importId, upload, outcome.error);
      return;
    }
    await rm(upload, { force: true });
    await this.#setImportState(importId, {
      state: 'completed',
      timestamp: await this.#store.latestTs(),
      num_rows_written: BigInt(outcome.rowsWritten),
    });
  }

  /** The upload read as the request says, or null when it cannot be: the import has failed. */
  async #read(
    importId: string,
    upload: string,
    request: ImportRequest,
  ): Promise<ImportSource | null> {
    const parsed = importSource(
      await readFile(upload),
      request.format,
      request.tableName,
    );
    if (parsed.success) return parsed.source;
    await this.#importFailed(importId, upload, parsed.error);
    return null;
  }

  async #importFailed(
    importId: string,
    upload: string,
    error: string,
  ): Promise<void> {
    await rm(upload, { force: true });
    await this.#setImportState(importId, {
      state: 'failed',
      error_message: `Hit an error while importing:\n${error}`,
    });
  }

  async #setImportState(
    importId: string,
    state: Record<string, Value>,
  ): Promise<void> {
    await systemTransaction(this.#store, (tx) => tx.patch(importId, { state }));
  }

  async #uploadDir(token: string): Promise<string | null> {
    if (!/^[0-9a-f]{32}$/.test(token)) return null;
    const dir = join(this.#options.dir, token);
    try {
      return (await stat(dir)).isDirectory() ? dir : null;
    } catch {
      return null;
    }
  }
}

function stateOf(job: Document): string | undefined {
  const state = job['state'];
  if (state === null || typeof state !== 'object' || Array.isArray(state))
    return undefined;
  const name = (state as Record<string, Value>)['state'];
  return typeof name === 'string' ? name : undefined;
}

/** The import request a `_snapshot_imports` document records. */
function requestOf(job: Document): ImportRequest {
  const format = job['format'] as Record<string, Value>;
  const formatName = Object.entries(FORMAT_NAMES).find(
    ([, name]) => name === format['format'],
  )?.[0] as ImportFormat;
  const mode = Object.entries(MODE_NAMES).find(
    ([, name]) => name === job['mode'],
  )?.[0] as ImportMode;
  const table = format['table'];
  return {
    format: formatName,
    mode,
    tableName: typeof table === 'string' ? table : null,
  };
}

/** Convex's refusals of a format and table that do not go together (`parse_format_arg`). */
function requestProblem(
  request: ImportRequest,
): { success: false; code: string; error: string } | null {
  if (request.format === 'zip' && request.tableName !== null)
    return {
      success: false,
      code: 'InvalidName',
      error: 'ZIP import cannot have table name',
    };
  if (request.format !== 'zip' && request.tableName === null) {
    const kind = { csv: 'CSV', jsonLines: 'JSONL', jsonArray: 'JSON' }[
      request.format
    ];
    return {
      success: false,
      code: 'InvalidName',
      error: `${kind} import requires table name`,
    };
  }
  return null;
}

function unknownUpload(): { success: false; code: string; error: string } {
  return {
    success: false,
    code: 'InvalidUploadToken',
    error: 'The upload token is unknown or its upload has finished.',
  };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
