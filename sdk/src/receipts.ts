// Reading what a mined transaction did: the events callers need, decoded and typed, from the
// receipt's logs of one contract.
import {
  parseEventLogs,
  type Abi,
  type Address,
  type ContractEventName,
  type ParseEventLogsReturnType,
  type TransactionReceipt,
} from "viem";
import { BatonError } from "./errors.js";
import { jobMarketAbi, workflowOrchestratorAbi } from "./generated/abis.js";
import { unpackTerms } from "./packed.js";

/** The `eventName` events that `address` emitted in `receipt`, decoded with `abi`. */
export function parseReceiptEvents<const TAbi extends Abi, const TName extends ContractEventName<TAbi>>(
  receipt: Pick<TransactionReceipt, "logs">,
  address: Address,
  abi: TAbi,
  eventName: TName | readonly TName[],
): ParseEventLogsReturnType<TAbi, TName, true> {
  const own = receipt.logs.filter((log) => log.address.toLowerCase() === address.toLowerCase());
  return parseEventLogs({ abi, logs: own, eventName: eventName as never, strict: true }) as never;
}

/** The jobs a transaction posted on `market` (one per `JobPosted`), in log order, terms unpacked. */
export function parseJobPosted(receipt: Pick<TransactionReceipt, "logs">, market: Address) {
  return parseReceiptEvents(receipt, market, jobMarketAbi, "JobPosted").map((log) => ({
    ...log.args,
    terms: unpackTerms(log.args.terms),
  }));
}

/** The workflow a `createWorkflow` transaction created on `orchestrator`; throws when there is none. */
export function parseWorkflowCreated(
  receipt: Pick<TransactionReceipt, "logs" | "transactionHash">,
  orchestrator: Address,
) {
  const [created] = parseReceiptEvents(receipt, orchestrator, workflowOrchestratorAbi, "WorkflowCreated");
  if (!created) throw new BatonError(`transaction ${receipt.transactionHash} created no workflow`);
  return created.args;
}
