/**
 * executeFunction: one run of a registered function's code in an execution
 * (execution.ts): its arguments checked against the size limit and validated
 * against `args`, the code started with them as JSON, the 1 s limit and the
 * never-settling check for queries and mutations (execution-guard.ts), and
 * the result decoded, checked against the size limit and validated against
 * `returns`. Whatever user code throws becomes a failure value, in Convex's
 * words; nothing is committed here.
 */
import {
  type JSONValue,
  type Value,
  convexToJson,
  jsonToConvex,
} from 'convex/values';
import { type Execution, executions } from './execution.ts';
import { ExecutionEnded, ExecutionGuard } from './execution-guard.ts';
import { failureFromThrown } from './function-failure.ts';
import type { FunctionResult } from './function-result.ts';
import { argumentsTooLarge, resultTooLarge } from './function-size-limits.ts';
import type { FunctionDefinition } from './load-functions.ts';
import {
  type ValidationContext,
  type ValidatorJson,
  validationError,
} from './validator.ts';

/** How a function's code starts, given its arguments' JSON; undefined when it cannot run as its kind. */
export type Start = (argsJson: string) => Promise<string> | undefined;

/**
 * Runs the function's code in the execution between the two validations:
 * through `start`, or for a query or mutation its own entry point.
 */
export async function executeFunction(
  fn: FunctionDefinition,
  args: Value,
  context: ValidationContext,
  execution: Execution,
  start: Start | null = null,
): Promise<FunctionResult> {
  const { logLines } = execution;
  const oversized = argumentsTooLarge(fn.path, args);
  if (oversized !== null)
    return { success: false, errorMessage: oversized, logLines };
  const invalidArgs = validated(
    'ArgumentValidationError',
    fn.args,
    args,
    context,
    logLines,
  );
  if (invalidArgs) return invalidArgs;
  let argsJson: string;
  try {
    argsJson = JSON.stringify([convexToJson(args)]);
  } catch (error) {
    return {
      success: false,
      errorMessage: `ArgumentValidationError: ${error instanceof Error ? error.message : String(error)}`,
      logLines,
    };
  }
  // Actions may wait on timers and the network as long as they like; queries and mutations may not.
  const guard =
    fn.kind === 'query' || fn.kind === 'mutation' ? new ExecutionGuard() : null;
  if (guard) execution.guard = guard;
  try {
    const running = executions.run(execution, begin, fn, start, argsJson);
    const resultJson = await (guard ? guard.watch(running) : running);
    const value = jsonToConvex(JSON.parse(resultJson) as JSONValue);
    const tooLarge = resultTooLarge(fn.path, value);
    if (tooLarge !== null)
      return { success: false, errorMessage: tooLarge, logLines };
    return (
      validated(
        'ReturnsValidationError',
        fn.returns,
        value,
        context,
        logLines,
      ) ?? { success: true, value, logLines }
    );
  } catch (thrown) {
    if (thrown instanceof ExecutionEnded)
      return { success: false, errorMessage: thrown.message, logLines };
    return { success: false, ...failureFromThrown(thrown), logLines };
  }
}

/** The code started, in the execution: a function that cannot run as its kind is a bug of the caller's. */
function begin(
  fn: FunctionDefinition,
  start: Start | null,
  argsJson: string,
): Promise<string> {
  const pending = start
    ? start(argsJson)
    : fn.kind === 'query'
      ? fn.handle.invokeQuery?.(argsJson)
      : fn.kind === 'mutation'
        ? fn.handle.invokeMutation?.(argsJson)
        : undefined;
  if (!pending) throw new Error(`${fn.path} cannot be invoked as a ${fn.kind}`);
  return pending;
}

/** The failure of a value that does not match its validator (none: anything goes), or null. */
function validated(
  kind: 'ArgumentValidationError' | 'ReturnsValidationError',
  validator: ValidatorJson | null,
  value: Value,
  context: ValidationContext,
  logLines: string[],
): FunctionResult | null {
  const problem =
    validator === null ? null : validationError(validator, value, context);
  return problem === null
    ? null
    : { success: false, errorMessage: `${kind}: ${problem}`, logLines };
}
