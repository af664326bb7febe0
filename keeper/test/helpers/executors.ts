import { pino } from "pino";
import { expect } from "vitest";
import { ExecutionError, type ExecutionContext } from "../../src/executors/index.js";

const logger = pino({ level: "silent" });

/** An execution context with a silent logger, cancelled through `signal`. */
export const ctx = (signal = new AbortController().signal): ExecutionContext => ({ signal, logger });

/** Runs `promise`, expecting an ExecutionError, and returns it. */
export async function failure(promise: Promise<unknown>): Promise<ExecutionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExecutionError);
  return error as ExecutionError;
}
