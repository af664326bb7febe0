// Which wasm modules the forms offer: the configured ones less those that exist only to test a
// keeper's limits (they never produce a result), with a default that does work.
import type { WasmModule } from "../config/runtime.ts";

/** Modules a person may pick: every configured module but the test-only ones, in order. */
export function offeredModules(modules: readonly WasmModule[]): WasmModule[] {
  return modules.filter((m) => !m.testOnly);
}

/** Preferred defaults, in order: a word count is the simplest job that shows a result. */
const PREFERRED = ["wordfreq", "primes"];

/** The module a new job or step starts with: a preferred working module, else the first offered. */
export function defaultModule(modules: readonly WasmModule[]): WasmModule | undefined {
  const offered = offeredModules(modules);
  for (const name of PREFERRED) {
    const found = offered.find((m) => m.name === name);
    if (found) return found;
  }
  return offered[0];
}
