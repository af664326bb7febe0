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

  return { timelock, market, arbiter, workflowOrchestrator };
}

/** Public networks: the proposer, committee and token allowlist must be given as parameters. */
export default buildModule("Baton", (m) =>
  buildBaton(m, {
    allowedTokens: m.getParameter("allowedTokens", []),
    committee: m.getParameter("committee"),
    proposer: m.getParameter("proposer"),
  }),
);
