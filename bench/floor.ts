// The physical floor of a job: what the EVM schedule (Cancun/Prague) charges for the least a
// sealed-bid job must do, whatever the contract's code. Each term lists its arithmetic.

/** EVM gas schedule used below. */
export const SCHEDULE = {
  txBase: 21_000,
  calldataNonZero: 16,
  calldataZero: 4,
  sstoreFresh: 20_000, // zero -> non-zero, plus the cold access below
  sstoreRewrite: 2_900, // non-zero -> non-zero (or -> zero), warm
  coldSload: 2_100,
  clearRefund: 4_800,
  log: 375,
  logTopic: 375,
  logByte: 8,
  keccak: 30,
  keccakWord: 6,
} as const;

interface Term {
  tx: string;
  what: string;
  arithmetic: string;
  gas: number;
}

const S = SCHEDULE;
const fresh = S.coldSload + S.sstoreFresh; // 22,100
const coldRewrite = S.coldSload + S.sstoreRewrite; // 5,000
const calldata = (nonZero: number, zero: number) => nonZero * S.calldataNonZero + zero * S.calldataZero;
const log = (topics: number, bytes: number) => S.log + topics * S.logTopic + bytes * S.logByte;

/**
 * Sealed bid, one bidder, ETH escrow, five transactions: post, commit, reveal, submit (which
 * assigns), settle. What the protocol cannot do without:
 * - one fresh slot per job (its terms binding and state), one per sealed bid (the commitment,
 *   cleared at reveal for a refund);
 * - rewrites of already-written slots for the winner and price, the result, the settled state,
 *   the bidder's bond lock and release, and the three credits a settlement makes (worker,
 *   treasury fee, requester refund), each a cold slot in its transaction;
 * - calldata: the terms once (a packed 144-byte encoding), then the job id and each call's own
 *   arguments; one event per transaction with the job id and the actor as topics.
 * Execution (dispatch, checks, hashing) is not a schedule constant; it is estimated at 1,500 gas
 * per transaction and listed as such.
 */
export function floorEthSealed1Bidder() {
  const terms: Term[] = [];
  const add = (tx: string, what: string, arithmetic: string, gas: number) => terms.push({ tx, what, arithmetic, gas });
  for (const tx of ["post", "commit", "reveal", "submit", "settle"]) add(tx, "transaction base", "21,000", S.txBase);

  add("post", "job slot, fresh", "2,100 cold + 20,000 set", fresh);
  add(
    "post",
    "calldata: selector + 144-byte packed terms + spec hash",
    "(4 + 144 + 32) bytes, ~150 non-zero",
    calldata(150, 30),
  );
  add("post", "event: job id, requester; terms in data", "375 + 2×375 + 176×8", log(2, 176));

  add("commit", "commitment slot, fresh", "2,100 cold + 20,000 set", fresh);
  add("commit", "bond lock in the bidder's stake slot", "2,100 cold + 2,900 rewrite", coldRewrite);
  add("commit", "read the job slot (state, deadline)", "2,100 cold", S.coldSload);
  add("commit", "calldata: selector, job id, commitment", "4 + 2 + 32 non-zero, 30 zero", calldata(38, 30));
  add("commit", "event: job id, bidder; commitment", "375 + 2×375 + 32×8", log(2, 32));

  add("reveal", "commitment: read and clear", "2,100 cold + 2,900", coldRewrite);
  add("reveal", "refund for the cleared commitment", "−4,800", -S.clearRefund);
  add("reveal", "job slot: winner and price", "2,100 cold + 2,900 rewrite", coldRewrite);
  add("reveal", "commitment hash", "30 + 6×7 words", S.keccak + 7 * S.keccakWord);
  add("reveal", "calldata: selector, job id, price, salt", "4 + 2 + 8 + 32 non-zero, 54 zero", calldata(46, 54));
  add("reveal", "event: job id, bidder; price", "375 + 2×375 + 32×8", log(2, 32));

  add("submit", "job slot: result hash and state", "2,100 cold + 2,900 rewrite", coldRewrite);
  add(
    "submit",
    "calldata: selector, job id, result hash, 21-byte result",
    "4 + 2 + 32 + 21 non-zero, 101 zero",
    calldata(59, 101),
  );
  add("submit", "event: job id, worker; result hash, result", "375 + 2×375 + 128×8", log(2, 128));

  add("settle", "job slot: settled state", "2,100 cold + 2,900 rewrite", coldRewrite);
  add("settle", "bond release in the worker's stake slot", "2,100 cold + 2,900 rewrite", coldRewrite);
  add("settle", "worker credit", "2,100 cold + 2,900 rewrite", coldRewrite);
  add("settle", "treasury fee credit", "2,100 cold + 2,900 rewrite", coldRewrite);
  add("settle", "requester refund credit", "2,100 cold + 2,900 rewrite", coldRewrite);
  add("settle", "calldata: selector, job id", "4 + 2 non-zero, 30 zero", calldata(6, 30));
  add("settle", "event: job id, worker; price, fee, refund", "375 + 2×375 + 96×8", log(2, 96));

  for (const tx of ["post", "commit", "reveal", "submit", "settle"]) {
    add(tx, "execution (dispatch, checks): an estimate, not a schedule constant", "≈ 1,500", 1_500);
  }

  const perTx: Record<string, number> = {};
  for (const t of terms) perTx[t.tx] = (perTx[t.tx] ?? 0) + t.gas;
  const total = terms.reduce((a, t) => a + t.gas, 0);
  return { schedule: SCHEDULE, terms, perTx, total };
}
