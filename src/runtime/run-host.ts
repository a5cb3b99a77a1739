/**
 * RunHost: what every run of a function, whatever its kind, reads of the
 * runner that started it. Made once per runner; the kinds add their own
 * (udf-run.ts, action-run.ts).
 */
import type { DocumentStore } from '../store/store.ts';
import type { StorageContext } from './storage-syscalls.ts';

export interface RunHost {
  readonly deploymentName: string;
  /** The environment variables a run starting now sees. */
  env(): Readonly<Record<string, string>>;
  /** Where `ctx.storage` keeps files; undefined when the deployment keeps none. */
  readonly files:
    Pick<StorageContext, 'files' | 'origin' | 'secret'> | undefined;
  readonly store: DocumentStore;
}
