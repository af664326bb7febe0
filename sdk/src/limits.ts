// Every protocol limit in one place. Each value mirrors a `public constant` of a contract (the sdk's
// test `limits.test.ts` reads them from a deployed stack and fails on any drift); forms, builders
// and the keeper import them from here rather than writing numbers of their own.
import { zeroAddress, zeroHash } from "viem";

const DAY = 86_400;

/** `JobMarket` and its `WorkerRegistry` base. */
export const MARKET_LIMITS = {
  /** Highest protocol fee, in basis points of the price. */
  MAX_FEE_BPS: 1_000,
  /** Highest share of a bond forfeited for a no-show or an unrevealed bid, in basis points. */
  MAX_FORFEIT_BPS: 5_000,
  /** Highest share of a slash paid to whoever triggers it, in basis points. */
  MAX_SLASH_BOUNTY_BPS: 5_000,
  /** Bounds of the gas a job's completion callback receives. */
  MIN_CALLBACK_GAS: 20_000,
  MAX_CALLBACK_GAS: 1_000_000,
  /** Bounds of the governance delay (seconds) and of the unbonding delay. */
  MIN_DELAY: 60,
  MAX_DELAY: 30 * DAY,
  /** Highest dispute bond governance may set, in wei. */
  MAX_DISPUTE_BOND: 100n * 10n ** 18n,
  /** Longest commit, reveal, execution or challenge window, in seconds. */
  MAX_WINDOW: 30 * DAY,
  /** Longest inline spec or result, in bytes; longer ones are stored at a URI. */
  MAX_PAYLOAD_BYTES: 16_384,
  /** Most capabilities a worker may declare. */
  MAX_CAPABILITIES: 16,
  /** Longest worker metadata, in bytes. */
  MAX_METADATA_BYTES: 256,
  /**
   * Slots in each bidder's ring of sealed-bid slots: a bid on job `j` reuses the bidder's slot
   * `j % BID_SLOTS` when it holds no unrevealed bid, and takes a fresh slot otherwise.
   */
  BID_SLOTS: 256,
  /**
   * Jobs this many ids apart share one storage slot for their award (winner and price): a job's
   * first revealed bid rewrites the lane `j % AWARD_LANES` when no live job holds it, and takes a
   * fresh slot otherwise.
   */
  AWARD_LANES: 256,
} as const;

/** `WorkflowOrchestrator`. */
export const WORKFLOW_LIMITS = {
  MAX_STEPS: 32,
  /** Dependencies in all, over every step. */
  MAX_EDGES: 64,
  MAX_RETRIES: 10,
  MAX_WINDOW: 30 * DAY,
  /** Longest spec of one step, in bytes. */
  MAX_SPEC_BYTES: 16_384,
  /** Longest sum of every step's spec, in bytes. */
  MAX_WORKFLOW_SPEC_BYTES: 24_575,
  /** Gas a settlement callback keeps for posting each ready dependent. */
  POST_GAS: 300_000,
  /** Gas a settlement callback keeps for marking each remaining dependent. */
  MARK_GAS: 15_000,
} as const;

/** `CommitteeArbiter`. */
export const COMMITTEE_LIMITS = {
  MAX_MEMBERS: 32,
  /** Longest voting period, in seconds. */
  MAX_VOTING_PERIOD: 30 * DAY,
} as const;

/** Which contract holds each group of limits, by the artifact name (for the drift test). */
export const LIMITS_BY_CONTRACT = {
  JobMarket: MARKET_LIMITS,
  WorkflowOrchestrator: WORKFLOW_LIMITS,
  CommitteeArbiter: COMMITTEE_LIMITS,
} as const;

export const MAX_WINDOW = MARKET_LIMITS.MAX_WINDOW;
export const MAX_PAYLOAD_BYTES = MARKET_LIMITS.MAX_PAYLOAD_BYTES;
export const MAX_WORKFLOW_STEPS = WORKFLOW_LIMITS.MAX_STEPS;
export const MAX_WORKFLOW_EDGES = WORKFLOW_LIMITS.MAX_EDGES;
export const MAX_WORKFLOW_RETRIES = WORKFLOW_LIMITS.MAX_RETRIES;
export const MAX_WORKFLOW_SPEC_BYTES = WORKFLOW_LIMITS.MAX_WORKFLOW_SPEC_BYTES;

/** The zero address: ETH as a token, "no callback", "no arbiter". */
export const ZERO_ADDRESS = zeroAddress;
/** The zero hash: "no result yet", "no input binding". */
export const ZERO_HASH = zeroHash;

/**
 * The per-transaction gas cap of EIP-7825 (2^24). Simulations and estimates run under it: without
 * an explicit cap, some nodes search up from the block gas limit and refuse it as above the cap.
 */
export const GAS_CAP = 16_777_216n;
/** Gas limit for a call that simulates fine but that the node cannot estimate; only gas used is paid. */
export const FALLBACK_GAS = 3_000_000n;
