// Executors are the keeper's plugins for doing the work a job spec describes, chosen by `kind`.
// createExecutors builds the ones named in the keeper's capabilities; executeSpec dispatches a spec
// and refuses kinds this keeper does not serve. Specs, their canonical JSON and the JSON path
// dialect are the sdk's (`@baton/sdk`); results are encoded with its `encodeResult`.
import type { PublicClient } from "viem";
import { ContractCallExecutor, type ContractCallExecutorConfig } from "./contract-call.js";
import { HttpJsonExecutor, type HttpJsonExecutorConfig } from "./http-json.js";
import { ExecutionError, EXECUTOR_KINDS, type ExecutionContext, type ExecutionResult, type Executor } from "./types.js";
import { WasmExecutor, type WasmExecutorConfig } from "./wasm.js";

/**
 * The keeper passes `{ ...cfg.executors, capabilities, publicClients }`: every field of its
 * `executors` config section is a field here under the same name (`allowPrivateNetwork` included,
 * read by the http.json executor).
 */
export interface ExecutorsConfig
  extends
    Partial<WasmExecutorConfig>,
    HttpJsonExecutorConfig,
    Omit<Partial<ContractCallExecutorConfig>, "publicClients"> {
  /** Kinds to serve. A kind not listed gets no executor, whatever else is configured. */
  capabilities: readonly string[];
  /** Needed for contract.call: one client per chain id. */
  publicClients?: ReadonlyMap<number, PublicClient>;
}

/** Builds one executor per capability; throws on an unknown capability or missing configuration. */
export function createExecutors(config: ExecutorsConfig): Map<string, Executor> {
  const executors = new Map<string, Executor>();
  for (const kind of new Set(config.capabilities)) {
    switch (kind) {
      case "wasm":
        if (!config.cacheDir) throw new Error("the wasm executor needs cacheDir");
        executors.set(kind, new WasmExecutor({ ...config, cacheDir: config.cacheDir }));
        break;
      case "http.json":
        executors.set(kind, new HttpJsonExecutor(config));
        break;
      case "contract.call":
        if (!config.publicClients || config.publicClients.size === 0) {
          throw new Error("the contract.call executor needs at least one public client");
        }
        executors.set(kind, new ContractCallExecutor({ ...config, publicClients: config.publicClients }));
        break;
      default:
        throw new Error(`unknown executor kind ${JSON.stringify(kind)}; known: ${EXECUTOR_KINDS.join(", ")}`);
    }
  }
  return executors;
}

/** Runs `spec` with the executor for its kind; UNSUPPORTED when this keeper has none. */
export async function executeSpec(
  executors: ReadonlyMap<string, Executor>,
  spec: unknown,
  ctx: ExecutionContext,
): Promise<ExecutionResult> {
  const kind = typeof spec === "object" && spec !== null ? (spec as { kind?: unknown }).kind : undefined;
  const executor = typeof kind === "string" ? executors.get(kind) : undefined;
  if (!executor) {
    throw new ExecutionError("UNSUPPORTED", `this keeper does not run ${JSON.stringify(kind ?? null)} jobs`);
  }
  return executor.execute(spec, ctx);
}

export { ContractCallExecutor, toJson, type ContractCallExecutorConfig } from "./contract-call.js";
export { HttpJsonExecutor, type HttpJsonExecutorConfig } from "./http-json.js";
export { WasmExecutor, type WasmExecutorConfig } from "./wasm.js";
export * from "./types.js";
