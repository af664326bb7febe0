// Registering an upkeep from the form: the pure check (the sdk's `prepareRegisterUpkeep`), then
// the checks that need the chain (the target and a log filter's emitter are contracts, the balance
// covers the initial funds, and for a condition upkeep the target's `checkUpkeep` simulated from
// address(0)), still before any transaction; then `registerUpkeep` and the new upkeep's id.
import { automationRegistryAbi } from "@baton/sdk";
import { useState } from "react";
import { useConnection } from "wagmi";
import { getAddress, parseEventLogs, type Address } from "viem";
import { getBalance } from "viem/actions";
import { useBaton } from "../BatonContext.tsx";
import { simulateCheck } from "../lib/automation.ts";
import { formatAmount } from "../lib/format.ts";
import { validateUpkeep, type UpkeepFormErrors, type UpkeepFormValues, type ValidUpkeep } from "../lib/upkeepForm.ts";
import type { CheckResult } from "../lib/upkeepModel.ts";
import { isContract } from "../tx/payment.ts";
import { useTransactor } from "../tx/TxProvider.tsx";
import { useAutomationParams } from "./automation.ts";

export type RegisterCheck =
  | { ok: true; value: ValidUpkeep; simulation?: CheckResult }
  | { ok: false; errors: UpkeepFormErrors; simulation?: CheckResult };

export function useRegisterUpkeep(registry: Address) {
  const { chain, client } = useBaton();
  const params = useAutomationParams();
  const { address, chainId: walletChainId } = useConnection();
  const { send, busy } = useTransactor();
  const [checking, setChecking] = useState(false);
  const maxPerformGas = params.data?.maxPerformGas;

  /** The pure check alone (for the live preview). */
  const validate = (values: UpkeepFormValues) =>
    validateUpkeep(values, registry, maxPerformGas ? { maxPerformGas } : {});

  /** Every problem of the form, keyed to its field, or the registration to send. */
  async function check(values: UpkeepFormValues): Promise<RegisterCheck> {
    const checked = validate(values);
    if (!checked.ok) return checked;
    if (!address) return { ok: false, errors: { form: "Connect a wallet to register an upkeep." } };
    if (walletChainId !== chain.chainId)
      return { ok: false, errors: { form: `Switch your wallet to ${chain.name} first.` } };
    const r = checked.value.registration;
    setChecking(true);
    try {
      const found: UpkeepFormErrors = {};
      if (!(await isContract(client, r.target))) {
        found.target = "There is no contract at this address on this network: the registry only performs contracts.";
      }
      if (r.trigger.kind === "log" && !(await isContract(client, r.trigger.filter.emitter))) {
        found.emitter = "There is no contract at this address on this network, so it can never emit the event.";
      }
      const balance = await getBalance(client, { address });
      if (balance < r.balance) {
        found.balance = `Your balance of ${formatAmount(balance)} does not cover an initial balance of ${formatAmount(r.balance)}.`;
      }
      if (Object.keys(found).length) return { ok: false, errors: found };
      if (r.trigger.kind !== "condition") return checked;
      const simulation = await simulateCheck(client, r.target, r.checkData ?? "0x", params.data?.checkGasLimit);
      return { ...checked, simulation };
    } catch (error) {
      return { ok: false, errors: { form: `Could not check the chain: ${(error as Error).message.split("\n")[0]}` } };
    } finally {
      setChecking(false);
    }
  }

  /** Sends `registerUpkeep`; resolves with the new upkeep's id, or undefined. */
  async function register({ call, registration }: ValidUpkeep): Promise<bigint | undefined> {
    const receipt = await send({ ...call, label: `Register upkeep (${formatAmount(registration.balance)})` });
    if (!receipt) return undefined;
    const logs = parseEventLogs({ abi: automationRegistryAbi, logs: receipt.logs, eventName: "UpkeepRegistered" });
    return logs.find((l) => getAddress(l.address) === getAddress(registry))?.args.upkeepId;
  }

  return { validate, check, register, checking, busy, connected: !!address, maxPerformGas };
}
