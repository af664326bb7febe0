// contract.call against a real Hardhat node: deploys the repository's TestToken, mints, then reads
// through the executor. The node runs on a free port on 127.0.0.1 and is stopped afterwards.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  custom,
  http,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { hardhat } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContractCallExecutor } from "../src/executors/index.js";
import { ROOT } from "@baton/testkit/devnet";
import { freePort } from "@baton/testkit/process";
import { ctx, failure } from "./helpers/executors.js";

const artifactPath = path.join(ROOT, "artifacts/contracts/mocks/TestToken.sol/TestToken.json");

/** Starts `hardhat node` on a free port and resolves once it serves JSON-RPC. */
async function startNode(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(
    path.join(ROOT, "node_modules/.bin/hardhat"),
    ["node", "--hostname", "127.0.0.1", "--port", String(port)],
    { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hardhat node did not start:\n${log}`)), 45_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("Started HTTP")) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners("data");
        child.stdout!.resume(); // keep draining so the node never blocks on a full pipe
        resolve();
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`hardhat node exited (${code}):\n${log}`));
    });
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function stopNode(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid, "SIGTERM"); // its own process group: the node and anything it spawned
  await exited;
}

let node: { child: ChildProcess; url: string } | undefined;
let client: PublicClient;
let executor: ContractCallExecutor;
let token: Address;
let holder: Address;
let blockBeforeMint: bigint;
const MINTED = 1_234_567_890_123_456_789_012_345n; // beyond 2^53: must come back as an exact decimal string

const call = (signature: string, args: unknown[] = [], extra: Record<string, unknown> = {}) => ({
  kind: "contract.call",
  version: 1,
  chainId: 31337,
  to: token,
  signature,
  args,
  ...extra,
});

beforeAll(async () => {
  if (!existsSync(artifactPath)) {
    // Artifacts are build output (not committed); the contract suite normally compiles them first.
    const compiled = spawnSync(path.join(ROOT, "node_modules/.bin/hardhat"), ["compile", "--quiet"], { cwd: ROOT });
    if (compiled.status !== 0) throw new Error(`hardhat compile failed:\n${compiled.stderr}`);
  }
  const artifact = JSON.parse(readFileSync(artifactPath, "utf8")) as { abi: Abi; bytecode: Hex };
  node = await startNode();
  client = createPublicClient({ chain: hardhat, transport: http(node.url, { retryCount: 0 }) });
  // The node's accounts are unlocked: it signs what the first of them sends.
  [holder] = await createWalletClient({ chain: hardhat, transport: http(node.url) }).getAddresses();
  const wallet = createWalletClient({ account: holder, chain: hardhat, transport: http(node.url) });
  const deployHash = await wallet.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args: ["Baton Test", "BTT", 6],
  });
  token = (await client.waitForTransactionReceipt({ hash: deployHash })).contractAddress!;
  blockBeforeMint = await client.getBlockNumber();
  const mintHash = await wallet.writeContract({
    address: token,
    abi: artifact.abi,
    functionName: "mint",
    args: [holder, MINTED],
  });
  await client.waitForTransactionReceipt({ hash: mintHash });
  executor = new ContractCallExecutor({ publicClients: new Map([[31337, client]]) });
}, 90_000);

afterAll(async () => {
  await stopNode(node?.child);
}, 15_000);

describe("contract.call against a Hardhat node", () => {
  it("reads balances as exact decimal strings", async () => {
    const { output } = await executor.execute(
      call("function balanceOf(address) view returns (uint256)", [holder]),
      ctx(),
    );
    expect(output).toBe(MINTED.toString());
  });

  it("reads small integers and strings", async () => {
    const decimals = await executor.execute(call("function decimals() view returns (uint8)"), ctx());
    expect(decimals.output).toBe("6");
    const name = await executor.execute(call("function name() view returns (string)"), ctx());
    expect(name.output).toBe("Baton Test");
    const allowance = await executor.execute(
      call("function allowance(address owner, address spender) view returns (uint256)", [holder, token]),
      ctx(),
    );
    expect(allowance.output).toBe("0");
  });

  it("reads at the requested block tag, and only at the tags the spec schema allows", async () => {
    const signature = "function totalSupply() view returns (uint256)";
    const latest = await executor.execute(call(signature, [], { blockTag: "latest" }), ctx());
    expect(latest.output).toBe(MINTED.toString());
    for (const blockTag of ["safe", "finalized"]) {
      const { output } = await executor.execute(call(signature, [], { blockTag }), ctx());
      expect(output, blockTag).toMatch(/^(0|[1-9][0-9]*)$/);
    }
    for (const blockTag of [blockBeforeMint.toString(), Number(blockBeforeMint), "pending", "earliest"]) {
      const error = await failure(executor.execute(call(signature, [], { blockTag }), ctx()));
      expect([error.code, error.message], String(blockTag)).toEqual([
        "BAD_INPUT",
        'invalid job spec: blockTag: must be "latest", "safe" or "finalized"',
      ]);
    }
  });

  it("reports a revert as CALL_FAILED, not retryable", async () => {
    // transfer declared as view: moving more than anyone holds reverts with ERC20InsufficientBalance.
    const tooMuch = (MINTED + 1n).toString();
    const error = await failure(
      executor.execute(call("function transfer(address,uint256) view returns (bool)", [holder, tooMuch]), ctx()),
    );
    expect([error.code, error.retryable]).toEqual(["CALL_FAILED", false]);
    expect(error.message).toContain("reverted");
    const unknown = await failure(executor.execute(call("function nope() view returns (uint256)"), ctx()));
    expect([unknown.code, unknown.retryable]).toEqual(["CALL_FAILED", false]);
  });

  it("reports a call to an address without code as CALL_FAILED", async () => {
    const error = await failure(
      executor.execute(
        { ...call("function decimals() view returns (uint8)"), to: "0x000000000000000000000000000000000000dEaD" },
        ctx(),
      ),
    );
    expect([error.code, error.retryable]).toEqual(["CALL_FAILED", false]);
    expect(error.message).toContain("no data");
  });

  it("refuses chains it has no client for", async () => {
    const error = await failure(
      executor.execute({ ...call("function decimals() view returns (uint8)"), chainId: 1 }, ctx()),
    );
    expect(error.code).toBe("UNSUPPORTED");
  });

  it("refuses functions that are not view or pure", async () => {
    const error = await failure(executor.execute(call("function mint(address,uint256)", [holder, "1"]), ctx()));
    expect(error.code).toBe("UNSUPPORTED");
  });

  it("refuses bad signatures and arguments with BAD_INPUT", async () => {
    const balanceOf = "function balanceOf(address) view returns (uint256)";
    const cases = [
      call("function balanceOf(address view returns", [holder]),
      call("event Transfer(address indexed from, address indexed to, uint256 value)", []),
      call(balanceOf, []),
      call(balanceOf, ["0x1234"]),
      call("function f(uint8) view returns (uint256)", ["256"]),
      call("function f(uint256) view returns (uint256)", ["-1"]),
      call("function f(uint256) view returns (uint256)", [1.5]),
      call("function f(bytes4) view returns (uint256)", ["0x1234"]),
      { ...call(balanceOf, [holder]), to: "0xnot-an-address" },
    ];
    for (const spec of cases) {
      expect((await failure(executor.execute(spec, ctx()))).code, JSON.stringify(spec.args)).toBe("BAD_INPUT");
    }
  });
});

describe("contract.call transport failures", () => {
  const spec = {
    kind: "contract.call",
    version: 1,
    chainId: 31337,
    to: "0x000000000000000000000000000000000000dEaD",
    signature: "function decimals() view returns (uint8)",
    args: [],
  };

  it("reports an unreachable RPC as retryable CALL_FAILED", async () => {
    const port = await freePort();
    const down = createPublicClient({ transport: http(`http://127.0.0.1:${port}`, { retryCount: 0 }) });
    const error = await failure(
      new ContractCallExecutor({ publicClients: new Map([[31337, down]]) }).execute(spec, ctx()),
    );
    expect([error.code, error.retryable]).toEqual(["CALL_FAILED", true]);
  });

  it("gives up on an RPC that never answers with a retryable TIMEOUT", async () => {
    const silent = createPublicClient({ transport: custom({ request: () => new Promise(() => {}) }) });
    const slow = new ContractCallExecutor({ publicClients: new Map([[31337, silent]]), callTimeoutMs: 200 });
    const started = Date.now();
    const error = await failure(slow.execute(spec, ctx()));
    expect([error.code, error.retryable]).toEqual(["TIMEOUT", true]);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("refuses a client whose chain differs from its key", () => {
    const mainnetKeyed = createPublicClient({ chain: hardhat, transport: http("http://127.0.0.1:1") });
    expect(() => new ContractCallExecutor({ publicClients: new Map([[1, mainnetKeyed]]) })).toThrow(/chain 31337/);
  });
});
