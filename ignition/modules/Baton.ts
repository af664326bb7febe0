import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ArgumentType, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";

const ZERO = "0x0000000000000000000000000000000000000000";

/**
 * The whole protocol: a TimelockController as governance, the JobMarket owned by it, a
 * committee arbiter and the workflow orchestrator (an ordinary requester of the market, with no owner). Values come from the parameters file of the network
 * (`ignition/parameters/<network>.json`); the defaults suit a local chain.
 */
export function buildBaton(
  m: IgnitionModuleBuilder,
  opts: { allowedTokens: ArgumentType; committee: ArgumentType; proposer: ArgumentType },
) {
  const deployer = m.getAccount(0);
  const treasury = m.getParameter("treasury", deployer);

  const timelock = m.contract("TimelockController", [
    m.getParameter("timelockDelay", 60),
    [opts.proposer],
    // The zero address as executor lets anyone execute a proposal once its delay has passed.
    [ZERO],
    // No admin: the timelock governs itself.
    ZERO,
  ]);

  const market = m.contract("JobMarket", [
    timelock,
    {
      treasury,
      feeBps: m.getParameter("feeBps", 250),
      forfeitBps: m.getParameter("forfeitBps", 2_000),
      slashBountyBps: m.getParameter("slashBountyBps", 1_000),
      // Enough for the workflow orchestrator to post about five dependent steps from one callback.
      callbackGasLimit: m.getParameter("callbackGasLimit", 1_000_000),
      rulingTimeout: m.getParameter("rulingTimeout", 600),
      unbondingDelay: m.getParameter("unbondingDelay", 600),
      disputeBond: m.getParameter("disputeBond", 10n ** 16n),
    },
    opts.allowedTokens,
  ]);

  const arbiter = m.contract("CommitteeArbiter", [market, opts.committee, m.getParameter("votingPeriod", 300)]);

  // Penalty shares paid to the orchestrator as a requester, which no workflow owns, go to the treasury.
  const workflowOrchestrator = m.contract("WorkflowOrchestrator", [market, treasury]);

  // Upkeeps served by a lease market of keepers staked in the registry (see docs/ARCHITECTURE.md).
  const automationRegistry = m.contract("AutomationRegistry", [
    {
      epoch: m.getParameter("automationEpoch", 600),
      commitWindow: m.getParameter("automationCommitWindow", 60),
      revealWindow: m.getParameter("automationRevealWindow", 60),
      leaseBond: m.getParameter("automationLeaseBond", 10n ** 17n),
      forfeitBps: m.getParameter("automationForfeitBps", 2_000),
      missPenaltyBps: m.getParameter("automationMissPenaltyBps", 2_500),
      graceSeconds: m.getParameter("automationGraceSeconds", 10),
      graceBlocks: m.getParameter("automationGraceBlocks", 5),
      minStake: m.getParameter("automationMinStake", 10n ** 17n),
      performOverheadGas: m.getParameter("automationPerformOverheadGas", 35_000),
      maxPerformGas: m.getParameter("automationMaxPerformGas", 5_000_000),
      checkGasLimit: m.getParameter("automationCheckGasLimit", 5_000_000),
      withdrawDelay: m.getParameter("automationWithdrawDelay", 600),
      unbondingDelay: m.getParameter("unbondingDelay", 600),
    },
  ]);

  return { timelock, market, arbiter, workflowOrchestrator, automationRegistry };
}

/** Public networks: the proposer, committee and token allowlist must be given as parameters. */
export default buildModule("Baton", (m) =>
  buildBaton(m, {
    allowedTokens: m.getParameter("allowedTokens", []),
    committee: m.getParameter("committee"),
    proposer: m.getParameter("proposer"),
  }),
);
