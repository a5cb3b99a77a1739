/**
 * FunctionRunner: runs a registered function by path, as Convex does
 * (convex-runtime.md §1.4, §5.1):
 *
 * - a query reads one snapshot and returns its read set with its result, for
 *   the sync layer's subscriptions;
 * - a mutation runs in a transaction and commits; on a conflict it runs again
 *   in a fresh transaction, up to 4 retries with jittered exponential backoff
 *   from 100 ms to 2 s, and a mutation from a session records its result so
 *   that a re-sent one is answered from the record without running again.
 *
 * The built-in `_system/` queries and mutations (system-functions.ts) run
 * the same way, user code aside, and are not reported to execution
 * listeners.
 *
 * Function failures are values (`success: false`); only bugs throw.
 */
import { randomUUID } from 'node:crypto';
import {
  type JSONValue,
  type Value,
  convexToJson,
  jsonToConvex,
} from 'convex/values';
import type { ReadSet } from '../store/read-set.ts';
import type {
  Conflict,
  DocumentStore,
  Timestamp,
  Transaction,
} from '../store/store.ts';
import { type ActionHost, ActionRun } from './action-run.ts';
import { DatabaseSyscalls } from './database-syscalls.ts';
import { type FunctionKind, executions } from './execution.ts';
import {
  type ExecutionListener,
  ExecutionListeners,
} from './execution-listeners.ts';
import { CallsInFlight } from './calls-in-flight.ts';
import { ConflictLanes } from './conflict-lanes.ts';
import { LoopBudget } from './loop-budget.ts';
import { executeFunction } from './execute-function.ts';
import { failureFromThrown } from './function-failure.ts';
import type { FunctionResult } from './function-result.ts';
import type { FunctionDefinition, LoadedFunctions } from './load-functions.ts';
import { cancelJob, scheduleJob, transitionJob } from './scheduled-jobs.ts';
import type { StorageContext } from './storage-syscalls.ts';
import { documentValidatorsOf } from './schema-validators.ts';
import { type SearchIndexes, searchIndexesOf } from './search-indexes.ts';
import { systemTransaction } from './system-transaction.ts';
import type { NestedUdfType } from './udf-syscalls.ts';
import { type UdfHost, UdfRun } from './udf-run.ts';
import { vectorSearch } from './vector-search.ts';
import { writeConflictMessage } from './write-conflict.ts';
import {
  isSystemCaller,
  isSystemPath,
  runSystemFunction,
  systemMutation,
  systemQuery,
  systemRefusal,
} from './system-functions.ts';
import { canonicalUdfPath, parseUdfPath } from './udf-path.ts';
import type { ValidatorJson } from './validator.ts';

export type QueryOutcome = FunctionResult & {
  ts: Timestamp;
  readSet: ReadSet;
  /** What a rerun needs to make the same decisions: the pinned end of a paginated page, or null. */
  journal: string | null;
};
export type MutationOutcome = FunctionResult & { ts?: Timestamp };

export interface CallOptions {
  /** The caller's identity as `ctx.auth.getUserIdentity()` returns it; null or absent: signed out. */
  identity?: Record<string, JSONValue> | null;
  /** True for calls from a client: internal functions are then unreachable. */
  fromClient?: boolean;
  /**
   * True when the caller presented the deployment's admin key: acting as
   * nobody else, it may run the `_system/` functions (system-functions.ts).
   */
  admin?: boolean;
}

export interface MutationOptions extends CallOptions {
  /**
   * The client session and request, for exactly-once replay of re-sent
   * mutations. `mayBeResent: false` says the request came on the session's
   * first connection, so no record of it can exist yet and the lookup before
   * the run is skipped; the commit refuses a second record all the same.
   */
  session?: { sessionId: string; requestId: number; mayBeResent?: boolean };
  /**
   * The pending `_scheduled_functions` job this run executes: the mutation
   * runs only if the job is still pending, and marks it done in its own
   * transaction, so it runs exactly once.
   */
  jobId?: string;
}

/** What an invocation inherits from its caller, if it is a nested call. */
interface InvokeOptions extends CallOptions {
  journal?: string | null;
  /** 0 for a top-level call. */
  depth?: number;
  /** The caller's log lines, which a nested call's lines join. */
  logLines?: string[];
  jobId?: string | null;
}

export interface RunnerOptions {
  /** The deployment's environment variables, which `process.env` shows. */
  env?: Record<string, string>;
  /** What `ctx.meta.getDeploymentMetadata()` names the deployment. */
  deploymentName?: string;
  /** Where `ctx.storage` keeps files, the URL they are served under, and the key of upload tokens. */
  files?: Pick<StorageContext, 'files' | 'origin' | 'secret'>;
}

/** A response from an HTTP action, with the log lines its handler wrote. */
export interface HttpActionOutcome {
  response: Response;
  logLines: string[];
}

/** What `convex/server`'s `HttpRouter` offers: the endpoint for a path and method. */
interface HttpRouterLike {
  lookup(
    path: string,
    method: string,
  ):
    | [
        { invokeHttpAction(request: Request): Promise<Response> },
        string,
        string,
      ]
    | null;
}

export type { FunctionResult };

/** How deep `ctx.runQuery` / `ctx.runMutation` calls may nest inside one another. */
const MAX_NESTING_DEPTH = 8;
/** convex-backend `UDF_EXECUTOR_OCC_MAX_RETRIES`: five runs in all. */
const MAX_OCC_RETRIES = 4;
/**
 * The jittered wait before a rerun that lost even when run alone. Convex
 * waits from 100 ms before every rerun; here lanes order the reruns, so a
 * wait only spreads losses to other processes: a few milliseconds, a few
 * mutations' worth of work.
 */
const FIRST_BACKOFF_MS = 2;
/**
 * How long mutations may run back to back before socket reads, Transitions
 * and pings get a turn: a dozen small mutations, short against the time a
 * client waits for its answer anyway.
 */
const BACK_TO_BACK_MS = 5;
const MAX_BACKOFF_MS = 2000;

/** One run of a mutation: answered (from its record, or a failure before commit), done, or lost a conflict. */
type MutationAttempt =
  | { kind: 'recorded'; outcome: MutationOutcome }
  | { kind: 'done'; outcome: MutationOutcome }
  | { kind: 'conflict'; conflict: Conflict; logLines: string[] };

/** What one attempt at a mutation does in its transaction before the commit: user code, or a system mutation. */
type MutationBody = (tx: Transaction) => Promise<FunctionResult>;

export class FunctionRunner {
  /** The code, and what is derived from its schema: replaced together by `replaceFunctions`. */
  #loaded: LoadedFunctions;
  #indexes: SearchIndexes;
  #documentValidators: ReadonlyMap<string, ValidatorJson>;
  readonly #store: DocumentStore;
  #env: Readonly<Record<string, string>>;
  readonly #deploymentName: string;
  readonly #files: RunnerOptions['files'];
  readonly #listeners = new ExecutionListeners();
  readonly #lanes = new ConflictLanes();
  /** Mutations, actions and HTTP actions running, for `settled`. */
  readonly #inFlight = new CallsInFlight();
  /** Mutations taking turns on a sole writer run back to back: this gives the event loop its turns. */
  readonly #loopBudget = new LoopBudget(BACK_TO_BACK_MS);
  /** What runs share of this runner (#host). */
  #runHost: (UdfHost & ActionHost) | null = null;

  constructor(
    loaded: LoadedFunctions,
    store: DocumentStore,
    options: RunnerOptions = {},
  ) {
    this.#loaded = loaded;
    this.#store = store;
    this.#env = options.env ?? {};
    this.#deploymentName = options.deploymentName ?? 'converge';
    this.#files = options.files;
    this.#indexes = searchIndexesOf(loaded.schema);
    this.#documentValidators = documentValidatorsOf(loaded.schema);
  }

  /**
   * New code for the same deployment (`converge dev` reloads): calls from
   * now on find their functions, schema and HTTP routes in `loaded`; a call
   * already running keeps the function it started, though what it calls from
   * then on is the new code. The caller applies the schema's indexes first.
   */
  replaceFunctions(loaded: LoadedFunctions): void {
    this.#loaded = loaded;
    this.#indexes = searchIndexesOf(loaded.schema);
    this.#documentValidators = documentValidatorsOf(loaded.schema);
  }

  /** New environment variables, which `process.env` shows to every call from now on. */
  setEnvironment(env: Readonly<Record<string, string>>): void {
    this.#env = { ...env };
  }

  /** Hears of every function run from now on (see ExecutionListeners); returns the way to stop. */
  onExecution(listener: ExecutionListener): () => void {
    return this.#listeners.add(listener);
  }

  #report(
    kind: FunctionKind,
    path: string,
    startedAt: number,
    result:
      | { success: true; logLines: readonly string[] }
      | { success: false; logLines: readonly string[]; errorMessage: string },
    occRetries = 0,
  ): void {
    if (this.#listeners.size === 0) return;
    this.#listeners.notify({
      kind,
      path,
      durationMs: performance.now() - startedAt,
      success: result.success,
      occRetries,
      logLines: result.logLines,
      errorMessage: result.success ? null : result.errorMessage,
      endedAtMs: Date.now(),
    });
  }

  /** What runs share of this runner: made at the first run, then shared by every run. */
  #host(): UdfHost & ActionHost {
    return (this.#runHost ??= {
      deploymentName: this.#deploymentName,
      env: () => this.#env,
      files: this.#files,
      store: this.#store,
      runNested: (caller, udfType, path, args) =>
        this.#runNested(caller, udfType, path, args),
      kindOf: (path) => this.kindOf(path),
      calls: {
        query: (p, a, identity) => this.runQuery(p, a, { identity }),
        mutation: (p, a, identity) => this.runMutation(p, a, { identity }),
        action: (p, a, identity) => this.runAction(p, a, { identity }),
        schedule: (job) =>
          systemTransaction(this.#store, (tx) => scheduleJob(tx, job)),
        cancel: (id) =>
          systemTransaction(this.#store, (tx) => cancelJob(tx, id, Date.now())),
        kindOf: (p) => this.kindOf(p),
        vectorSearch: (query) =>
          vectorSearch(this.#store, this.#indexes.vector, query),
      },
    });
  }

  async runQuery(
    path: string,
    args: Value,
    options: CallOptions & { ts?: Timestamp; journal?: string | null } = {},
  ): Promise<QueryOutcome> {
    const tx = await this.#store.begin(
      options.ts === undefined ? {} : { ts: options.ts },
    );
    const base = { ts: tx.snapshotTs, readSet: tx.readSet };
    const system = this.#system(path, options, systemQuery);
    if (system !== null) {
      const result = await runSystemFunction(system, args, {
        tx,
        functions: this.#loaded,
      });
      return { ...result, ...base, journal: null };
    }
    const found = this.#resolve(path, 'query', options);
    if (!found.success)
      return {
        ...found,
        logLines: [],
        journal: options.journal ?? null,
        ...base,
      };
    const startedAt = performance.now();
    const { journal, ...result } = await this.#invoke(
      found.fn,
      tx,
      args,
      options,
    );
    this.#report('query', found.fn.path, startedAt, result);
    return { ...result, ...base, journal };
  }

  runMutation(
    path: string,
    args: Value,
    options: MutationOptions = {},
  ): Promise<MutationOutcome> {
    return this.#inFlight.track(this.#runMutation(path, args, options));
  }

  async #runMutation(
    path: string,
    args: Value,
    options: MutationOptions,
  ): Promise<MutationOutcome> {
    const system = this.#system(path, options, systemMutation);
    if (system !== null) {
      // Not reported: system mutations run no user code (system-functions.ts).
      const { outcome } = await this.#commitMutation(
        (tx) =>
          runSystemFunction(system, args, {
            tx,
            database: this.#database(tx, 'mutation', null),
            functions: this.#loaded,
          }),
        options,
      );
      return outcome;
    }
    const found = this.#resolve(path, 'mutation', options);
    if (!found.success) return { ...found, logLines: [] };
    const startedAt = performance.now();
    const ran = await this.#commitMutation(async (tx) => {
      const { journal: _journal, ...result } = await this.#invoke(
        found.fn,
        tx,
        args,
        options,
      );
      return result;
    }, options);
    // A re-sent mutation answered from its record did not run again.
    if (!ran.recorded)
      this.#report(
        'mutation',
        found.fn.path,
        startedAt,
        ran.outcome,
        ran.retries,
      );
    return ran.outcome;
  }

  /** The system function `lookup` finds at a path, when an admin acting as itself calls it; else null. */
  #system<F>(
    path: string,
    options: CallOptions,
    lookup: (canonicalPath: string) => F | null,
  ): F | null {
    if (!isSystemPath(path) || !isSystemCaller(options)) return null;
    const parsed = parseUdfPath(path);
    return parsed.success ? lookup(canonicalUdfPath(parsed.path)) : null;
  }

  /**
   * Runs a mutation's body until it commits, fails, or loses its last
   * conflict: the OCC retry loop user and system mutations share.
   */
  async #commitMutation(
    body: MutationBody,
    options: MutationOptions,
  ): Promise<{ outcome: MutationOutcome; retries: number; recorded: boolean }> {
    let lost: Conflict | null = null;
    for (let attempt = 0; ; attempt++) {
      const retry = lost !== null;
      const run = (): Promise<MutationAttempt> =>
        this.#attemptMutation(body, options, retry);
      // With a sole writer, a first run goes alone, after the one before it
      // has committed: on one JavaScript thread over synchronous reads,
      // running mutations side by side overlapped no waiting, it only made
      // them lose to each other. Otherwise the first rerun waits its turn
      // behind the others that lost on the same document, and a rerun that
      // lost again runs alone (conflict-lanes.ts).
      const tried: MutationAttempt =
        lost === null
          ? await (this.#store.soleWriter
              ? this.#lanes.exclusive(async () => {
                  await this.#loopBudget.yieldIfSpent();
                  return run();
                })
              : run())
          : attempt === 1
            ? await this.#lanes.run(laneOf(lost), run)
            : await this.#lanes.exclusive(run);
      if (tried.kind === 'recorded')
        return { outcome: tried.outcome, retries: attempt, recorded: true };
      if (tried.kind === 'done')
        return { outcome: tried.outcome, retries: attempt, recorded: false };
      if (attempt >= MAX_OCC_RETRIES) {
        const { table, id } = tried.conflict;
        return {
          outcome: {
            success: false,
            errorMessage: writeConflictMessage(table, id),
            logLines: tried.logLines,
          },
          retries: attempt,
          recorded: false,
        };
      }
      lost = tried.conflict;
      // Even alone, a rerun can lose to another process's commit (on
      // PostgreSQL): from then on it waits a little, jittered, first.
      if (attempt >= 2) await sleep(backoffMs(attempt - 2));
    }
  }

  /** One run of a mutation's body in its own transaction, up to its commit. */
  async #attemptMutation(
    body: MutationBody,
    options: MutationOptions,
    retry: boolean,
  ): Promise<MutationAttempt> {
    if (options.session && (retry || options.session.mayBeResent !== false)) {
      const record = await this.#store.mutationRecord(
        options.session.sessionId,
        options.session.requestId,
      );
      if (record)
        return {
          kind: 'recorded',
          outcome: {
            success: true,
            value: jsonToConvex(JSON.parse(record.result) as JSONValue),
            logLines: [],
            ts: record.ts,
          },
        };
    }
    const tx = await this.#store.begin();
    const nowMs = Date.now();
    if (
      options.jobId !== undefined &&
      !(await transitionJob(
        tx,
        options.jobId,
        'pending',
        { kind: 'success' },
        nowMs,
      ))
    )
      return {
        kind: 'recorded',
        outcome: {
          success: false,
          errorMessage: `Scheduled job ${options.jobId} is no longer pending.`,
          logLines: [],
        },
      };
    const result = await body(tx);
    if (!result.success) return { kind: 'done', outcome: result };
    if (options.session) {
      tx.recordMutation(
        options.session.sessionId,
        options.session.requestId,
        JSON.stringify(convexToJson(result.value)),
      );
    }
    const committed = await tx.commit();
    if (committed.success)
      return { kind: 'done', outcome: { ...result, ts: committed.ts } };
    return {
      kind: 'conflict',
      conflict: committed.conflict,
      logLines: result.logLines,
    };
  }

  /** Runs an action: no transaction; its runQuery/runMutation/runAction calls are calls of their own. */
  runAction(
    path: string,
    args: Value,
    options: CallOptions & { jobId?: string } = {},
  ): Promise<FunctionResult> {
    return this.#inFlight.track(this.#runAction(path, args, options));
  }

  async #runAction(
    path: string,
    args: Value,
    options: CallOptions & { jobId?: string },
  ): Promise<FunctionResult> {
    const found = this.#resolve(path, 'action', options);
    if (!found.success) return { ...found, logLines: [] };
    const execution = this.#actionExecution(
      'action',
      found.fn.path,
      options.identity ?? null,
      options.jobId ?? null,
    );
    // Actions have no transaction; a snapshot still answers `v.id` table checks.
    const startedAt = performance.now();
    const catalog = await this.#store.begin();
    const result = await executeFunction(
      found.fn,
      args,
      catalog,
      execution,
      (argsJson) => found.fn.handle.invokeAction?.(randomUUID(), argsJson),
    );
    this.#report('action', found.fn.path, startedAt, result);
    return result;
  }

  /**
   * Answers a request with the app's HTTP action for it (the `http.ts`
   * router; convex-runtime.md §6), run as an action is: no transaction, its
   * calls each their own. No matching route is a 404, and a handler that
   * throws a 500 carrying the error, as on Convex.
   */
  runHttpAction(
    request: Request,
    options: CallOptions = {},
  ): Promise<HttpActionOutcome> {
    return this.#inFlight.track(this.#runHttpAction(request, options));
  }

  async #runHttpAction(
    request: Request,
    options: CallOptions,
  ): Promise<HttpActionOutcome> {
    const router = this.#loaded.httpRouter as HttpRouterLike | null;
    const { pathname } = new URL(request.url);
    const match = router?.lookup(pathname, request.method) ?? null;
    if (!match)
      return {
        response: new Response(`No HttpAction routed for ${pathname}`, {
          status: 404,
        }),
        logLines: [],
      };
    const [endpoint, , routedPath] = match;
    const path = `${request.method} ${routedPath}`;
    const execution = this.#actionExecution(
      'httpAction',
      path,
      options.identity ?? null,
      null,
    );
    const startedAt = performance.now();
    const { logLines } = execution;
    try {
      const response = await executions.run(execution, () =>
        endpoint.invokeHttpAction(request),
      );
      this.#report('httpAction', path, startedAt, { success: true, logLines });
      return { response, logLines };
    } catch (thrown) {
      const failure = failureFromThrown(thrown);
      this.#report('httpAction', path, startedAt, {
        success: false,
        logLines,
        errorMessage: failure.errorMessage,
      });
      return {
        response: new Response(failure.errorMessage, { status: 500 }),
        logLines,
      };
    }
  }

  /**
   * Resolves once the mutations, actions and HTTP actions running now have
   * finished (queries are not waited for: they change nothing), for a
   * server that is shutting down and must not close the store under them.
   */
  settled(): Promise<void> {
    return this.#inFlight.settled();
  }

  /** The execution of an action or HTTP action: real clock and randomness, calls of its own. */
  #actionExecution(
    kind: 'action' | 'httpAction',
    path: string,
    identity: Record<string, JSONValue> | null,
    jobId: string | null,
  ): ActionRun {
    return new ActionRun(this.#host(), kind, path, identity, jobId);
  }

  /** The kind of the function a path names (in any spelling), or null. */
  kindOf(path: string): FunctionKind | null {
    const parsed = parseUdfPath(path);
    return parsed.success
      ? (this.#loaded.functions.get(canonicalUdfPath(parsed.path))?.kind ??
          null)
      : null;
  }

  /**
   * `ctx.runQuery` / `ctx.runMutation` from a query or mutation: the callee
   * runs in the caller's transaction and sees its writes; if it fails, its
   * writes are rolled back and the caller gets the error to catch. A
   * `snapshotQuery` reads the caller's snapshot without its writes and adds
   * nothing to its read set.
   */
  async #runNested(
    caller: UdfRun,
    udfType: NestedUdfType,
    path: string,
    args: Value,
  ): Promise<FunctionResult> {
    const logLines = caller.logLines;
    if (caller.depth + 1 > MAX_NESTING_DEPTH)
      return {
        success: false,
        errorMessage: `Cannot call ${path}: functions may call one another at most ${MAX_NESTING_DEPTH} levels deep.`,
        logLines,
      };
    const kind = udfType === 'mutation' ? 'mutation' : 'query';
    if (caller.kind === 'query' && kind === 'mutation')
      return {
        success: false,
        errorMessage: `Cannot run mutation ${path} from a query.`,
        logLines,
      };
    const found = this.#resolve(path, kind, {});
    if (!found.success) return { ...found, logLines };
    const nested: InvokeOptions = {
      identity: caller.identity,
      journal: caller.previousJournal,
      depth: caller.depth + 1,
      logLines,
      jobId: caller.scheduledFunctionId,
    };
    if (udfType === 'snapshotQuery') {
      const snapshot = await this.#store.begin({ ts: caller.tx.snapshotTs });
      return this.#invoke(found.fn, snapshot, args, nested);
    }
    const mark = caller.tx.savepoint();
    const result = await this.#invoke(found.fn, caller.tx, args, nested);
    if (!result.success) mark.rollback();
    return result;
  }

  #resolve(
    path: string,
    kind: FunctionKind,
    options: CallOptions,
  ):
    | { success: true; fn: FunctionDefinition }
    | { success: false; errorMessage: string } {
    // Refused before any lookup, as Convex refuses it, whether or not it exists.
    if (isSystemPath(path) && !isSystemCaller(options))
      return { success: false, errorMessage: systemRefusal(kind) };
    const parsed = parseUdfPath(path);
    if (!parsed.success) return { success: false, errorMessage: parsed.error };
    const canonical = canonicalUdfPath(parsed.path);
    const fn = this.#loaded.functions.get(canonical);
    if (!fn || (options.fromClient && fn.visibility === 'internal')) {
      const visibility = options.fromClient ? 'public ' : '';
      return {
        success: false,
        errorMessage: `Could not find ${visibility}function for '${canonical}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`,
      };
    }
    if (fn.kind !== kind) {
      return {
        success: false,
        errorMessage: `Trying to execute ${canonical} as ${capitalised(kind)}, but it is defined as ${capitalised(fn.kind)}.`,
      };
    }
    return { success: true, fn };
  }

  /** The database ops of one run over `tx`, checking the deployed schema. */
  #database(
    tx: Transaction,
    kind: 'query' | 'mutation',
    journal: string | null,
  ): DatabaseSyscalls {
    return new DatabaseSyscalls(
      tx,
      kind,
      this.#indexes.search,
      this.#documentValidators,
      journal,
    );
  }

  async #invoke(
    fn: FunctionDefinition,
    tx: Transaction,
    args: Value,
    options: InvokeOptions,
  ): Promise<FunctionResult & { journal: string | null }> {
    if (fn.kind !== 'query' && fn.kind !== 'mutation')
      throw new Error(`${fn.path} is not a query or mutation`);
    const journal = options.journal ?? null;
    const database = this.#database(tx, fn.kind, journal);
    const run = new UdfRun(
      this.#host(),
      fn.kind,
      fn.path,
      tx,
      database,
      options,
    );
    const result = await executeFunction(fn, args, tx, run);
    return { ...result, journal: database.journal ?? journal };
  }
}

/** The lane of the document (or, for a range, the index) a conflict was on. */
function laneOf(conflict: Conflict): string {
  return `${conflict.table}\u0000${conflict.id || conflict.index}`;
}

/** Full jitter over an exponential window, so that retrying mutations spread out. */
function backoffMs(attempt: number): number {
  return (
    Math.random() * Math.min(FIRST_BACKOFF_MS * 2 ** attempt, MAX_BACKOFF_MS)
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function capitalised(kind: string): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}
