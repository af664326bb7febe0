// Withdrawable credits of the connected account in some tokens, each with a Withdraw button, and
// optionally what it earned as a worker (summed from the market's `JobSettled` events).
import { marketCall } from "@baton/sdk";
import { useConnection } from "wagmi";
import type { Address } from "viem";
import { useBaton } from "../BatonContext.tsx";
import { useCredits, useEarnings, useTokenInfo } from "../hooks/data.ts";
import { formatAmount } from "../lib/format.ts";
import { tokenOf } from "../lib/market.ts";
import { useTransactor } from "../tx/TxProvider.tsx";

/** Earnings in `token` from a map keyed by the addresses as logged (checksummed). */
function earningsOf(earnings: ReadonlyMap<Address, bigint>, token: Address): bigint {
  for (const [t, amount] of earnings) if (t.toLowerCase() === token.toLowerCase()) return amount;
  return 0n;
}

export function Withdraw({ tokens, showEarned = false }: { tokens: Address[]; showEarned?: boolean }) {
  const { chain } = useBaton();
  const { address } = useConnection();
  const credits = useCredits(address, tokens);
  const earnings = useEarnings(address, showEarned);
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
              {showEarned && earnings.data && (
                <> · earned as a worker: {formatAmount(earningsOf(earnings.data, c.token), token)}</>
              )}
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
