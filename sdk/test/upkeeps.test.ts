// The sdk's upkeep helpers: validation before sending, and register → read → fund → pause →
// cancel on a real Hardhat node, with the sdk's encodings checked against the registry's own.
import {
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  keccak256,
  parseEther,
  stringToHex,
  type Address,
} from "viem";
import { hardhat } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasArtifacts } from "@baton/testkit/artifacts";
import { account, deployBaton, startHardhatNode, type HardhatNode } from "@baton/testkit/devnet";
import { automationRegistryAbi, automationTestTargetAbi } from "../src/generated/abis.js";
import { CronError } from "../src/automation/cron.js";
import { encodeCall } from "../src/calls.js";
import {
  computeLeaseCommitment,
  dueTick,
  encodeTrigger,
  idleReasons,
  nextTick,
  prepareAddFunds,
  prepareCancelUpkeep,
  prepareRegisterUpkeep,
  prepareSetPaused,
  readAutomationParams,
  readUpkeep,
  UpkeepValidationError,
  type UpkeepState,
} from "../src/automation/upkeeps.js";

const ANY = "0x00000000000000000000000000000000000000aa" as Address;
const base = {
  target: ANY,
  performGasLimit: 200_000,
  maxGasPrice: 100_000_000_000n,
  maxPremium: 10n ** 12n,
  balance: parseEther("0.1"),
};

describe("upkeep registration is validated before anything is sent", () => {
  it("names the cron field that fails, as the contract would", () => {
    const err = (() => {
      try {
        prepareRegisterUpkeep(ANY, { ...base, trigger: { kind: "cron", expression: "0 25 * * *" } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CronError);
    expect((err as CronError).field).toBe(1);
  });

  it.each([
    [{ ...base, trigger: { kind: "interval", seconds: 2 } }, "trigger.seconds"],
    [{ ...base, trigger: { kind: "condition" }, performGasLimit: 9_999 }, "performGasLimit"],
    [{ ...base, trigger: { kind: "condition" }, performGasLimit: 6_000_000 }, "performGasLimit"],
    [{ ...base, trigger: { kind: "condition" }, checkData: `0x${"00".repeat(2049)}` }, "checkData"],
    [{ ...base, trigger: { kind: "interval", seconds: 60 }, checkData: "0x01" }, "checkData"],
    [{ ...base, trigger: { kind: "condition" }, maxGasPrice: 0n }, "maxGasPrice"],
    [{ ...base, trigger: { kind: "condition" }, balance: 0n }, "balance"],
  ] as const)("rejects %#: %s", (registration, field) => {
    expect(() => prepareRegisterUpkeep(ANY, registration as never)).toThrow(UpkeepValidationError);
    try {
      prepareRegisterUpkeep(ANY, registration as never);
    } catch (e) {
      expect((e as UpkeepValidationError).field).toBe(field);
    }
  });

  it("encodes a log filter's optional topics as a mask", () => {
    const t = keccak256(stringToHex("x"));
    const { kind, data } = encodeTrigger({
      kind: "log",
      filter: { emitter: ANY, topic0: t, topics: [null, t] },
    });
    expect(kind).toBe(3);
    // Six words: emitter, topic0, three topics, mask (= 0b10).
    expect(data.length).toBe(2 + 6 * 64);
    expect(data.endsWith("2")).toBe(true);
  });
});

describe("time triggers", () => {
  const interval = { kind: "interval", trigger: 60n, cursor: 0n } as Pick<UpkeepState, "kind" | "trigger" | "cursor">;
  it("performs the latest due interval tick, once", () => {
    expect(dueTick(interval, 1_000_030)).toBe(1_000_020n);
    expect(dueTick({ ...interval, cursor: 1_000_020n }, 1_000_030)).toBeNull();
    expect(nextTick(interval, 1_000_030)).toBe(1_000_080n);
  });

  it("explains an idle upkeep", () => {
    const upkeep = {
      id: 1n,
      kind: "interval",
      status: "paused",
      trigger: 60n,
      cursor: 1_000_020n,
      balance: 1n,
      performGasLimit: 100_000,
      maxGasPrice: 10n,
    } as UpkeepState;
    const reasons = idleReasons({
      upkeep,
      params: { performOverheadGas: 35_000 },
      gasPrice: 20n,
      premium: 0n,
      now: 1_000_030,
      leaseHolder: "0x0000000000000000000000000000000000000000",
    }).map((r) => r.code);
    expect(reasons).toEqual(["paused", "underfunded", "gas-price-above-ceiling", "not-due", "no-lease"]);
  });
});

describe.skipIf(!hasArtifacts)("upkeeps on a real node", () => {
  let node: HardhatNode;
  let registry: Address;
  const client = () => createPublicClient({ chain: hardhat, transport: http(node.url) });
  const wallet = () => createWalletClient({ chain: hardhat, transport: http(node.url), account: account(1) });

  beforeAll(async () => {
    node = await startHardhatNode();
    registry = (await deployBaton(node.url)).automation;
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
  });

  it("registers, reads, funds, pauses and cancels an upkeep", async () => {
    const pub = client();
    const w = wallet();
    const { artifact } = await import("@baton/testkit/artifacts");
    const { abi, bytecode } = artifact("mocks/AutomationTargets.sol", "AutomationTestTarget");
    const hash = await w.deployContract({ abi, bytecode, account: account(1), chain: hardhat });
    const target = getAddress((await pub.waitForTransactionReceipt({ hash })).contractAddress!);

    const write = prepareRegisterUpkeep(registry, {
      ...base,
      target,
      trigger: { kind: "cron", expression: "*/5 * * * 1-5" },
    });
    await pub.waitForTransactionReceipt({ hash: await w.writeContract(write) });
    const u = await readUpkeep(pub, registry, 1n);
    expect(u).toMatchObject({
      owner: account(1).address,
      target,
      kind: "cron",
      status: "active",
      balance: base.balance,
    });
    expect(u.forwarder).toBe(
      await pub.readContract({
        address: registry,
        abi: automationRegistryAbi,
        functionName: "forwarderOf",
        args: [1n],
      }),
    );

    await pub.waitForTransactionReceipt({
      hash: await w.sendTransaction(encodeCall(prepareAddFunds(registry, 1n, 5n))),
    });
    await pub.waitForTransactionReceipt({
      hash: await w.sendTransaction(encodeCall(prepareSetPaused(registry, 1n, true))),
    });
    expect((await readUpkeep(pub, registry, 1n)).status).toBe("paused");
    await pub.waitForTransactionReceipt({
      hash: await w.sendTransaction(encodeCall(prepareCancelUpkeep(registry, 1n))),
    });
    const canceled = await readUpkeep(pub, registry, 1n);
    expect(canceled).toMatchObject({ status: "canceled", balance: base.balance + 5n });

    const params = await readAutomationParams(pub, registry);
    expect(params.epoch).toBeGreaterThan(params.commitWindow + params.revealWindow);
    const salt = keccak256(stringToHex("salt"));
    expect(computeLeaseCommitment(1n, 7, account(2).address, 123n, salt)).toBe(
      await pub.readContract({
        address: registry,
        abi: automationRegistryAbi,
        functionName: "computeLeaseCommitment",
        args: [1n, 7, account(2).address, 123n, salt],
      }),
    );
    // The test target's ABI is exported for the demo and the dApp.
    expect(automationTestTargetAbi.some((e) => e.type === "function" && e.name === "performUpkeep")).toBe(true);
  }, 60_000);
});
