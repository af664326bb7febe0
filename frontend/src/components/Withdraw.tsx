// Withdrawable credits of the connected account in some tokens, each with a Withdraw button.
import { marketCall } from "@baton/sdk";
import { useConnection } from "wagmi";
import type { Address } from "viem";
import { useBaton } from "../BatonContext.tsx";
import { useCredits, useTokenInfo } from "../hooks/data.ts";
import { formatAmount } from "../lib/format.ts";
import { tokenOf } from "../lib/market.ts";
import { useTransactor } from "../tx/TxProvider.tsx";

export function Withdraw({ tokens, showEarned = false }: { tokens: Address[]; showEarned?: boolean }) {
  const { chain } = useBaton();
  const { address } = useConnection();
  const credits = useCredits(address, tokens);
  const info = useTokenInfo(tokens);
  const { send, busy } = useTransactor();
  if (!address) return <p>Connect a wallet to see your credits.</p>;
  if (!credits.data) return <p className="loading">Loading credits…</p>;
  return (
    <ul className="credits">
      {credits.data.map((c) => {
        const token = tokenOf(info.data, c.token);
        return (
          <li key={c.token}>
            <span>
              Withdrawable: <strong>{formatAmount(c.credit, token)}</strong>
              {showEarned && <> · earned as a worker: {formatAmount(c.earned, token)}</>}
            </span>
            {c.credit > 0n && (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void send({
                    ...marketCall(chain.addressBook.jobMarket, "withdraw", [c.token]),
                    label: `Withdraw ${formatAmount(c.credit, token)}`,
                  })
                }
              >
                Withdraw {token.symbol}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
