import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ArgumentType, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";

const ZERO = "0x0000000000000000000000000000000000000000";

/**
 * The whole protocol: a TimelockController as governance, the JobMarket owned by it, and a
 * committee arbiter. Values come from the parameters file of the network
 * (`ignition/parameters/<network>.json`); the defaults suit a local chain.
 */
export function buildBaton(
  m: IgnitionModuleBuilder,
  opts: { allowedTokens: ArgumentType; committee: ArgumentType; proposer: ArgumentType },
) {
  const deployer = m.getAccount(0);

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
      treasury: m.getParameter("treasury", deployer),
      feeBps: m.getParameter("feeBps", 250),
      forfeitBps: m.getParameter("forfeitBps", 2_000),
      slashBountyBps: m.getParameter("slashBountyBps", 1_000),
      callbackGasLimit: m.getParameter("callbackGasLimit", 200_000),
      rulingTimeout: m.getParameter("rulingTimeout", 600),
      unbondingDelay: m.getParameter("unbondingDelay", 600),
      disputeBond: m.getParameter("disputeBond", 10n ** 16n),
    },
    opts.allowedTokens,
  ]);

  const arbiter = m.contract("CommitteeArbiter", [market, opts.committee, m.getParameter("votingPeriod", 300)]);

  return { timelock, market, arbiter };
}

/** Public networks: the proposer, committee and token allowlist must be given as parameters. */
export default buildModule("Baton", (m) =>
  buildBaton(m, {
    allowedTokens: m.getParameter("allowedTokens", []),
    committee: m.getParameter("committee"),
    proposer: m.getParameter("proposer"),
  }),
);
