// A seeded random run of the protocol on a devnet: workers register, stake and unbond; requesters
// post ETH and ERC-20 jobs whose fates cover every exit (settled by acceptance or after the
// window, cancelled, reclaimed, reposted, no-show slashes, forfeits, abandonment, disputes won by
// timeout and lost in committee) or leave them midway; two workflows of two steps, one run
// until its second step is posted, one cancelled.
import {
  keccak256,
  maxUint256,
  parseEther,
  parseEventLogs,
  stringToHex,
  toHex,
  zeroAddress,
  zeroHash,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import {
  buildWorkflow,
  committeeArbiterAbi,
  computeCommitment,
  createWorkflow,
  encodeSpec,
  jobMarketAbi,
  packTerms,
  Pricing,
  testTokenAbi,
  unpackTerms,
  workflowOrchestratorAbi,
  type JobTerms,
  type SigningClient,
} from "@baton/sdk";
import { account, type Deployment, type Devnet } from "@baton/testkit/devnet";
import { sampleSpec } from "@baton/testkit";

export const WORKERS = [2, 3, 4, 6];
export const REQUESTERS = [1, 5];
/** Registers, stakes, then unbonds part of its stake and withdraws it. */
export const LEAVER = 7;
const MEMBERS = [17, 18];

export const FATES = [
  "accepted",
  "settledAfterWindow",
  "reclaimed",
  "reposted",
  "cancelled",
  "noShow",
  "forfeit",
  "abandoned",
  "disputeTimeout",
  "disputeLost",
  "open",
  "revealing",
  "assigned",
  "submitted",
] as const;
export type Fate = (typeof FATES)[number];

/** mulberry32: a small seeded generator, so a failing run can be replayed with its seed. */
export function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const sample = <T>(items: readonly T[], n: number): T[] => {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n && pool.length) out.push(pool.splice(int(0, pool.length - 1), 1)[0]!);
    return out;
  };
  const bytes32 = (): Hex => toHex(Uint8Array.from({ length: 32 }, () => int(0, 255)));
  return { next, int, pick, sample, bytes32 };
}

type Rng = ReturnType<typeof random>;

export type ScenarioResult = { jobs: { jobId: bigint; fate: Fate }[]; workflows: bigint[] };

export async function runScenario(net: Devnet, dep: Deployment, seed: number): Promise<ScenarioResult> {
  const rng: Rng = random(seed);
  const { publicClient, testClient } = net;

  async function send(index: number, address: Address, abi: Abi, functionName: string, args: unknown[], value = 0n) {
    const wallet = net.wallet(index);
    const call = { address, abi, functionName, args, value, account: wallet.account!, chain: net.chain } as never;
    // Simulating first turns a revert into the contract's decoded custom error.
    const { request } = await publicClient.simulateContract(call);
    // A fixed gas limit: estimating a settlement that calls the orchestrator back overshoots the cap.
    const hash = await wallet.writeContract({ ...(request as object), gas: 10_000_000n } as never);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
    return receipt;
  }
  const market = (index: number, fn: string, args: unknown[], value = 0n) =>
    send(index, dep.market, jobMarketAbi, fn, args, value);

  /** Moves the clock to just after `deadline` (Unix seconds) and mines a block. */
  async function passDeadline(deadline: number) {
    const now = Number((await publicClient.getBlock()).timestamp);
    if (now <= deadline) await testClient.increaseTime({ seconds: deadline - now + 1 });
    await testClient.mine({ blocks: 1 });
  }

  // Workers: registered and staked; one more unbonds part of its stake and takes it out at the end.
  for (const w of [...WORKERS, LEAVER]) {
    await market(w, "register", [[stringToHex("wasm", { size: 32 }), stringToHex("http.json", { size: 32 })], ""]);
    await market(w, "depositStake", [], parseEther(String(rng.int(2, 5))));
  }
  await market(LEAVER, "requestUnbond", [parseEther("1")]);
  // Requesters hold the test token and let the market take it.
  for (const r of REQUESTERS) {
    await send(0, dep.token, testTokenAbi, "mint", [account(r).address, 10n ** 12n]);
    await send(r, dep.token, testTokenAbi, "approve", [dep.market, maxUint256]);
  }

  const fates: Fate[] = [...FATES, ...Array.from({ length: 4 }, () => rng.pick(FATES))];
  const jobs: ScenarioResult["jobs"] = [];
  for (const fate of rng.sample(fates, fates.length)) jobs.push({ jobId: await runJob(fate), fate });

  async function runJob(fate: Fate): Promise<bigint> {
    const requester = rng.pick(REQUESTERS);
    const erc20 = rng.next() < 0.4;
    const now = Number((await publicClient.getBlock()).timestamp);
    const terms: JobTerms = {
      requester: account(requester).address,
      token: erc20 ? dep.token : zeroAddress,
      maxReward: erc20 ? BigInt(rng.int(1, 100)) * 10n ** 6n : parseEther(String(rng.int(1, 9) / 100)),
      arbiter: dep.arbiter,
      bond: parseEther("0.05"),
      minStake: 0n,
      minCompleted: 0,
      commitWindow: 60,
      revealWindow: 60,
      executionWindow: 120,
      challengeWindow: 60,
      expiry: now + 3600,
      ...dep.params,
      pricing: rng.next() < 0.5 ? Pricing.FirstPrice : Pricing.SecondPrice,
      callback: false,
    };
    const packed = packTerms(terms);
    const spec = encodeSpec({ ...sampleSpec, name: `job ${fate}` });
    const posted = await market(
      requester,
      "postJob",
      [packed, keccak256(spec), toHex(spec)],
      erc20 ? 0n : terms.maxReward,
    );
    const [log] = parseEventLogs({ abi: jobMarketAbi, logs: posted.logs, eventName: "JobPosted" });
    const { jobId, commitDeadline } = log!.args;
    const revealDeadline = commitDeadline + terms.revealWindow;

    if (fate === "cancelled") {
      await market(requester, "cancel", [jobId, packed]);
      return jobId;
    }
    if (fate === "reclaimed" || fate === "reposted") {
      await passDeadline(revealDeadline);
      if (fate === "reclaimed") {
        await market(requester, "reclaim", [jobId, packed]);
      } else {
        await market(requester, "repost", [jobId, packed]);
        // One sealed bid in the new round, left there.
        await commit(jobId, 1, rng.pick(WORKERS));
      }
      return jobId;
    }

    const bidders = rng.sample(WORKERS, fate === "forfeit" ? rng.int(2, 3) : rng.int(1, 3));
    const bids = [];
    for (const b of bidders) bids.push(await commit(jobId, 0, b));
    if (fate === "open") return jobId;

    async function commit(id: bigint, round: number, bidder: number) {
      const price = BigInt(rng.int(1, 100)) * (terms.maxReward / 100n);
      const salt = rng.bytes32();
      const commitment = computeCommitment({
        chainId: 31337,
        market: dep.market,
        jobId: id,
        round,
        bidder: account(bidder).address,
        price,
        salt,
      });
      await market(bidder, "commitBid", [id, packed, commitment]);
      return { bidder, price, salt };
    }

    await passDeadline(commitDeadline);
    // A forfeit job keeps its last bid sealed; a revealing job stops after one reveal.
    const revealed = fate === "forfeit" ? bids.slice(0, -1) : fate === "revealing" ? bids.slice(0, 1) : bids;
    for (const b of revealed) await market(b.bidder, "revealBid", [jobId, packed, b.price, b.salt]);
    if (fate === "revealing") return jobId;

    await passDeadline(revealDeadline);
    if (fate === "forfeit") {
      const sealed = bids[bids.length - 1]!;
      await market(requester, "forfeitUnrevealed", [jobId, packed, zeroHash, 0, account(sealed.bidder).address]);
    }
    const finalized = await market(requester, "finalizeAuction", [jobId, packed]);
    const [assigned] = parseEventLogs({ abi: jobMarketAbi, logs: finalized.logs, eventName: "JobAssigned" });
    const winner = WORKERS.find((w) => account(w).address === assigned!.args.worker)!;
    if (fate === "assigned") return jobId;
    if (fate === "abandoned") {
      await market(winner, "abandon", [jobId, packed]);
      return jobId;
    }
    if (fate === "noShow") {
      await passDeadline(assigned!.args.executionDeadline);
      await market(requester, "slashNoShow", [jobId, packed]);
      return jobId;
    }

    const result = toHex(`{"price":${rng.int(1, 1000)}}`);
    const resultHash = keccak256(result);
    const submitted = await market(winner, "submitResult", [jobId, packed, resultHash, result]);
    if (fate === "submitted") return jobId;
    if (fate === "accepted") {
      await market(requester, "accept", [jobId, packed, resultHash]);
    } else if (fate === "settledAfterWindow") {
      const [s] = parseEventLogs({ abi: jobMarketAbi, logs: submitted.logs, eventName: "ResultSubmitted" });
      await passDeadline(s!.args.challengeDeadline);
      await market(rng.pick(WORKERS), "settle", [jobId, packed, resultHash]);
    } else {
      const disputed = await market(requester, "dispute", [jobId, packed, resultHash], terms.disputeBond);
      if (fate === "disputeTimeout") {
        const [d] = parseEventLogs({ abi: jobMarketAbi, logs: disputed.logs, eventName: "JobDisputed" });
        await passDeadline(d!.args.rulingDeadline);
        await market(requester, "resolveStaleDispute", [jobId, packed, resultHash]);
      } else {
        for (const m of MEMBERS) await send(m, dep.arbiter, committeeArbiterAbi, "vote", [jobId, false]);
        await send(requester, dep.arbiter, committeeArbiterAbi, "resolve", [jobId, packed, resultHash]);
      }
    }
    return jobId;
  }

  // Workflows: fetch → use, run until the second step is posted; and one cancelled at once.
  const workflows: bigint[] = [];
  for (const cancel of [false, true]) {
    const windows = { commitWindow: 60, revealWindow: 60, executionWindow: 120, challengeWindow: 60 };
    const step = (name: string, dependsOn: number[]) => ({
      spec: { ...sampleSpec, name },
      dependsOn,
      maxReward: parseEther("0.02"),
      arbiter: dep.arbiter,
      bond: parseEther("0.05"),
      windows,
    });
    const requester = REQUESTERS[0]!;
    const built = buildWorkflow({ steps: [step("fetch", []), step("use", [0])], budget: parseEther("0.05") });
    const { workflowId } = await createWorkflow(net.wallet(requester) as SigningClient, publicClient, {
      orchestrator: dep.orchestrator,
      workflow: built,
    });
    workflows.push(workflowId);
    if (cancel) {
      await send(requester, dep.orchestrator, workflowOrchestratorAbi, "cancel", [workflowId]);
      continue;
    }
    // The first step's job, from its StepPosted and JobPosted events.
    const logs = await publicClient.getContractEvents({
      address: dep.market,
      abi: jobMarketAbi,
      eventName: "JobPosted",
      fromBlock: 0n,
    });
    const posted = logs[logs.length - 1]!;
    const {
      jobId,
      terms: packed,
      commitDeadline,
    } = posted.args as { jobId: bigint; terms: Hex; commitDeadline: number };
    const terms = unpackTerms(packed);
    const worker = rng.pick(WORKERS);
    const price = terms.maxReward / 2n;
    const salt = rng.bytes32();
    const bidder = account(worker).address;
    const commitment = computeCommitment({ chainId: 31337, market: dep.market, jobId, round: 0, bidder, price, salt });
    await market(worker, "commitBid", [jobId, packed, commitment]);
    await passDeadline(commitDeadline);
    await market(worker, "revealBid", [jobId, packed, price, salt]);
    await passDeadline(commitDeadline + terms.revealWindow);
    await market(worker, "finalizeAuction", [jobId, packed]);
    const result = toHex('{"price":42}');
    const submitted = await market(worker, "submitResult", [jobId, packed, keccak256(result), result]);
    const [s] = parseEventLogs({ abi: jobMarketAbi, logs: submitted.logs, eventName: "ResultSubmitted" });
    await passDeadline(s!.args.challengeDeadline);
    // Settling calls the orchestrator back, which posts the second step.
    await market(worker, "settle", [jobId, packed, keccak256(result)]);
  }

  // The leaver's unbonding delay has long passed by now.
  await market(LEAVER, "withdrawUnbonded", []);
  await testClient.mine({ blocks: 1 });
  return { jobs, workflows };
}
