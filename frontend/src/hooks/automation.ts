// Query hooks over the automation registry: its parameters, a page of upkeeps, one upkeep, its
// perform history and the simulated `checkUpkeep` of a target. Refreshed live like the rest of the
// app (a local chain every second, public chains every few seconds).
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { Address, Hex } from "viem";
import { getGasPrice } from "viem/actions";
import { useBaton } from "../BatonContext.tsx";
import {
  loadAutomationParams,
  loadPerformHistory,
  loadRevertReasons,
  loadUpkeep,
  loadUpkeepPage,
  simulateCheck,
} from "../lib/automation.ts";

/** The automation registry of the chosen deployment, if it has one. */
export function useAutomationRegistry(): Address | undefined {
  return useBaton().chain.addressBook.automationRegistry;
}

/** The registry's fixed parameters (epoch, overhead gas, withdraw delay…). */
export function useAutomationParams() {
  const { chain, client } = useBaton();
  const registry = useAutomationRegistry();
  return useQuery({
    queryKey: ["automationParams", chain.chainId, registry],
    queryFn: () => loadAutomationParams(client, registry!),
    enabled: !!registry,
    staleTime: Infinity,
  });
}

/** Page `page` of every upkeep, newest first, with its current lease. */
export function useUpkeepPage(page: number, pageSize: number) {
  const { chain, client, pollMs } = useBaton();
  const registry = useAutomationRegistry();
  const params = useAutomationParams();
  return useQuery({
    queryKey: ["upkeeps", chain.chainId, registry, page, pageSize],
    queryFn: () => loadUpkeepPage(client, chain.addressBook, params.data!, page, pageSize),
    enabled: !!registry && !!params.data,
    refetchInterval: pollMs * 3,
    placeholderData: keepPreviousData,
  });
}

/** Upkeep `id` with its leases, due report and the gas price, or null when there is no such upkeep. */
export function useUpkeep(id: bigint) {
  const { chain, client, pollMs } = useBaton();
  const registry = useAutomationRegistry();
  const params = useAutomationParams();
  return useQuery({
    queryKey: ["upkeep", chain.chainId, registry, String(id)],
    queryFn: () => loadUpkeep(client, registry!, params.data!, id),
    enabled: !!registry && !!params.data,
    refetchInterval: pollMs,
  });
}

/** The upkeep's performs (oldest first) and the revert reasons of the failed ones, by transaction. */
export function usePerformHistory(id: bigint) {
  const { chain, client, pollMs } = useBaton();
  const registry = useAutomationRegistry();
  const from = chain.addressBook.deploymentBlock;
  return useQuery({
    queryKey: ["performs", chain.chainId, registry, String(id)],
    queryFn: async () => {
      const performs = await loadPerformHistory(client, registry!, id, from);
      const reasons = performs.some((p) => !p.success)
        ? await loadRevertReasons(client, registry!, id, from)
        : new Map<Hex, string>();
      return { performs, reasons };
    },
    enabled: !!registry,
    refetchInterval: pollMs,
  });
}

/**
 * The target's `checkUpkeep(checkData)` simulated from address(0), refreshed while shown; nothing
 * is read while `target` is undefined.
 */
export function useCheckSimulation(target: Address | undefined, checkData: Hex | undefined, gas?: number) {
  const { chain, client, pollMs } = useBaton();
  return useQuery({
    queryKey: ["checkUpkeep", chain.chainId, target, checkData, gas],
    queryFn: () => simulateCheck(client, target!, checkData!, gas),
    enabled: !!target && checkData !== undefined,
    refetchInterval: pollMs * 2,
  });
}

/** The network's gas price now, refreshed like the rest of the page. */
export function useGasPrice() {
  const { chain, client, pollMs } = useBaton();
  return useQuery({
    queryKey: ["gasPrice", chain.chainId],
    queryFn: () => getGasPrice(client),
    refetchInterval: pollMs * 5,
  });
}
