// Names for addresses people meet on every page: their own account, the deployment's contracts,
// the treasury, and the keepers a configuration names. Pure.
import type { Address } from "viem";
import type { ChainConfig } from "../config/runtime.ts";
import { sameAddress } from "./format.ts";

export type KnownAddresses = {
  /** The connected account. */
  account?: Address | undefined;
  /** The market's fee treasury (from its parameters), once read. */
  treasury?: Address | undefined;
  chain: Pick<ChainConfig, "addressBook" | "addressLabels">;
};

/** The name of `address` ("you", "the market", …), or undefined for an address nobody named. */
export function labelOf(address: string, known: KnownAddresses): string | undefined {
  const book = known.chain.addressBook;
  const names: [string | undefined, string][] = [
    [known.account, "you"],
    [book.jobMarket, "the market"],
    [book.workflowOrchestrator, "the orchestrator"],
    [book.automationRegistry, "the automation registry"],
    [book.committeeArbiter, "the committee arbiter"],
    [known.treasury, "the treasury"],
    [book.timelock, "governance"],
    [book.demoToken, "the demo token"],
  ];
  const mine = names.filter(([a]) => sameAddress(a, address)).map(([, n]) => n);
  const configured = known.chain.addressLabels[address.toLowerCase()];
  if (configured) mine.push(configured);
  return mine.length ? mine.join(", ") : undefined;
}
