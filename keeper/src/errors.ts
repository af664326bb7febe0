// The keeper's policy on errors; decoding a revert is the sdk's (`decodeRevert`).

/**
 * Contract errors (of the market, the orchestrator and the committee) that mean "somebody already
 * did it" or "the moment has passed": normal. `JobMarketTermsMismatch` is one of them for a call
 * built before a result was submitted (or taken down by a lost dispute): the job's digest binds
 * the standing result hash, so a call with a stale one no longer matches.
 */
export const BENIGN_REVERTS = new Set([
  "JobMarketUnexpectedState",
  "JobMarketTermsMismatch",
  "JobMarketAlreadyCommitted",
  "JobMarketNoCommitment",
  "JobMarketNothingToWithdraw",
  "JobMarketRevealStillOpen",
  "CommitteeArbiterNoDispute",
  "WorkflowNothingToAdvance",
  "WorkflowStepInProgress",
  "WorkflowNotActive",
  "AutomationAlreadyPerformedInBlock",
  "AutomationTickAlreadyPerformed",
  "AutomationTickSuperseded",
  "AutomationLogAlreadyPerformed",
  "AutomationReportNotNeeded",
  "AutomationNotNeeded",
  "AutomationAlreadyCommitted",
]);

/**
 * Contract errors that mean "not yet": the step stays queued and is simulated again next pass. A
 * log in the newest block cannot be referenced before the next block (nodes that simulate on the
 * latest block rather than the pending one refuse it until then).
 */
export const NOT_YET_REVERTS = new Set(["AutomationLogNotFinal"]);

/** Messages that mean the node already has, or has already mined, this nonce. */
export const isNonceTooLow = (e: unknown) =>
  /nonce too low|nonce has already been used|already known|known transaction/i.test(String((e as Error)?.message ?? e));
