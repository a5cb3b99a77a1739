/**
 * What a commit wrote, as the commit log carries it to OCC validation and to
 * subscription invalidation: for every written document, its key before and
 * after in every index of its table. Documents themselves are not carried;
 * whoever needs them reads the snapshot at the commit's timestamp.
 */
import type { Timestamp } from '../protocol/timestamp.ts';

export interface DocumentWrite {
  id: string;
  table: string;
  /** For every index of the table, the document's key before and after (null: absent). */
  keys: { indexId: number; old: Buffer | null; new: Buffer | null }[];
}

export interface CommitEntry {
  ts: Timestamp;
  writes: DocumentWrite[];
}
