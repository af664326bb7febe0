// Every market event as a sentence for the activity list: words, addresses and job links in order.
// The switch covers each event of the market's ABI (a new one fails the type check until it has
// its sentence).
import { SlashReason, type MarketEventName, type MarketLog } from "@baton/sdk";
import { formatEther, type Address } from "viem";
import { isZeroAddress } from "./format.ts";

export type Segment = string | { address: Address } | { job: bigint };

const eth = (wei: bigint) => `${formatEther(wei)} ETH`;

/** The sentence of one market event. */
export function describeActivity(log: MarketLog): Segment[] {
  const name = log.eventName as MarketEventName;
  switch (log.eventName) {
    case "JobPosted":
      return [{ address: log.args.requester }, " posted ", { job: log.args.jobId }];
    case "BidCommitted":
      return [{ address: log.args.bidder }, " sealed a bid on ", { job: log.args.jobId }];
    case "BidRevealed":
      return [
        { address: log.args.bidder },
        " revealed a bid on ",
        { job: log.args.jobId },
        log.args.leading ? ", the lowest so far" : "",
      ];
    case "BidForfeited":
      return [{ address: log.args.bidder }, " forfeited an unrevealed bid on ", { job: log.args.jobId }];
    case "JobAssigned":
      return [{ job: log.args.jobId }, " assigned to ", { address: log.args.worker }];
    case "JobReopened":
      return [{ job: log.args.jobId }, ` reopened for bids (round ${Number(log.args.round) + 1})`];
    case "ResultSubmitted":
      return [{ address: log.args.worker }, " submitted the result of ", { job: log.args.jobId }];
    case "JobDisputed":
      return [{ address: log.args.disputer }, " disputed the result of ", { job: log.args.jobId }];
    case "DisputeResolved":
      return [
        "The dispute over ",
        { job: log.args.jobId },
        log.args.workerWins
          ? ` was resolved for the worker${log.args.byTimeout ? " (no ruling in time)" : ""}`
          : " was resolved against the worker",
      ];
    case "JobSettled":
      return [{ job: log.args.jobId }, " settled: ", { address: log.args.worker }, " was paid"];
    case "SettlementCallback":
      return [
        { job: log.args.jobId },
        log.args.success
          ? ": the requester's contract was told of the settlement"
          : ": the requester's contract failed to handle the settlement (the payment stands)",
      ];
    case "WorkerSlashed": {
      const why =
        Number(log.args.reason) === SlashReason.NoShow
          ? "for no result in time on "
          : Number(log.args.reason) === SlashReason.DisputeLost
            ? "for a lost dispute on "
            : "for giving back ";
      return [{ address: log.args.worker }, ` was slashed ${eth(log.args.amount)} ${why}`, { job: log.args.jobId }];
    }
    case "JobCancelled":
      return [{ job: log.args.jobId }, " was cancelled by its requester"];
    case "JobRefunded":
      return [{ job: log.args.jobId }, "'s reward was refunded to its requester"];
    case "WorkerRegistered":
      return [{ address: log.args.worker }, " registered as a worker"];
    case "StakeDeposited":
      return [{ address: log.args.worker }, ` staked ${eth(log.args.amount)}`];
    case "UnbondingStarted":
      return [{ address: log.args.worker }, ` started unbonding ${eth(log.args.amount)}`];
    case "StakeWithdrawn":
      return [{ address: log.args.worker }, ` withdrew ${eth(log.args.amount)} of stake`];
    case "Withdrawn":
      return [{ address: log.args.account }, " withdrew credits"];
    case "TokenAllowed":
      return [
        "Governance ",
        log.args.allowed ? "allowed " : "disallowed ",
        isZeroAddress(log.args.token) ? "ETH" : { address: log.args.token },
        " as a reward token",
      ];
    case "ParamsUpdated":
      return ["Governance updated the market's parameters (they apply to jobs posted from now on)"];
    case "Paused":
      return ["Governance paused the market: no new jobs until it resumes"];
    case "Unpaused":
      return ["Governance resumed the market"];
    case "OwnershipTransferStarted":
      return ["A transfer of the market's ownership to ", { address: log.args.newOwner }, " started"];
    case "OwnershipTransferred":
      return ["The market's owner is now ", { address: log.args.newOwner }];
    default: {
      const unhandled: never = log;
      throw new Error(`no sentence for the market event ${name} (${String(unhandled)})`);
    }
  }
}
