// The contracts' Hardhat build: artifacts (ABI and bytecode) and the compiler's AST of a source.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Abi, Hex } from "viem";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** `artifacts/contracts` under the repository root. */
export const artifactsDir = path.join(root, "artifacts", "contracts");

/** Whether the contracts have been compiled (tests that deploy skip without a build). */
export const hasArtifacts = existsSync(artifactsDir);

/** Compiles the contracts when their artifacts are missing (a fresh clone running one suite). */
export function ensureArtifacts(): void {
  if (existsSync(path.join(artifactsDir, "JobMarket.sol", "JobMarket.json"))) return;
  const r = spawnSync(path.join(root, "node_modules", ".bin", "hardhat"), ["compile", "--quiet"], {
    cwd: root,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`hardhat compile failed:\n${r.stdout}\n${r.stderr}`);
}

/**
 * The ABI and bytecode of the contract a file under `contracts/` defines, e.g.
 * `artifact("mocks/TestToken.sol")`; `name` defaults to the file's base name.
 */
export function artifact(file: string, name = path.basename(file, ".sol")): { abi: Abi; bytecode: Hex } {
  const json = JSON.parse(readFileSync(path.join(artifactsDir, file, `${name}.json`), "utf8")) as {
    abi: Abi;
    bytecode: Hex;
  };
  return { abi: json.abi, bytecode: json.bytecode };
}

type AstNode = { nodeType: string; name?: string; nodes?: AstNode[]; members?: AstNode[] };

/**
 * The member names of `enum <name>` declared in `contract` (a contract or interface) of `source`
 * (e.g. `contracts/interfaces/IJobMarket.sol`), in declaration order, read from the compiler's AST
 * in Hardhat's build info.
 */
export function solidityEnumMembers(source: string, contract: string, name: string): string[] {
  const buildInfoDir = path.join(root, "artifacts", "build-info");
  for (const file of readdirSync(buildInfoDir)) {
    const info = JSON.parse(readFileSync(path.join(buildInfoDir, file), "utf8")) as {
      output: { sources: Record<string, { ast: AstNode }> };
    };
    const ast = info.output.sources[source]?.ast;
    if (!ast) continue;
    const definition = ast.nodes
      ?.find((n) => n.nodeType === "ContractDefinition" && n.name === contract)
      ?.nodes?.find((n) => n.nodeType === "EnumDefinition" && n.name === name);
    if (!definition) throw new Error(`enum ${contract}.${name} not found in ${source}`);
    return (definition.members ?? []).map((m) => m.name!);
  }
  throw new Error(`${source} is not in artifacts/build-info: compile the contracts first`);
}
