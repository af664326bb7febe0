// The indexer's upkeep tables against the automation registry: upkeeps of every trigger kind
// registered, funded, performed (successfully and with a reverting target), paused and resumed,
// canceled and withdrawn, and a lease auctioned with a forfeited bid, on a real Hardhat node with
// the indexer following it as `ponder start`. Twice, midway and at the end, every `upkeeps` row is
// compared with `getUpkeep`, `checkDataOf` and `getLease` at the indexed block, and every
// `upkeep_performs` row with the chain's `UpkeepPerformed` and `UpkeepTargetReverted` events.
// INDEXER_TEST_LOG=<file> keeps the indexer's output.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readContract } from "viem/actions";
import {
  decodeErrorResult,
  encodeEventTopics,
  pad,
  parseEther,
  parseGwei,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import {
  automationCall,
  automationRegistryAbi,
  computeLeaseCommitment,
  prepareAddFunds,
  prepareCancelUpkeep,
  prepareRegisterUpkeep,
  prepareSetPaused,
  prepareWithdrawFunds,
  upkeepFromChain,
  type Trigger,
} from "@baton/sdk";
import { writeAddressBook } from "@baton/sdk/node";
import { artifact } from "@baton/testkit/artifacts";
import { account, deployBaton, startDevnet, type Deployment, type Devnet } from "@baton/testkit/devnet";
import { graphqlQuery, startIndexer, waitForBlock, type RunningIndexer } from "../launch";

const OWNER = 1;
const FUNDER = 2;
const RECIPIENT = 3;
/** Keepers staked in the registry; the last two bid on a lease (one never reveals). */
const KEEPERS = [8, 9, 10];

let net: Devnet;
let dep: Deployment;
let indexer: RunningIndexer | undefined;
const dir = mkdtempSync(path.join(tmpdir(), "baton-indexer-upkeeps-"));
const target = artifact("mocks/AutomationTargets.sol", "AutomationTestTarget");
/** Comparisons made, with what the chain said (for the coverage checks). */
const checked: { head: bigint; upkeeps: UpkeepRow[]; performs: PerformRow[] }[] = [];

type Write = { address: Address; abi: Abi; functionName: string; args?: readonly unknown[]; value?: bigint };

async function send(index: number, write: Write) {
  const wallet = net.wallet(index);
  const call = { ...write, account: wallet.account!, chain: net.chain } as never;
  // Simulating first turns a revert into the contract's decoded custom error.
  const { request } = await net.publicClient.simulateContract(call);
  // A fixed gas limit: a perform needs its target's gas limit and 1/63 more left at the call.
  const hash = await wallet.writeContract({ ...(request as object), gas: 3_000_000n } as never);
  const receipt = await net.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${write.functionName} reverted`);
  return receipt;
}

const registry = (functionName: string, args: readonly unknown[] = [], value?: bigint): Write =>
  automationCall(dep.automation, functionName as never, args as never, value as never) as Write;

const now = async () => (await net.publicClient.getBlock()).timestamp;

/** Mines an empty block at `timestamp`: the next transaction is simulated, then mined, after it. */
async function mineAt(timestamp: bigint) {
  await net.testClient.setNextBlockTimestamp({ timestamp });
  await net.testClient.mine({ blocks: 1 });
}

async function deployTarget(): Promise<Address> {
  const wallet = net.wallet(OWNER);
  const hash = await wallet.deployContract({ ...target, account: wallet.account!, chain: net.chain });
  return (await net.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
}

async function register(
  targetAddress: Address,
  trigger: Trigger,
  balance: bigint,
  extra: { checkData?: Hex; maxPremium?: bigint } = {},
): Promise<bigint> {
  const write = prepareRegisterUpkeep(dep.automation, {
    target: targetAddress,
    trigger,
    performGasLimit: 200_000,
    maxGasPrice: parseGwei("50"),
    maxPremium: extra.maxPremium ?? 10n ** 12n,
    balance,
    ...(extra.checkData ? { checkData: extra.checkData } : {}),
  });
  const receipt = await send(OWNER, write as Write);
  const count = await readContract(net.publicClient, {
    address: dep.automation,
    abi: automationRegistryAbi,
    functionName: "upkeepCount",
    blockNumber: receipt.blockNumber,
  });
  return count;
}

const setMode = (targetAddress: Address, mode: number) =>
  send(OWNER, { address: targetAddress, abi: target.abi, functionName: "setMode", args: [mode] });

/** Performs the condition upkeep `id`; an empty block first, as a node simulates at the latest block. */
async function performCondition(keeper: number, id: bigint) {
  await net.testClient.mine({ blocks: 1 });
  return send(keeper, registry("performCondition", [id, "0x"]));
}

/** Performs the interval upkeep `id` just after its next tick. */
async function performInterval(keeper: number, id: bigint, seconds: bigint) {
  const t = (await now()) + seconds;
  const tick = t - (t % seconds);
  await mineAt(tick + 1n);
  await send(keeper, registry("performTime", [id, tick]));
}

// GraphQL serves bigints as decimal strings and hex lowercase.
type UpkeepRow = {
  id: string;
  owner: Address;
  target: Address;
  forwarder: Address;
  kind: string;
  status: string;
  performGasLimit: number;
  maxGasPrice: string;
  maxPremium: string;
  balance: string;
  cursor: string;
  checkData: Hex;
  trigger: string;
  withdrawableAt: number;
  performCount: number;
  failedPerformCount: number;
  lastPerformBlock: string | null;
  leaseEpoch: number | null;
  leaseHolder: Address | null;
  leasePremium: string | null;
  registeredBlock: string;
};
type PerformRow = {
  id: string;
  upkeepId: string;
  keeper: Address;
  success: boolean;
  trigger: string;
  targetGas: string;
  payment: string;
  premium: string;
  revertReason: Hex | null;
  block: string;
  tx: Hex;
  logIndex: number;
};
const UPKEEP_COLUMNS =
  "id owner target forwarder kind status performGasLimit maxGasPrice maxPremium balance cursor checkData trigger " +
  "withdrawableAt performCount failedPerformCount lastPerformBlock leaseEpoch leaseHolder leasePremium registeredBlock";
const PERFORM_COLUMNS = "id upkeepId keeper success trigger targetGas payment premium revertReason block tx logIndex";

const lower = (value: string) => value.toLowerCase();

async function all<T>(field: string, columns: string): Promise<T[]> {
  const data = await graphqlQuery<Record<string, { items: T[] }>>(
    indexer!.url,
    `{ ${field}(limit: 1000) { items { ${columns} } } }`,
  );
  return data[field]!.items;
}

/** Waits for the indexer to reach the head, then compares every row with the chain at that block. */
async function compareWithChain() {
  const head = await net.publicClient.getBlockNumber();
  await waitForBlock(indexer!, head, 90_000);
  const read = <T>(functionName: string, args: readonly unknown[]) =>
    readContract(net.publicClient, {
      address: dep.automation,
      abi: automationRegistryAbi,
      functionName: functionName as never,
      args: args as never,
      blockNumber: head,
    }) as Promise<T>;

  // The performs: one row per UpkeepPerformed, with the reason of the UpkeepTargetReverted after it.
  const events = { fromBlock: dep.deploymentBlock, toBlock: head, address: dep.automation } as const;
  const performed = await net.publicClient.getContractEvents({
    ...events,
    abi: automationRegistryAbi,
    eventName: "UpkeepPerformed",
  });
  const reverted = await net.publicClient.getContractEvents({
    ...events,
    abi: automationRegistryAbi,
    eventName: "UpkeepTargetReverted",
  });
  const reasons = new Map(reverted.map((e) => [`${e.transactionHash}:${e.logIndex - 1}`, e.args.reason!]));
  const performs = (await all<PerformRow>("upkeepPerforms", PERFORM_COLUMNS)).sort((a, b) =>
    a.block === b.block ? a.logIndex - b.logIndex : Number(BigInt(a.block) - BigInt(b.block)),
  );
  expect(performs.map((p) => lower(p.id))).toEqual(performed.map((e) => `${e.transactionHash}:${e.logIndex}`));
  performs.forEach((p, i) => {
    const e = performed[i]!;
    expect({
      upkeepId: BigInt(p.upkeepId),
      keeper: lower(p.keeper),
      success: p.success,
      trigger: BigInt(p.trigger),
      targetGas: BigInt(p.targetGas),
      payment: BigInt(p.payment),
      premium: BigInt(p.premium),
      revertReason: p.revertReason && lower(p.revertReason),
      block: BigInt(p.block),
      tx: lower(p.tx),
    }).toEqual({
      upkeepId: e.args.upkeepId,
      keeper: lower(e.args.keeper!),
      success: e.args.success,
      trigger: e.args.trigger,
      targetGas: e.args.targetGas,
      payment: e.args.payment,
      premium: e.args.premium,
      revertReason: reasons.get(`${e.transactionHash}:${e.logIndex}`) ?? null,
      block: e.blockNumber,
      tx: e.transactionHash,
    });
  });
  expect(performs.filter((p) => p.revertReason !== null).length).toBe(reverted.length);

  // The upkeeps: getUpkeep, checkDataOf and the lease of the latest epoch auctioned.
  const upkeeps = (await all<UpkeepRow>("upkeeps", UPKEEP_COLUMNS)).sort((a, b) => Number(a.id) - Number(b.id));
  const count = await read<bigint>("upkeepCount", []);
  expect(upkeeps.map((u) => BigInt(u.id))).toEqual(Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1)));
  for (const row of upkeeps) {
    const id = BigInt(row.id);
    const v = upkeepFromChain(id, await read("getUpkeep", [id]));
    const checkData = await read<Hex>("checkDataOf", [id]);
    const own = performs.filter((p) => p.upkeepId === row.id);
    const lease =
      row.leaseEpoch === null
        ? null
        : await read<{ holder: Address; premium: bigint }>("getLease", [id, row.leaseEpoch]);
    expect({
      id,
      owner: lower(row.owner),
      target: lower(row.target),
      forwarder: lower(row.forwarder),
      kind: row.kind,
      status: row.status,
      performGasLimit: row.performGasLimit,
      maxGasPrice: BigInt(row.maxGasPrice),
      maxPremium: BigInt(row.maxPremium),
      balance: BigInt(row.balance),
      cursor: BigInt(row.cursor),
      checkData: lower(row.checkData),
      trigger: BigInt(row.trigger),
      withdrawableAt: row.withdrawableAt,
      performCount: row.performCount,
      failedPerformCount: row.failedPerformCount,
      lastPerformBlock: row.lastPerformBlock === null ? null : BigInt(row.lastPerformBlock),
      lease: row.leaseHolder === null ? null : { holder: lower(row.leaseHolder), premium: BigInt(row.leasePremium!) },
    }).toEqual({
      id,
      owner: lower(v.owner),
      target: lower(v.target),
      forwarder: lower(v.forwarder),
      kind: v.kind,
      status: v.status,
      performGasLimit: v.performGasLimit,
      maxGasPrice: v.maxGasPrice,
      maxPremium: v.maxPremium,
      balance: v.balance,
      cursor: v.cursor,
      checkData: lower(checkData),
      trigger: v.trigger,
      withdrawableAt: v.withdrawableAt,
      performCount: own.length,
      failedPerformCount: own.filter((p) => !p.success).length,
      lastPerformBlock: own.length ? BigInt(own.at(-1)!.block) : null,
      lease: lease && { holder: lower(lease.holder), premium: lease.premium },
    });
  }
  checked.push({ head, upkeeps, performs });
}

beforeAll(async () => {
  net = await startDevnet();
  dep = await deployBaton(net);
  const book = path.join(dir, "addresses.json");
  await writeAddressBook(book, dep.book);
  const log = process.env.INDEXER_TEST_LOG ? createWriteStream(process.env.INDEXER_TEST_LOG) : undefined;
  // Started before the upkeeps exist: the rows are followed live, block by block.
  indexer = await startIndexer({
    rpcUrl: net.url,
    addressBook: book,
    dbDir: path.join(dir, "pglite"),
    pollMs: 200,
    ...(log ? { log } : {}),
  });
});

afterAll(async () => {
  await indexer?.stop();
  await net?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the indexer's upkeeps", () => {
  let revertingTarget: Address;
  let firstPartDone = false;

  it("follow registrations, funding, performs, pauses and cancels", async () => {
    for (const k of KEEPERS) {
      await send(k, registry("register", [[], ""]));
      await send(k, registry("depositStake", [], parseEther("1")));
    }
    const targetA = await deployTarget();
    revertingTarget = await deployTarget();
    const ping = encodeEventTopics({ abi: target.abi, eventName: "Ping" })[0] as Hex;

    const u1 = await register(targetA, { kind: "condition" }, parseEther("1"));
    const u2 = await register(revertingTarget, { kind: "condition" }, parseEther("0.5"), { checkData: "0xc0ffee" });
    const u3 = await register(targetA, { kind: "interval", seconds: 30 }, parseEther("0.5"));
    const u4 = await register(targetA, { kind: "condition" }, parseEther("0.2"));
    const u5 = await register(targetA, { kind: "condition" }, parseEther("0.3"));
    await register(
      targetA,
      { kind: "log", filter: { emitter: targetA, topic0: ping, topics: [null, pad(account(OWNER).address)] } },
      parseEther("0.1"),
      { checkData: "0x01" },
    );
    await register(targetA, { kind: "cron", expression: "*/5 * * * 1-5" }, parseEther("0.1"));

    await send(FUNDER, prepareAddFunds(dep.automation, u1, parseEther("0.25")) as Write);
    await send(OWNER, prepareAddFunds(dep.automation, u2, parseEther("0.1")) as Write);
    await performCondition(8, u1);
    await performCondition(9, u1);
    await performCondition(8, u2);
    await setMode(revertingTarget, 1);
    await performCondition(9, u2);
    await performCondition(8, u2);
    await performInterval(8, u3, 30n);
    await send(OWNER, prepareSetPaused(dep.automation, u3, true) as Write);
    await send(OWNER, prepareSetPaused(dep.automation, u2, true) as Write);
    await performCondition(9, u4);
    await send(OWNER, prepareCancelUpkeep(dep.automation, u4) as Write);
    await send(OWNER, prepareCancelUpkeep(dep.automation, u5) as Write);

    await compareWithChain();
    const [{ upkeeps, performs }] = checked as [(typeof checked)[number]];
    expect(upkeeps.map((u) => u.status)).toEqual([
      "active",
      "paused",
      "paused",
      "canceled",
      "canceled",
      "active",
      "active",
    ]);
    expect(new Set(upkeeps.map((u) => u.kind))).toEqual(new Set(["condition", "interval", "log", "cron"]));
    expect(performs.length).toBe(7);
    expect(performs.filter((p) => !p.success).length).toBe(2);
    firstPartDone = true;
  });

  it("follow resumes, withdrawals, lease forfeits and performs under a lease", async () => {
    expect(firstPartDone, "the first part ran").toBe(true);
    const [u1, u2, u3, u4] = [1n, 2n, 3n, 4n];
    await setMode(revertingTarget, 0);
    await send(OWNER, prepareSetPaused(dep.automation, u2, false) as Write);
    await send(OWNER, prepareSetPaused(dep.automation, u3, false) as Write);
    await performCondition(10, u2);
    await performInterval(9, u3, 30n);

    // The withdrawal delay passes; the canceled upkeep 4 is emptied, upkeep 5 keeps its balance.
    await mineAt((await now()) + 601n);
    await send(OWNER, prepareWithdrawFunds(dep.automation, u4, account(RECIPIENT).address) as Write);

    // A lease on a new upkeep: three sealed bids for the next epoch, two revealed (the lower one
    // leads), one never revealed and forfeited into the upkeep's balance; then the holder performs.
    const targetB = await deployTarget();
    const u8 = await register(targetB, { kind: "condition" }, parseEther("0.4"), { maxPremium: 10n ** 15n });
    const start = ((await now()) / 60n + 1n) * 60n;
    const epoch = Number(start / 60n) + 1;
    const premiums = new Map([
      [8, 5n * 10n ** 14n],
      [9, 4n * 10n ** 14n],
      [10, 6n * 10n ** 14n],
    ]);
    const salt = (k: number) => `0x${k.toString(16).padStart(64, "0")}` as Hex;
    await mineAt(start);
    for (const [k, premium] of premiums) {
      const commitment = computeLeaseCommitment(u8, epoch, account(k).address, premium, salt(k));
      await send(k, registry("commitLease", [u8, epoch, commitment]));
    }
    await mineAt(start + 15n);
    await send(8, registry("revealLease", [u8, epoch, premiums.get(8), salt(8)]));
    await send(10, registry("revealLease", [u8, epoch, premiums.get(10), salt(10)]));
    await mineAt(start + 30n);
    await send(OWNER, registry("forfeitLease", [u8, epoch, account(9).address]));
    await mineAt(start + 60n);
    await performCondition(8, u8);
    await performCondition(9, u1);

    await compareWithChain();
    const { upkeeps, performs } = checked.at(-1)!;
    const byId = new Map(upkeeps.map((u) => [BigInt(u.id), u]));
    expect(byId.get(u2)!.status).toBe("active");
    expect(byId.get(u3)!.status).toBe("active");
    expect(byId.get(u4)).toMatchObject({ status: "canceled", balance: "0" });
    expect(BigInt(byId.get(5n)!.balance)).toBe(parseEther("0.3"));
    expect(byId.get(u8)).toMatchObject({ leaseEpoch: epoch, leasePremium: String(premiums.get(8)) });
    expect(lower(byId.get(u8)!.leaseHolder!)).toBe(lower(account(8).address));
    // The forfeit (a fifth of the 0.1 ETH bond) went to the balance, the perform came out of it.
    const leased = performs.filter((p) => p.upkeepId === String(u8));
    expect(leased.map((p) => BigInt(p.premium))).toEqual([premiums.get(8)]);
    expect(BigInt(byId.get(u8)!.balance)).toBe(parseEther("0.42") - BigInt(leased[0]!.payment));
    // The reverting target's reason, decoded.
    const failed = performs.find((p) => p.revertReason !== null)!;
    expect(decodeErrorResult({ abi: target.abi, data: failed.revertReason! })).toMatchObject({
      errorName: "TargetFailed",
      args: ["target says no"],
    });
  });
});
