/**
 * UdfRun: one run of a query or mutation, as the user realm (its
 * execution) and its syscalls (udf-syscalls.ts) see it: the transaction
 * and its database state, who calls, the frozen clock, what it has
 * scheduled, its log lines. It is the whole per-run state: the op tables
 * are shared, and what only some runs need (the request id, the seeded
 * random numbers, the storage context) is made when first asked for.
 *
 * Its async syscalls run one at a time in the order they were called, as
 * Convex runs them, so `Promise.all([insert, get])` always sees the same
 * thing; each is counted by the run's guard (execution-guard.ts).
 *
 * Not here: how a run starts and ends (function-runner.ts,
 * execute-function.ts).
 */
import { randomUUID } from 'node:crypto';
import type { JSONValue, Value } from 'convex/values';
import type { Transaction } from '../store/store.ts';
import type { DatabaseSyscalls } from './database-syscalls.ts';
import type { ExecutionGuard } from './execution-guard.ts';
import type { Execution, FunctionKind } from './execution.ts';
import type { FunctionResult } from './function-result.ts';
import type { RunHost } from './run-host.ts';
import { type SeededRandom, seededRandom } from './seeded-random.ts';
import type { StorageContext } from './storage-syscalls.ts';
import type { AsyncOp, SyscallArgs, SyscallTable } from './syscall-table.ts';
import {
  type NestedUdfType,
  type UdfSyscallRun,
  udfSyscalls,
} from './udf-syscalls.ts';

/** What runs of queries and mutations share of their runner: made once per runner. */
export interface UdfHost extends RunHost {
  runNested(
    caller: UdfRun,
    udfType: NestedUdfType,
    path: string,
    args: Value,
  ): Promise<FunctionResult>;
  kindOf(path: string): FunctionKind | null;
}

/** What a run inherits from its caller when it is a nested call. */
export interface UdfRunOptions {
  identity?: Record<string, JSONValue> | null;
  /** The journal of the previous run of this query (for a nested call, its caller's). */
  journal?: string | null;
  /** 0 for a top-level call. */
  depth?: number;
  /** The caller's log lines, which a nested call's lines join. */
  logLines?: string[];
  jobId?: string | null;
}

export class UdfRun implements Execution, UdfSyscallRun {
  readonly kind: 'query' | 'mutation';
  readonly tx: Transaction;
  readonly database: DatabaseSyscalls;
  readonly path: string;
  readonly identity: Record<string, JSONValue> | null;
  readonly scheduledFunctionId: string | null;
  /** The journal this run was given: its previous run's, or its caller's. */
  readonly previousJournal: string | null;
  readonly depth: number;
  readonly nowMs = Date.now();
  readonly logLines: string[];
  readonly env: Readonly<Record<string, string>>;
  readonly #host: UdfHost;
  readonly #table: SyscallTable<UdfSyscallRun>;
  scheduledCount = 0;
  scheduledArgsBytes = 0;
  guard: ExecutionGuard | null = null;
  /** The async syscall called last, which the next one waits for. */
  #lastCall: Promise<string> | null = null;
  #requestId: string | null = null;
  #random: SeededRandom | null = null;
  #storage: StorageContext | null = null;

  constructor(
    host: UdfHost,
    kind: 'query' | 'mutation',
    path: string,
    tx: Transaction,
    database: DatabaseSyscalls,
    options: UdfRunOptions,
  ) {
    this.#host = host;
    this.#table = udfSyscalls(kind, host.files !== undefined);
    this.kind = kind;
    this.path = path;
    this.tx = tx;
    this.database = database;
    this.identity = options.identity ?? null;
    this.scheduledFunctionId = options.jobId ?? null;
    this.previousJournal = options.journal ?? null;
    this.depth = options.depth ?? 0;
    this.logLines = options.logLines ?? [];
    this.env = host.env();
  }

  get deploymentName(): string {
    return this.#host.deploymentName;
  }

  now(): number {
    return this.nowMs;
  }

  /** Seeded by the run's clock and snapshot, so a rerun draws the same numbers. */
  get random(): SeededRandom {
    return (this.#random ??= seededRandom(
      this.nowMs ^ Number(this.tx.snapshotTs % 0x7fffffffn),
    ));
  }

  requestId(): string {
    return (this.#requestId ??= randomUUID());
  }

  storageContext(): StorageContext {
    const files = this.#host.files;
    if (!files) throw new Error('This deployment keeps no files.');
    return (this.#storage ??= {
      ...files,
      store: this.#host.store,
      tx: this.tx,
    });
  }

  runNested(
    udfType: NestedUdfType,
    path: string,
    args: Value,
  ): Promise<FunctionResult> {
    return this.#host.runNested(this, udfType, path, args);
  }

  kindOf(path: string): FunctionKind | null {
    return this.#host.kindOf(path);
  }

  hostWork(pending: Promise<unknown>): void {
    this.guard?.track(pending);
  }

  syscall(op: string, argsJson: string): string {
    return this.#table.syscall(this, op, argsJson);
  }

  asyncSyscall(op: string, argsJson: string): Promise<string> {
    const guard = this.guard;
    const ended = guard ? guard.enter() : null;
    if (ended) return Promise.reject(ended);
    let handler: AsyncOp<UdfSyscallRun>;
    let args: SyscallArgs;
    try {
      handler = this.#table.asyncOp(op);
      args = JSON.parse(argsJson) as SyscallArgs;
    } catch (error) {
      guard?.leave();
      return rejection(error);
    }
    const call = this.#inTurn(handler, args, this.#lastCall);
    this.#lastCall = call;
    return call;
  }

  jsSyscall(op: string): never {
    throw new Error(`Unknown JS syscall ${op}`);
  }

  /** The op, once the one called before it has settled. */
  async #inTurn(
    handler: AsyncOp<UdfSyscallRun>,
    args: SyscallArgs,
    previous: Promise<string> | null,
  ): Promise<string> {
    try {
      try {
        await previous;
      } catch {
        // The op before failed: its caller hears of it, this one runs.
      }
      return JSON.stringify(await handler(this, args));
    } finally {
      this.guard?.leave();
    }
  }
}

/** A promise rejected with what a synchronous step threw. */
async function rejection(thrown: unknown): Promise<never> {
  throw thrown;
}
