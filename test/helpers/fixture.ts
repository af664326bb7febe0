import { ethers } from "hardhat";
import type { BigNumberish } from "ethers";
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { CommitteeArbiter, JobMarket } from "../../typechain-types";
import type { IJobMarket } from "../../typechain-types/contracts/JobMarket";

/** `IJobMarket.JobTerms`: what a job is posted with. The market takes them packed (`packTerms`). */
export type JobTerms = {
  requester: string;
  token: string;
  maxReward: BigNumberish;
  arbiter: string;
  bond: BigNumberish;
  minStake: BigNumberish;
  minCompleted: BigNumberish;
  commitWindow: BigNumberish;
  revealWindow: BigNumberish;
  executionWindow: BigNumberish;
  challengeWindow: BigNumberish;
  expiry: BigNumberish;
  feeBps: BigNumberish;
  forfeitBps: BigNumberish;
  slashBountyBps: BigNumberish;
  disputeBond: BigNumberish;
  rulingTimeout: BigNumberish;
  pricing: BigNumberish;
  callback: boolean;
};
export type Params = IJobMarket.ParamsStruct;

// `PackedTerms`: the market takes a job's terms as `abi.encodePacked` of the fields, in order.
const PACKED_FIELDS = [
  ["requester", "address"],
  ["token", "address"],
  ["maxReward", "uint96"],
  ["arbiter", "address"],
  ["bond", "uint96"],
  ["minStake", "uint96"],
  ["minCompleted", "uint32"],
  ["commitWindow", "uint32"],
  ["revealWindow", "uint32"],
  ["executionWindow", "uint32"],
  ["challengeWindow", "uint32"],
  ["expiry", "uint32"],
  ["feeBps", "uint16"],
  ["forfeitBps", "uint16"],
  ["slashBountyBps", "uint16"],
  ["disputeBond", "uint96"],
  ["rulingTimeout", "uint32"],
  ["pricing", "uint8"],
  ["callback", "bool"],
] as const satisfies readonly (readonly [keyof JobTerms, string])[];

/** The 144 bytes every market call takes as `terms` (`PackedTerms`). */
export function packTerms(t: JobTerms): string {
  return ethers.solidityPacked(
    PACKED_FIELDS.map(([, type]) => type),
    PACKED_FIELDS.map(([name]) => t[name]),
  );
}

/** The terms `packTerms` packed, e.g. from a `JobPosted` event. */
export function unpackTerms(packed: string): JobTerms {
  const bytes = ethers.getBytes(packed);
  if (bytes.length !== 144) throw new Error(`packed terms are 144 bytes, got ${bytes.length}`);
  const t: Record<string, unknown> = {};
  let at = 0;
  for (const [name, type] of PACKED_FIELDS) {
    const size = type === "address" ? 20 : type === "bool" ? 1 : Number(type.slice(4)) / 8;
    const hex = ethers.hexlify(bytes.slice(at, at + size));
    t[name] = type === "address" ? ethers.getAddress(hex) : type === "bool" ? hex !== "0x00" : BigInt(hex);
    at += size;
  }
  return t as JobTerms;
}

export const ETH = ethers.ZeroAddress;
export const HOUR = 3600;
export const DAY = 24 * HOUR;

// The enums come from the test kit's mirror, which testkit/test/enums.test.ts checks against the
// compiled contracts.
export { JobState, Pricing } from "../../testkit/src/enums";
import { JobState, Pricing } from "../../testkit/src/enums";

export const DEFAULT_PARAMS = {
  feeBps: 250,
  forfeitBps: 2_000,
  slashBountyBps: 1_000,
  callbackGasLimit: 200_000,
  rulingTimeout: 3 * DAY,
  unbondingDelay: 7 * DAY,
  disputeBond: ethers.parseEther("0.05"),
};

export const WINDOWS = {
  commitWindow: HOUR,
  revealWindow: HOUR,
  executionWindow: 2 * HOUR,
  challengeWindow: DAY,
};

export const WORKER_STAKE = ethers.parseEther("10");
export const BOND = ethers.parseEther("1");
export const REWARD = ethers.parseEther("2");

/** Bitmap of states, as carried by `JobMarketUnexpectedState`. */
export function states(...list: JobState[]): string {
  const bits = list.reduce((acc, s) => acc | (1n << BigInt(s)), 0n);
  return ethers.toBeHex(bits, 32);
}

export async function deployMarket() {
  const signers = await ethers.getSigners();
  const [owner, treasury, requester, worker1, worker2, worker3, other, member1, member2, member3] = signers;

  const TestToken = await ethers.getContractFactory("TestToken");
  const token = await TestToken.deploy("Test USD", "TUSD", 18);
  const token6 = await TestToken.deploy("Six Decimals", "SIX", 6);
  const token24 = await TestToken.deploy("Twenty-four Decimals", "T24", 24);
  const feeToken = await (await ethers.getContractFactory("FeeOnTransferToken")).deploy();
  const noReturnToken = await (await ethers.getContractFactory("NoReturnToken")).deploy();

  const market = (await (
    await ethers.getContractFactory("JobMarket")
  ).deploy(owner.address, { treasury: treasury.address, ...DEFAULT_PARAMS }, [
    await token.getAddress(),
    await token6.getAddress(),
    await token24.getAddress(),
    await feeToken.getAddress(),
    await noReturnToken.getAddress(),
  ])) as unknown as JobMarket;

  const arbiter = (await (
    await ethers.getContractFactory("CommitteeArbiter")
  ).deploy(
    await market.getAddress(),
    [member1.address, member2.address, member3.address],
    DAY,
  )) as unknown as CommitteeArbiter;

  for (const w of [worker1, worker2, worker3]) {
    await market.connect(w).register([ethers.encodeBytes32String("wasm")], `https://workers.example/${w.address}`);
    await market.connect(w).depositStake({ value: WORKER_STAKE });
  }

  for (const t of [token, token6, token24, feeToken, noReturnToken]) {
    await t.mint(requester.address, 10n ** 32n);
    await t.connect(requester).approve(await market.getAddress(), ethers.MaxUint256);
  }

  return {
    market,
    arbiter,
    token,
    token6,
    token24,
    feeToken,
    noReturnToken,
    owner,
    treasury,
    requester,
    worker1,
    worker2,
    worker3,
    workers: [worker1, worker2, worker3],
    other,
    members: [member1, member2, member3],
    signers,
  };
}

export type Fixture = Awaited<ReturnType<typeof deployMarket>>;

/** Terms for a job posted by `requester`, expiring long after one round. */
export async function makeTerms(f: Fixture, overrides: Partial<JobTerms> = {}): Promise<JobTerms> {
  const now = await time.latest();
  return {
    requester: f.requester.address,
    token: ETH,
    maxReward: REWARD,
    arbiter: await f.arbiter.getAddress(),
    bond: BOND,
    minStake: 0n,
    minCompleted: 0,
    ...WINDOWS,
    expiry: now + 30 * DAY,
    feeBps: DEFAULT_PARAMS.feeBps,
    forfeitBps: DEFAULT_PARAMS.forfeitBps,
    slashBountyBps: DEFAULT_PARAMS.slashBountyBps,
    disputeBond: DEFAULT_PARAMS.disputeBond,
    rulingTimeout: DEFAULT_PARAMS.rulingTimeout,
    pricing: Pricing.FirstPrice,
    callback: false,
    ...overrides,
  };
}

export const SPEC = ethers.toUtf8Bytes('{"kind":"wasm","module":"ipfs://wordfreq","input":"hello world"}');
export const SPEC_HASH = ethers.keccak256(SPEC);

/** Posts a job and returns its id and terms. */
export async function postJob(f: Fixture, overrides: Partial<JobTerms> = {}, from?: HardhatEthersSigner) {
  const signer = from ?? f.requester;
  const terms = await makeTerms(f, { requester: signer.address, ...overrides });
  const value = terms.token === ETH ? terms.maxReward : 0n;
  await f.market.connect(signer).postJob(packTerms(terms), SPEC_HASH, SPEC, { value });
  const jobId = await f.market.jobCount();
  return { jobId, terms };
}

/**
 * Posts jobs in one batch until the next job id has the same residue modulo `BID_SLOTS` as
 * `jobId`, so that a bidder's bids on both share one slot of its ring.
 */
export async function postUntilSameBidSlot(f: Fixture, jobId: bigint) {
  return postUntilSameResidue(f, jobId, await f.market.BID_SLOTS());
}

/** As `postUntilSameBidSlot`, for the award lane (`jobId % AWARD_LANES`) that both jobs share. */
export async function postUntilSameAwardLane(f: Fixture, jobId: bigint) {
  return postUntilSameResidue(f, jobId, await f.market.AWARD_LANES());
}

/** Returns the jobs it posted. */
async function postUntilSameResidue(f: Fixture, jobId: bigint, slots: bigint) {
  const before = await f.market.jobCount();
  const count = Number(jobId + slots - 1n - before);
  const terms = await makeTerms(f);
  await f.market.connect(f.requester).postJobs(
    Array(count)
      .fill(terms)
      .map((t) => packTerms(t)),
    Array(count).fill(SPEC_HASH),
    Array(count).fill(SPEC),
    {
      value: BigInt(terms.maxReward) * BigInt(count),
    },
  );
  return Array.from({ length: count }, (_, i) => ({ jobId: before + 1n + BigInt(i), terms }));
}

export function salt(label: string): string {
  return ethers.id(`salt:${label}`);
}

export async function commit(
  f: Fixture,
  jobId: bigint,
  terms: JobTerms,
  bidder: HardhatEthersSigner,
  price: bigint,
  round = 0,
) {
  const s = salt(`${jobId}:${round}:${bidder.address}`);
  const commitment = await f.market.computeCommitment(jobId, round, bidder.address, price, s);
  await f.market.connect(bidder).commitBid(jobId, packTerms(terms), commitment);
  return s;
}

export async function reveal(
  f: Fixture,
  jobId: bigint,
  terms: JobTerms,
  bidder: HardhatEthersSigner,
  price: bigint,
  round = 0,
) {
  return f.market
    .connect(bidder)
    .revealBid(jobId, packTerms(terms), price, salt(`${jobId}:${round}:${bidder.address}`));
}

/** Moves time so that the next block is exactly at `timestamp`. */
export async function atTime(timestamp: bigint | number) {
  await time.setNextBlockTimestamp(timestamp);
}

export async function jobOf(f: Fixture, jobId: bigint) {
  return f.market.getJob(jobId);
}

/** Posts a job, has `bidders` commit and reveal at `prices`, and moves past the reveal window. */
export async function runAuction(
  f: Fixture,
  bids: { bidder: HardhatEthersSigner; price: bigint }[],
  overrides: Partial<JobTerms> = {},
) {
  const { jobId, terms } = await postJob(f, overrides);
  for (const b of bids) await commit(f, jobId, terms, b.bidder, b.price);
  const job = await jobOf(f, jobId);
  await time.increaseTo(job.deadline);
  for (const b of bids) await reveal(f, jobId, terms, b.bidder, b.price);
  await time.increaseTo((await jobOf(f, jobId)).revealDeadline);
  return { jobId, terms };
}

export const RESULT = ethers.toUtf8Bytes('{"hello":1,"world":1}');
export const RESULT_HASH = ethers.keccak256(RESULT);

/**
 * Takes an already-posted job through one bid by `worker1` at `price`, its reveal and a submitted
 * result, and moves time to the end of the challenge window (the job is then Settleable).
 */
export async function bidAndSubmit(f: Fixture, jobId: bigint, terms: JobTerms, price: bigint) {
  await commit(f, jobId, terms, f.worker1, price);
  await time.increaseTo((await jobOf(f, jobId)).deadline);
  await reveal(f, jobId, terms, f.worker1, price);
  await time.increaseTo((await jobOf(f, jobId)).revealDeadline);
  await f.market.connect(f.worker1).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT);
  await time.increaseTo((await jobOf(f, jobId)).deadline);
}

/** Runs an auction with one bidder at `price`, finalizes it and submits a result. */
export async function submitted(f: Fixture, price = ethers.parseEther("1.5"), overrides: Partial<JobTerms> = {}) {
  const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price }], overrides);
  await f.market.finalizeAuction(jobId, packTerms(terms));
  await f.market.connect(f.worker1).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT);
  return { jobId, terms };
}

/**
 * Escrow conservation: for each token, the market's balance equals open escrow, stakes,
 * unbonding stake, dispute bonds and unwithdrawn credits. `jobs` are all jobs posted in the test.
 */
export async function expectConservation(
  f: Fixture,
  jobs: { jobId: bigint; terms: JobTerms }[],
  extraAccounts: string[] = [],
) {
  const marketAddress = await f.market.getAddress();
  // The market's own account holds the protocol fees until `withdrawFees`.
  const accounts = new Set<string>([...f.signers.map((s) => s.address), marketAddress, ...extraAccounts]);
  for (const { terms } of jobs) accounts.add(String(terms.requester));
  const tokens = [
    ETH,
    ...(await Promise.all([f.token, f.token6, f.token24, f.feeToken, f.noReturnToken].map((t) => t.getAddress()))),
  ];

  for (const token of tokens) {
    let expected = 0n;
    for (const { jobId, terms } of jobs) {
      if (terms.token !== token) continue;
      const state = Number(await f.market.jobState(jobId));
      if (![JobState.Settled, JobState.Cancelled, JobState.Refunded].includes(state))
        expected += BigInt(terms.maxReward);
    }
    for (const account of accounts) expected += await f.market.creditOf(account, token);
    if (token === ETH) {
      for (const account of accounts) {
        const w = await f.market.getWorker(account);
        expected += w.stake + (await f.market.getUnbonding(account)).amount;
      }
      for (const { jobId } of jobs) expected += (await f.market.getDispute(jobId)).bond;
    }
    const balance =
      token === ETH
        ? await ethers.provider.getBalance(marketAddress)
        : await (await ethers.getContractAt("TestToken", token)).balanceOf(marketAddress);
    expect(balance, `conservation for token ${token}`).to.equal(expected);
  }
}
