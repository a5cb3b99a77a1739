/**
 * ZipFileWriter: a ZIP archive written to a file as it is made, one entry
 * after another (fflate's streaming `Zip`), so that a snapshot export holds
 * one page of one table in memory, never the whole archive. Every entry is
 * deflated, with Unix permissions 0644 as Convex gives its snapshot entries.
 *
 * States: open ──close()──▶ closed, or open ──abort()──▶ closed with the
 * partial file removed. An entry is written whole by `add` or in pieces
 * through `entry`; one entry at a time.
 */
import { type FileHandle, open, rm } from 'node:fs/promises';
import { Zip, ZipDeflate } from 'fflate';

/** fflate's default level: about as small as 9, much faster. */
const LEVEL = 6;
const UNIX = 3;
const PERMISSIONS = 0o644;

export interface ZipEntryWriter {
  write(chunk: string | Uint8Array): Promise<void>;
  end(): Promise<void>;
}

export class ZipFileWriter {
  readonly #path: string;
  readonly #handle: FileHandle;
  readonly #zip: Zip;
  /** Archive bytes fflate has made and the file has not received yet. */
  #pending: Uint8Array[] = [];
  #failure: Error | null = null;
  #closed = false;

  private constructor(path: string, handle: FileHandle) {
    this.#path = path;
    this.#handle = handle;
    this.#zip = new Zip((error, data) => {
      if (error) this.#failure = error;
      else this.#pending.push(data);
    });
  }

  static async create(path: string): Promise<ZipFileWriter> {
    return new ZipFileWriter(path, await open(path, 'w'));
  }

  /** An entry written piece by piece; end it before the next. */
  entry(name: string): ZipEntryWriter {
    if (this.#closed) throw new Error('the archive is closed');
    const file = new ZipDeflate(name, { level: LEVEL });
    file.os = UNIX;
    file.attrs = PERMISSIONS << 16;
    this.#zip.add(file);
    const encoder = new TextEncoder();
    return {
      write: async (chunk) => {
        file.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
        await this.#flush();
      },
      end: async () => {
        file.push(new Uint8Array(0), true);
        await this.#flush();
      },
    };
  }

  /** A whole entry. */
  async add(name: string, content: string | Uint8Array): Promise<void> {
    const entry = this.entry(name);
    await entry.write(content);
    await entry.end();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#zip.end();
    await this.#flush();
    this.#closed = true;
    await this.#handle.close();
  }

  /** Closes the file and removes it: an export that failed leaves nothing. */
  async abort(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#zip.terminate();
      await this.#handle.close();
    }
    await rm(this.#path, { force: true });
  }

  async #flush(): Promise<void> {
    if (this.#failure) throw this.#failure;
    const chunks = this.#pending;
    this.#pending = [];
    for (const chunk of chunks) await this.#handle.write(chunk);
  }
}
