/**
 * ActionRun: one run of an action or HTTP action, as the user realm (its
 * execution) and its syscalls (action-syscalls.ts) see it: who calls, its
 * log lines, the real clock and real randomness. Its async syscalls start
 * as they are called and run concurrently; `Convex.jsSyscall` passes
 * storage `Blob`s when the deployment keeps files. The request id and the
 * storage context are made when first asked for.
 */
import { randomUUID } from 'node:crypto';
import type { JSONValue } from 'convex/values';
import {
  type ActionCalls,
  type ActionSyscallRun,
  actionSyscalls,
} from './action-syscalls.ts';
import type { Execution } from './execution.ts';
import type { RunHost } from './run-host.ts';
import { type StorageContext, storageJsSyscall } from './storage-syscalls.ts';
import type { SyscallTable } from './syscall-table.ts';

/** What runs of actions share of their runner: made once per runner. */
export interface ActionHost extends RunHost {
  readonly calls: ActionCalls;
}

export class ActionRun implements Execution, ActionSyscallRun {
  readonly kind: 'action' | 'httpAction';
  readonly path: string;
  readonly identity: Record<string, JSONValue> | null;
  readonly scheduledFunctionId: string | null;
  readonly random = null;
  readonly logLines: string[] = [];
  readonly env: Readonly<Record<string, string>>;
  readonly #host: ActionHost;
  readonly #table: SyscallTable<ActionSyscallRun>;
  #requestId: string | null = null;
  #storage: StorageContext | null = null;

  constructor(
    host: ActionHost,
    kind: 'action' | 'httpAction',
    path: string,
    identity: Record<string, JSONValue> | null,
    scheduledFunctionId: string | null,
  ) {
    this.#host = host;
    this.#table = actionSyscalls(host.files !== undefined);
    this.kind = kind;
    this.path = path;
    this.identity = identity;
    this.scheduledFunctionId = scheduledFunctionId;
    this.env = host.env();
  }

  get deploymentName(): string {
    return this.#host.deploymentName;
  }

  get calls(): ActionCalls {
    return this.#host.calls;
  }

  now(): number {
    return Date.now();
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
    });
  }

  syscall(op: string, argsJson: string): string {
    return this.#table.syscall(this, op, argsJson);
  }

  asyncSyscall(op: string, argsJson: string): Promise<string> {
    return this.#table.asyncSyscall(this, op, argsJson);
  }

  jsSyscall(op: string, args: Record<string, unknown>): unknown {
    if (!this.#host.files) throw new Error(`Unknown JS syscall ${op}`);
    return storageJsSyscall(this.storageContext(), op, args);
  }
}
