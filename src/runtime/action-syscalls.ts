/**
 * The syscalls of actions (convex-runtime.md §2.4): an action has no
 * database; each `ctx.runQuery`, `ctx.runMutation` and `ctx.runAction` it
 * makes is a call of its own (a query at the latest snapshot, a mutation in
 * its own transaction with retries), which may reach internal functions.
 *
 * A call that fails rejects with an `Error` whose `data` is the value JSON of
 * a `ConvexError`, which `convex/server` turns back into a `ConvexError` in
 * the action.
 */
import {
  type JSONValue,
  type Value,
  convexToJson,
  jsonToConvex,
} from 'convex/values';
import type { FunctionResult } from './function-result.ts';

/** What an action may call: the runner, seen through the calls an action makes. */
export interface ActionCalls {
  query(path: string, args: Value): Promise<FunctionResult>;
  mutation(path: string, args: Value): Promise<FunctionResult>;
  action(path: string, args: Value): Promise<FunctionResult>;
}

export class ActionSyscalls {
  readonly #calls: ActionCalls;
  readonly #identity: Record<string, JSONValue> | null;

  constructor(calls: ActionCalls, identity: Record<string, JSONValue> | null) {
    this.#calls = calls;
    this.#identity = identity;
  }

  syscall(op: string): string {
    throw new Error(`Unknown operation ${op}`);
  }

  async asyncSyscall(op: string, argsJson: string): Promise<string> {
    const args = JSON.parse(argsJson) as Record<string, JSONValue>;
    switch (op) {
      case '1.0/actions/query':
        return resultJson(
          await this.#calls.query(functionName(args), callArgs(args)),
        );
      case '1.0/actions/mutation':
        return resultJson(
          await this.#calls.mutation(functionName(args), callArgs(args)),
        );
      case '1.0/actions/action':
        return resultJson(
          await this.#calls.action(functionName(args), callArgs(args)),
        );
      case '1.0/getUserIdentity':
        return JSON.stringify(this.#identity);
      default:
        throw new Error(`Unknown async operation ${op}`);
    }
  }
}

/** The function an action calls: `name` (a path) is what api references produce. */
function functionName(args: Record<string, JSONValue>): string {
  const name = args['name'];
  if (typeof name === 'string') return name;
  throw new Error(
    `Calling functions by ${'reference' in args ? 'component reference' : 'function handle'} is not supported yet.`,
  );
}

function callArgs(args: Record<string, JSONValue>): Value {
  return jsonToConvex(args['args'] ?? {});
}

function resultJson(result: FunctionResult): string {
  if (result.success) return JSON.stringify(convexToJson(result.value));
  const error = new Error(result.errorMessage) as Error & { data?: JSONValue };
  if (result.errorData !== undefined)
    error.data = convexToJson(result.errorData);
  throw error;
}
