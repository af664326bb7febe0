// Where a lifecycle's gas goes: traces each step of a steady-state ETH job and sums the gas of
// its opcodes by kind (storage writes and reads, logs, hashing, the rest), beside the base cost
// and calldata. `npx hardhat run bench/trace.ts`. An analysis aid; bench/gas.ts has the figures.
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import {
  deployMarket,
  makeTerms,
  salt,
  SPEC,
  SPEC_HASH,
  RESULT,
  RESULT_HASH,
  packTerms,
} from "../test/helpers/fixture";

type Log = { op: string; gasCost: number; depth: number };

async function breakdown(hash: string) {
  const tx = await ethers.provider.getTransaction(hash);
  const receipt = await ethers.provider.getTransactionReceipt(hash);
  const trace = (await network.provider.send("debug_traceTransaction", [
    hash,
    { disableStack: true, disableMemory: true },
  ])) as {
    structLogs: Log[];
  };
  const data = ethers.getBytes(tx!.data);
  const calldata = data.reduce((sum, b) => sum + (b === 0 ? 4 : 16), 0);
  const kinds: Record<string, number> = { base: 21_000, calldata };
  for (const l of trace.structLogs) {
    const kind = l.op.startsWith("LOG")
      ? "LOG"
      : [
            "SSTORE",
            "SLOAD",
            "KECCAK256",
            "CALL",
            "DELEGATECALL",
            "STATICCALL",
            "EXTCODESIZE",
            "TSTORE",
            "TLOAD",
          ].includes(l.op)
        ? l.op
        : "other";
    kinds[kind] = (kinds[kind] ?? 0) + l.gasCost;
  }
  const counted = Object.values(kinds).reduce((a, b) => a + b, 0);
  kinds.refund = Number(receipt!.gasUsed) - counted;
  return { gasUsed: Number(receipt!.gasUsed), ...kinds };
}

async function main() {
  const f = await deployMarket();
  const price = ethers.parseEther("1.5");
  const out: Record<string, unknown> = {};
  const bidSlots = Number(await f.market.BID_SLOTS());
  for (let run = 0; run < 2; run++) {
    // The traced job reuses the first one's bid slot (the steady state).
    while (run === 1 && (await f.market.jobCount()) < BigInt(bidSlots)) {
      const plain = await makeTerms(f);
      await f.market.connect(f.requester).postJob(packTerms(plain), SPEC_HASH, SPEC, { value: plain.maxReward });
    }
    const terms = await makeTerms(f);
    const post = await f.market
      .connect(f.requester)
      .postJob(packTerms(terms), SPEC_HASH, SPEC, { value: terms.maxReward });
    const jobId = await f.market.jobCount();
    const s = salt(`trace:${jobId}`);
    const commit = await f.market
      .connect(f.worker1)
      .commitBid(jobId, packTerms(terms), await f.market.computeCommitment(jobId, 0, f.worker1.address, price, s));
    await time.increaseTo((await f.market.getJob(jobId)).deadline);
    const reveal = await f.market.connect(f.worker1).revealBid(jobId, packTerms(terms), price, s);
    await time.increaseTo((await f.market.getJob(jobId)).revealDeadline);
    const submit = await f.market.connect(f.worker1).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT);
    await time.increaseTo((await f.market.getJob(jobId)).deadline);
    const settle = await f.market.connect(f.other).settle(jobId, packTerms(terms), RESULT_HASH);
    if (run === 1) {
      for (const [name, tx] of Object.entries({ post, commit, reveal, submit, settle })) {
        out[name] = await breakdown(tx.hash);
      }
    }
  }
  console.table(out);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
