// Every failure a person can meet, in words: each custom error of the Baton contracts (see
// docs/errors.md), the token errors they bubble up, and wallet and network failures.
// test/errors.test.ts checks that every error in the contracts' ABIs has a sentence here.
import {
  BatonContractError,
  COMMITTEE_LIMITS,
  CRON_FIELD_NAMES,
  CRON_WHOLE_EXPRESSION,
  jobStateNames,
  MAX_WINDOW,
  WORKFLOW_LIMITS,
  toBatonError,
  TransactionRevertedError,
  TRIGGER_KIND_NAMES,
  UPKEEP_STATUS_NAMES,
  workflowStatusNames,
} from "@baton/sdk";
import { BaseError, formatEther, type Address } from "viem";
import { formatDuration, formatTime, inDays, isZeroAddress, shortAddress } from "./format.ts";

type Args = readonly unknown[];
const n = (v: unknown) => (typeof v === "bigint" ? v : BigInt(v as number));
const eth = (v: unknown) => `${formatEther(n(v))} ETH`;
const addr = (v: unknown) => shortAddress(String(v));
const time = (v: unknown) => formatTime(Number(v));
const job = (v: unknown) => `job #${String(v)}`;
const upkeep = (v: unknown, capital = false) => `${capital ? "Upkeep" : "upkeep"} #${String(v)}`;
const kindName = (v: unknown) => TRIGGER_KIND_NAMES[Number(v)] ?? `kind ${String(v)}`;
/** Steps are numbered from 1 for people (index 0 is "Step 1"). */
const step = (v: unknown, capital = true) => `${capital ? "Step" : "step"} ${Number(v) + 1}`;

/** The states a `JobMarketUnexpectedState` bitmap accepts, by name. */
export function acceptedStates(expectedStates: `0x${string}` | bigint): string[] {
  const bits = BigInt(expectedStates);
  return jobStateNames.filter((_, i) => (bits >> BigInt(i)) & 1n);
}

function list(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

/** A sentence per custom error name; arguments in ABI order. */
export const errorMessages: Record<string, (args: Args) => string> = {
  // ---- job identity and state
  JobMarketUnexpectedState: ([id, current, expected]) =>
    `This action is only possible while ${job(id)} is ${list(acceptedStates(expected as `0x${string}`))}; it is now ${
      jobStateNames[Number(current)] ?? `state ${String(current)}`
    }. Someone may have acted first, or a deadline passed: the page shows the current state.`,
  JobMarketTermsMismatch: ([id]) =>
    `The terms or result sent for ${job(id)} do not match the job on chain: a result was submitted or overturned meanwhile, or the job does not exist. Reload the job and try again.`,
  // ---- posting
  JobMarketTermsLength: ([length, expected]) =>
    `The job's terms are ${String(length)} bytes; the market takes them packed into ${String(expected)}. This app packs them itself: reload it, it may be out of date.`,
  JobMarketTermsFlags: ([pricing, callback]) =>
    `The job's pricing (${String(pricing)}) or callback (${String(callback)}) flag is neither 0 nor 1. This app packs them itself: reload it, it may be out of date.`,
  JobMarketRequesterMismatch: ([requester, caller]) =>
    `The job names ${addr(requester)} as requester, but it is being posted from ${addr(caller)}. Post from the requester's account.`,
  JobMarketTokenNotAllowed: ([token]) =>
    `The token ${addr(token)} is not accepted for rewards on this market. Pay in ETH or an allowed token.`,
  JobMarketZeroReward: () => "The reward must be more than zero.",
  JobMarketZeroBond: () => "The bond each bidder locks must be more than zero.",
  JobMarketInvalidArbiter: ([arbiter]) =>
    `The arbiter ${addr(arbiter)} is not a deployed contract. Name a deployed arbiter, such as the market's committee.`,
  JobMarketParamMismatch: ([name, given, current]) =>
    `The market's ${String(name)} changed from ${String(given)} to ${String(current)} while you were posting. Post again: the form reads the new value.`,
  JobMarketInvalidWindow: ([window]) =>
    `A window of ${String(window)} seconds is not allowed: every window must be between 1 second and ${inDays(MAX_WINDOW)}.`,
  JobMarketExpiryTooSoon: ([expiry, earliest]) =>
    `The expiry (${time(expiry)}) leaves no time for one full round; it must be at least ${time(earliest)}.`,
  JobMarketBatchMismatch: ([expected, received]) =>
    `The batch does not add up: ${String(expected)} expected, ${String(received)} sent (one spec per job, and the sum of the ETH rewards as value).`,
  JobMarketZeroHash: () => "The hash sent is empty; the spec or result could not be hashed.",
  JobMarketPayloadTooLarge: ([length, max]) =>
    `The payload is ${String(length)} bytes, more than the ${String(max)} bytes allowed inline. Store it elsewhere and post its URI.`,
  JobMarketWrongValue: ([expected, received]) =>
    `This transaction must send exactly ${eth(expected)}, not ${eth(received)}.`,
  JobMarketTokenShortfall: ([token, expected, received]) =>
    `The token ${addr(token)} delivered ${String(received)} units instead of ${String(expected)} (it charges a fee or rebases). It cannot be used for rewards.`,
  // ---- requester actions
  JobMarketNotRequester: ([id, caller]) =>
    `Only the requester of ${job(id)} may do this, and ${addr(caller)} is not the requester.`,
  JobMarketHasBids: ([id]) =>
    `${job(id)} already has bids in this round, so it can no longer be cancelled. If nobody reveals, you can reclaim it after the reveal window.`,
  JobMarketNoTimeLeft: ([id, expiry]) =>
    `${job(id)} has no time left for another round before its expiry (${time(expiry)}). Reclaim the reward and post a new job.`,
  // ---- bidding
  JobMarketZeroCommitment: () => "The bid commitment is empty.",
  JobMarketAlreadyCommitted: ([id, bidder]) => `${addr(bidder)} has already bid on ${job(id)} in this round.`,
  JobMarketStakeTooLow: ([stake, minStake]) =>
    `Your stake of ${eth(stake)} is below the ${eth(minStake)} this job requires. Deposit more stake first.`,
  JobMarketReputationTooLow: ([completed, min]) =>
    `This job is for workers with at least ${String(min)} completed jobs; you have ${String(completed)}.`,
  JobMarketInsufficientFreeStake: ([free, bond]) =>
    `Your free stake (${eth(free)}) does not cover the ${eth(bond)} bond. Deposit more stake or wait for bonds to be released.`,
  JobMarketNoCommitment: ([id, bidder]) => `${addr(bidder)} has no unrevealed bid on ${job(id)} in this round.`,
  JobMarketCommitmentMismatch: ([id, bidder]) =>
    `The revealed price and salt do not match ${addr(bidder)}'s sealed bid on ${job(id)}.`,
  JobMarketInvalidPrice: ([id, price, max]) =>
    `A price of ${String(price)} is not valid for ${job(id)}: it must be between 1 and the reward (${String(max)}).`,
  JobMarketRevealStillOpen: ([id, deadline]) =>
    `The reveal window of ${job(id)} is still open until ${time(deadline)}; unrevealed bids can be forfeited after that.`,
  // ---- execution and settlement
  JobMarketNotWinner: ([id, caller]) => `${addr(caller)} did not win ${job(id)}; only the winner submits its result.`,
  JobMarketNotArbiter: ([id, caller]) => `Only the arbiter of ${job(id)} may rule on it, not ${addr(caller)}.`,
  JobMarketInsufficientGas: ([gasLeft, required]) =>
    `The transaction ran low on gas before the settlement callback (${String(gasLeft)} left, ${String(required)} needed). Try again with a higher gas limit.`,
  // ---- withdrawals
  JobMarketNothingToWithdraw: ([, token]) =>
    `There is nothing to withdraw in ${isZeroAddress(String(token)) ? "ETH" : `token ${addr(token)}`} for this account.`,
  JobMarketTransferFailed: ([to, amount]) =>
    `Sending ${eth(amount)} to ${addr(to)} failed: that address does not accept ETH. Your credit is kept; withdraw to another address.`,
  JobMarketZeroAddress: () => "An address is required here; the zero address is not allowed.",
  // ---- governance
  JobMarketParamOutOfBounds: ([name, value]) =>
    `The value ${String(value)} for ${String(name)} is outside its allowed range.`,
  JobMarketRenounceDisabled: () => "The market's ownership cannot be renounced.",
  JobMarketTimestampOverflow: ([deadline]) =>
    `That deadline (${String(deadline)} in Unix seconds) is past 7 February 2106, the last time the market can record.`,
  OwnableUnauthorizedAccount: ([account]) => `${addr(account)} is not allowed to do this: it is a governance action.`,
  OwnableInvalidOwner: ([owner]) => `${addr(owner)} cannot own the market.`,
  EnforcedPause: () =>
    "The market is paused by governance: new jobs and reposts wait until it resumes. Bids on open jobs, settlement and withdrawals still work.",
  ExpectedPause: () => "The market is not paused.",
  ReentrancyGuardReentrantCall: () =>
    "The market refused a nested call (a contract called back into it in the middle of a transaction).",
  FailedCall: () =>
    "One of the calls in the batch failed without saying why (an unknown function, or out of gas). Send the calls one by one to find it.",
  AddressEmptyCode: ([target]) => `${addr(target)} has no contract code, so the batched call could not run.`,
  SafeERC20FailedOperation: ([token]) =>
    `The token ${addr(token)} refused the transfer. Check your balance and allowance, or that the address is a token.`,
  // ---- worker registry
  WorkerRegistryNotRegistered: ([worker]) => `${addr(worker)} is not registered as a worker. Register first.`,
  WorkerRegistryTooManyCapabilities: ([count, max]) =>
    `${String(count)} capabilities are too many: a worker declares at most ${String(max)}.`,
  WorkerRegistryMetadataTooLong: ([length, max]) =>
    `The metadata URI is ${String(length)} bytes long; at most ${String(max)} bytes are allowed.`,
  WorkerRegistryZeroAmount: () => "The amount must be more than zero.",
  WorkerRegistryAmountTooLarge: ([amount]) => `A total stake of ${eth(amount)} is more than the registry can hold.`,
  WorkerRegistryInsufficientFreeStake: ([requested, free]) =>
    `You asked to unbond ${eth(requested)}, but only ${eth(free)} of your stake is free; the rest backs open bids and jobs.`,
  WorkerRegistryUnbondingNotReady: ([readyAt, now]) =>
    n(readyAt) === 0n
      ? "Nothing is unbonding. Request an unbond first."
      : `Your unbonding stake is ready in ${formatDuration(Number(n(readyAt) - n(now)))} (at ${time(readyAt)}).`,
  WorkerRegistryTransferFailed: ([to, amount]) =>
    `Sending ${eth(amount)} to ${addr(to)} failed: that address does not accept ETH.`,
  WorkerRegistryZeroAddress: () => "A recipient address is required.",
  WorkerRegistryTimestampOverflow: ([readyAt]) =>
    `The unbonding would end at ${String(readyAt)} (Unix seconds), past 7 February 2106, the last time the registry can record.`,
  // ---- committee arbiter
  CommitteeArbiterZeroMarket: () => "The committee must be bound to a market.",
  CommitteeArbiterInvalidMembers: ([member]) =>
    isZeroAddress(String(member))
      ? `The committee needs 1 to ${COMMITTEE_LIMITS.MAX_MEMBERS} distinct, non-zero members.`
      : `${addr(member)} is listed twice in the committee.`,
  CommitteeArbiterInvalidPeriod: ([period]) =>
    `A voting period of ${String(period)} seconds is not allowed (1 second to ${inDays(COMMITTEE_LIMITS.MAX_VOTING_PERIOD)}).`,
  CommitteeArbiterNotMarket: ([caller]) =>
    `This job's arbiter serves another market than ${addr(caller)}, so the job cannot be disputed; its result settles after the challenge window.`,
  CommitteeArbiterNotMember: ([caller]) => `${addr(caller)} is not a committee member; only members vote.`,
  CommitteeArbiterNoDispute: ([id]) => `The committee has no open dispute for ${job(id)}.`,
  CommitteeArbiterAlreadyVoted: ([id, member]) => `${addr(member)} has already voted on ${job(id)}.`,
  CommitteeArbiterVotingClosed: ([id, ends]) =>
    `Voting on ${job(id)} closed at ${time(ends)}; the dispute can now be resolved.`,
  CommitteeArbiterVotingOpen: ([id, ends]) =>
    `Voting on ${job(id)} is still open until ${time(ends)} and no majority has voted yet.`,
  // ---- workflow orchestrator
  WorkflowNoSteps: () => "A workflow needs at least one step.",
  WorkflowTooManySteps: ([count, max]) => `${String(count)} steps are too many: a workflow has at most ${String(max)}.`,
  WorkflowTooManyEdges: ([count, max]) =>
    `${String(count)} dependencies are too many: a workflow has at most ${String(max)} in all.`,
  WorkflowDependencyCountMismatch: ([steps, deps]) =>
    `The workflow has ${String(steps)} steps but ${String(deps)} dependency lists; each step needs one.`,
  WorkflowSelfDependency: ([s]) => `${step(s)} depends on itself; a step can only depend on earlier steps.`,
  WorkflowForwardDependency: ([s, d]) =>
    `${step(s)} depends on ${step(d, false)}, which comes later; dependencies must be earlier steps.`,
  WorkflowDuplicateDependency: ([s, d]) => `${step(s)} names ${step(d, false)} twice as a dependency.`,
  WorkflowEmptySpec: ([s]) => `${step(s)} has an empty spec.`,
  WorkflowSpecTooLarge: ([s, length, max]) =>
    `The spec of ${step(s, false)} is ${String(length)} bytes; at most ${String(max)} bytes are allowed.`,
  WorkflowSpecsTooLarge: ([length, max]) =>
    `The specs together are ${String(length)} bytes; one workflow holds at most ${String(max)} bytes.`,
  WorkflowZeroReward: ([s]) => `The reward cap of ${step(s, false)} must be more than zero.`,
  WorkflowZeroBond: ([s]) => `The bond of ${step(s, false)} must be more than zero.`,
  WorkflowInvalidArbiter: ([s, arbiter]) =>
    `The arbiter ${addr(arbiter)} of ${step(s, false)} is not a deployed contract. Name a deployed arbiter, such as the committee.`,
  WorkflowInvalidWindow: ([s, window]) =>
    `A window of ${String(window)} seconds in ${step(s, false)} is not allowed: every window must be between 1 second and ${inDays(WORKFLOW_LIMITS.MAX_WINDOW)}.`,
  WorkflowExpiryWindowTooShort: ([s, expiry, minimum]) =>
    `The expiry window of ${step(s, false)} (${String(expiry)} s) is shorter than one round (${String(minimum)} s).`,
  WorkflowBudgetTooLow: ([budget, required]) =>
    `The budget of ${eth(budget)} is below the sum of the step caps (${eth(required)}).`,
  WorkflowTokenNotAllowed: ([token]) =>
    `The token ${addr(token)} is not accepted by the market. Pay the budget in ETH or an allowed token.`,
  WorkflowWrongValue: ([expected, received]) =>
    `Creating this workflow must send exactly ${eth(expected)}, not ${eth(received)}.`,
  WorkflowTokenShortfall: ([token, expected, received]) =>
    `The token ${addr(token)} delivered ${String(received)} units instead of ${String(expected)} (it charges a fee or rebases). It cannot pay a budget.`,
  WorkflowTooManyRetries: ([retries, max]) =>
    `${String(retries)} retries are too many: a failed step is re-auctioned at most ${String(max)} times.`,
  WorkflowUnknown: ([id]) => `There is no workflow #${String(id)}.`,
  WorkflowUnknownStep: ([id, s]) => `Workflow #${String(id)} has no ${step(s, false)}.`,
  WorkflowNotRequester: ([id, caller]) =>
    `Only the requester of workflow #${String(id)} may do this, and ${addr(caller)} is not the requester.`,
  WorkflowNotActive: ([id, status]) =>
    `Workflow #${String(id)} has already ended (${(workflowStatusNames[Number(status)] ?? `status ${String(status)}`).toLowerCase()}).`,
  WorkflowStepInProgress: ([id, s, jobState]) =>
    `The job of ${step(s, false)} in workflow #${String(id)} is still running (${
      jobStateNames[Number(jobState)] ?? `state ${String(jobState)}`
    }); there is nothing to advance until it ends.`,
  WorkflowNothingToAdvance: ([id, s]) =>
    `${step(s)} of workflow #${String(id)} and its dependents are already up to date; there is nothing to advance.`,
  WorkflowNotMarket: ([caller]) => `Only the job market may report settlements, not ${addr(caller)}.`,
  WorkflowNothingToWithdraw: ([, token]) =>
    `The orchestrator holds no refund in ${isZeroAddress(String(token)) ? "ETH" : `token ${addr(token)}`} for this account.`,
  WorkflowTransferFailed: ([to, amount]) =>
    `Sending ${eth(amount)} to ${addr(to)} failed: that address does not accept ETH. Your refund is kept.`,
  WorkflowZeroAddress: () => "An address is required here; the zero address is not allowed.",
  WorkflowNoSurplus: ([token]) => `There is no surplus in ${addr(token)} to sweep.`,
  WorkflowInsufficientGas: ([gasLeft, required]) =>
    `The transaction ran low on gas before posting a workflow step (${String(gasLeft)} left, ${String(required)} needed). Try again with a higher gas limit.`,
  // ---- automation registry
  AutomationUnknownUpkeep: ([id]) => `There is no ${upkeep(id)}.`,
  AutomationNotOwner: ([id, caller, owner]) =>
    `Only the owner of ${upkeep(id)} (${addr(owner)}) may do this, and ${addr(caller)} is not its owner.`,
  AutomationTargetHasNoCode: ([target]) =>
    `There is no contract at the target ${addr(target)} on this network. Deploy the target first, or check the address.`,
  AutomationGasLimitOutOfRange: ([limit, min, max]) =>
    `A perform gas limit of ${String(limit)} is not allowed: it must be from ${String(min)} to ${String(max)}.`,
  AutomationCheckDataTooLong: ([length, max]) =>
    `The check data is ${String(length)} bytes; at most ${String(max)} bytes are allowed. Keep bulky data in the target.`,
  AutomationCheckDataUnused: () =>
    "Interval and cron upkeeps take no check data: their target receives the tick. Leave the check data empty.",
  AutomationZeroBalance: () => "An upkeep needs some ETH: send a balance with the registration or top-up.",
  AutomationAmountTooLarge: ([amount]) => `A balance of ${eth(amount)} is more than the registry can hold.`,
  AutomationIntervalOutOfRange: ([interval, min, max]) =>
    `An interval of ${String(interval)} seconds is not allowed: it must be from ${String(min)} seconds to ${inDays(Number(max))}.`,
  AutomationMalformedTrigger: ([kind, length]) =>
    `The ${kindName(kind)} trigger (${String(length)} bytes) is not encoded as the registry expects. This app encodes it itself: reload it, it may be out of date.`,
  AutomationInvalidLogFilter: ([emitter]) =>
    `The log filter is not valid: there is no contract at the emitter ${addr(emitter)}, or it names more than three topics.`,
  AutomationZeroGasPrice: () => "The gas price ceiling must be more than zero.",
  AutomationWrongStatus: ([id, status]) =>
    `This is not possible while ${upkeep(id)} is ${UPKEEP_STATUS_NAMES[Number(status)] ?? `status ${String(status)}`}: the page shows its current status.`,
  AutomationWrongTrigger: ([id, kind]) =>
    `${upkeep(id, true)} is a ${kindName(kind)} upkeep; it is performed another way.`,
  AutomationNotStaked: ([keeper, stake, minStake]) =>
    `${addr(keeper)} has ${eth(stake)} staked in the automation registry; performing needs at least ${eth(minStake)}. Register and deposit stake in the registry first.`,
  AutomationNotLeaseHolder: ([id, epoch, holder]) =>
    `${addr(holder)} holds the lease of ${upkeep(id, false)} for epoch ${String(epoch)}: only it may perform until its grace has passed.`,
  AutomationUnderfunded: ([id, balance, needed]) =>
    `${upkeep(id, true)} holds ${eth(balance)}, less than one perform may cost (${eth(needed)}). Add funds.`,
  AutomationInsufficientGas: ([gasLeft, needed]) =>
    `The transaction ran low on gas before the perform (${String(gasLeft)} left, ${String(needed)} needed). Try again with a higher gas limit.`,
  AutomationAlreadyPerformedInBlock: ([id, block]) =>
    `${upkeep(id, true)} was already performed in block ${String(block)}; a condition upkeep is performed at most once per block.`,
  AutomationTickNotDue: ([id, tick]) => `The tick of ${time(tick)} of ${upkeep(id, false)} has not come yet.`,
  AutomationTickNotScheduled: ([id, tick]) => `${time(tick)} is not on the schedule of ${upkeep(id, false)}.`,
  AutomationTickAlreadyPerformed: ([id, tick]) =>
    `The tick of ${time(tick)} of ${upkeep(id, false)}, or a later one, was already performed.`,
  AutomationTickSuperseded: ([id, tick, latest]) =>
    `A later tick of ${upkeep(id, false)} is due (${time(latest)}); missed ticks such as ${time(tick)} are skipped.`,
  AutomationLogNotFinal: ([id, block]) =>
    `The log of block ${String(block)} cannot be performed for ${upkeep(id, false)} before the next block.`,
  AutomationLogReorged: ([id, block]) =>
    `Block ${String(block)} was replaced by a reorganisation, so its log no longer triggers ${upkeep(id, false)}.`,
  AutomationLogAlreadyPerformed: ([id]) => `That log, or a later one, was already performed for ${upkeep(id, false)}.`,
  AutomationLogFilterMismatch: ([id]) => `That log does not match the filter of ${upkeep(id, false)}.`,
  AutomationCheckReverted: ([id]) =>
    `The target's checkUpkeep reverted on chain, so ${upkeep(id, false)} cannot be reported due.`,
  AutomationNotNeeded: ([id]) => `The target's checkUpkeep says ${upkeep(id, false)} needs no perform now.`,
  AutomationReportNotNeeded: ([id]) =>
    `${upkeep(id, true)} needs no due report: it has no lease in force, or a report is already pending.`,
  AutomationLeaseWindow: ([id, epoch, opensAt, closesAt]) =>
    `The lease auction of ${upkeep(id, false)} for epoch ${String(epoch)} takes this only from ${time(opensAt)} to ${time(closesAt)}.`,
  AutomationAlreadyCommitted: ([id, epoch, bidder]) =>
    `${addr(bidder)} has already bid on the lease of ${upkeep(id, false)} for epoch ${String(epoch)}.`,
  AutomationCommitmentMismatch: ([id, epoch, bidder]) =>
    `The premium and salt do not open ${addr(bidder)}'s sealed bid on the lease of ${upkeep(id, false)} for epoch ${String(epoch)}, or there is none.`,
  AutomationZeroCommitment: () => "The lease bid commitment is empty.",
  AutomationPremiumTooHigh: ([premium, max]) =>
    `A premium of ${eth(premium)} is above the owner's maximum of ${eth(max)} per perform.`,
  AutomationInsufficientFreeStake: ([free, bond]) =>
    `Your free stake in the automation registry (${eth(free)}) does not cover the lease bond of ${eth(bond)}.`,
  AutomationLeaseNotClosable: ([id, epoch, endsAt]) =>
    `The lease of ${upkeep(id, false)} for epoch ${String(epoch)} cannot be closed yet (it ends at ${time(endsAt)}), has unrevealed bids, or was closed.`,
  AutomationAuctionPending: ([id, , , revealEnds]) =>
    `Sealed bids on the next lease of ${upkeep(id, false)} can still be revealed; cancel after ${time(revealEnds)}.`,
  AutomationWithdrawNotReady: ([id, withdrawableAt, now]) =>
    `The balance of ${upkeep(id, false)} can be withdrawn in ${formatDuration(Number(n(withdrawableAt) - n(now)))} (at ${time(withdrawableAt)}).`,
  AutomationNothingToWithdraw: () => "There is nothing to withdraw.",
  AutomationTransferFailed: ([to, amount]) =>
    `Sending ${eth(amount)} to ${addr(to)} failed: that address does not accept ETH. Nothing was lost; withdraw to another address.`,
  AutomationZeroAddress: () => "A recipient address is required.",
  AutomationInvalidParams: ([reason]) => `The registry's parameters cannot work together: ${String(reason)}.`,
  CronInvalid: ([field, position]) =>
    `The cron expression is not valid ${
      Number(field) === CRON_WHOLE_EXPRESSION ? "as a whole" : `in its ${CRON_FIELD_NAMES[Number(field)] ?? "?"} field`
    } (at character ${Number(position) + 1}).`,
  CronNeverFires: () => "The cron expression never fires: no chosen month has the chosen day.",
  // ---- ERC-20 (reward tokens)
  ERC20InsufficientAllowance: ([spender, allowance, needed]) =>
    `The market (${addr(spender)}) may move only ${String(allowance)} of your tokens but needs ${String(needed)}. Approve the reward first.`,
  ERC20InsufficientBalance: ([sender, balance, needed]) =>
    `${addr(sender)} holds ${String(balance)} token units but ${String(needed)} are needed.`,
  ERC20InvalidApprover: ([a]) => `${addr(a)} cannot approve token transfers.`,
  ERC20InvalidReceiver: ([a]) => `${addr(a)} cannot receive these tokens.`,
  ERC20InvalidSender: ([a]) => `${addr(a)} cannot send these tokens.`,
  ERC20InvalidSpender: ([a]) => `${addr(a)} cannot be approved to spend these tokens.`,
};

/** The sentence for a decoded contract error, or a fallback naming the raw error. */
export function contractErrorMessage(error: BatonContractError): string {
  if (error.errorName && errorMessages[error.errorName]) {
    try {
      return errorMessages[error.errorName]!(error.args);
    } catch {
      // malformed arguments: fall through to the generic sentence
    }
  }
  if (error.errorName) return `The contract refused the transaction (${error.errorName}).`;
  return "The contract refused the transaction without saying why.";
}

/**
 * Any error from a read or a transaction, in words a person understands. Reverts arrive from the
 * sdk's `send` as `BatonContractError` (decoded in simulation) or `TransactionRevertedError` (mined
 * but reverted); errors of plain reads go through the sdk's `toBatonError` first.
 */
export function describeError(error: unknown): string {
  if (error instanceof TransactionRevertedError) {
    return "The transaction was mined but reverted: the job changed in the meantime.";
  }
  const baton = toBatonError(error);
  if (baton instanceof BatonContractError) return contractErrorMessage(baton);
  if (baton instanceof BaseError) {
    const named = (name: string) => baton.walk((e) => (e as { name?: string }).name === name);
    if (named("UserRejectedRequestError") || /user (rejected|denied)/i.test(baton.message)) {
      return "You rejected the request in your wallet; nothing was sent.";
    }
    if (named("InsufficientFundsError")) {
      return "Your account does not hold enough ETH for this transaction (amount plus gas).";
    }
    if (named("ChainMismatchError") || named("ConnectorChainMismatchError")) {
      return "Your wallet is on another network. Switch networks and try again.";
    }
    if (named("ConnectorNotConnectedError")) return "Connect a wallet first.";
    if (named("HttpRequestError") || named("TimeoutError")) {
      return "The network's RPC endpoint did not answer. Check your connection and try again.";
    }
    return baton.shortMessage;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

export type { Address };
