// The connected account's money, in the header: its ETH balance and what it can withdraw (the
// market's credits — refunds, payments, returned bonds — and the orchestrator's workflow refunds),
// with a Withdraw menu that works for requesters and workers alike.
import { marketCall, orchestratorCall, workflowOrchestratorAbi, ZERO_ADDRESS } from "@baton/sdk";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useConnection } from "wagmi";
import { type Address } from "viem";
import { getBalance, readContract } from "viem/actions";
import { useBaton } from "../BatonContext.tsx";
import { useAllowedTokens, useCredits } from "../hooks/data.ts";
import { ETH, formatAmount, type TokenInfo } from "../lib/format.ts";
import { useTransactor } from "../tx/TxProvider.tsx";

/** One withdrawable amount: where it waits (market or orchestrator) and in which token. */
export type Withdrawable = { source: "market" | "orchestrator"; token: TokenInfo; amount: bigint };

/** The non-zero credits, market first, as the header lists them. */
export function withdrawables(
  market: readonly { token: Address; credit: bigint }[],
  orchestrator: readonly { token: Address; credit: bigint }[],
  tokens: readonly TokenInfo[],
): Withdrawable[] {
  const info = (a: Address) => tokens.find((t) => t.address.toLowerCase() === a.toLowerCase()) ?? ETH;
  return [
    ...market
      .filter((c) => c.credit > 0n)
      .map((c) => ({ source: "market" as const, token: info(c.token), amount: c.credit })),
    ...orchestrator
      .filter((c) => c.credit > 0n)
      .map((c) => ({ source: "orchestrator" as const, token: info(c.token), amount: c.credit })),
  ];
}

export function AccountFunds() {
  const { chain, client, pollMs } = useBaton();
  const { address } = useConnection();
  const { send, busy } = useTransactor();
  const [open, setOpen] = useState(false);
  const allowed = useAllowedTokens();
  const tokens: TokenInfo[] = [ETH, ...(allowed.data ?? []).filter((t) => t.address !== ZERO_ADDRESS)];
  const addresses = tokens.map((t) => t.address);
  const credits = useCredits(address, addresses);
  const orchestrator = chain.addressBook.workflowOrchestrator;
  const balance = useQuery({
    queryKey: ["balance", chain.chainId, address],
    queryFn: () => getBalance(client, { address: address! }),
    enabled: !!address,
    refetchInterval: pollMs * 3,
  });
  const refunds = useQuery({
    queryKey: ["orchestratorCredits", chain.chainId, orchestrator, address, addresses.join(",")],
    queryFn: () =>
      Promise.all(
        addresses.map(async (token) => ({
          token,
          credit: await readContract(client, {
            address: orchestrator!,
            abi: workflowOrchestratorAbi,
            functionName: "creditOf",
            args: [address!, token],
          }),
        })),
      ),
    enabled: !!address && !!orchestrator,
    refetchInterval: pollMs * 3,
  });
  if (!address) return null;
  const list = withdrawables(credits.data ?? [], refunds.data ?? [], tokens);
  const summary = list.length
    ? list.map((w) => formatAmount(w.amount, w.token)).join(" + ")
    : credits.data
      ? "none"
      : "…";
  return (
    <div className="account-funds wallet" aria-label="Your funds">
      <span>
        Balance <strong>{balance.data !== undefined ? formatAmount(balance.data, ETH, 4) : "…"}</strong>
      </span>
      <span>
        Withdrawable <strong>{summary}</strong>
      </span>
      {list.length > 0 && (
        <button
          type="button"
          className="secondary"
          aria-expanded={open}
          aria-controls="withdraw-menu"
          onClick={() => setOpen(!open)}
        >
          Withdraw…
        </button>
      )}
      {open && list.length > 0 && (
        <div id="withdraw-menu" className="menu" role="group" aria-label="Withdraw credits">
          {list.map((w) => (
            <button
              key={`${w.source}:${w.token.address}`}
              type="button"
              disabled={busy}
              onClick={() => {
                setOpen(false);
                const label = `Withdraw ${formatAmount(w.amount, w.token)}`;
                if (w.source === "market") {
                  void send({ ...marketCall(chain.addressBook.jobMarket, "withdraw", [w.token.address]), label });
                } else {
                  void send({
                    ...orchestratorCall(orchestrator!, "withdraw", [w.token.address]),
                    label: `${label} of workflow refunds`,
                  });
                }
              }}
            >
              Withdraw {formatAmount(w.amount, w.token)}
              {w.source === "orchestrator" ? " (workflow refunds)" : ""}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
