// One transaction pipeline for the whole app, the sdk's `send`: simulate (a revert costs nothing
// and comes back as a sentence), estimate under the gas cap, ask the wallet, show the pending
// transaction, wait for the receipt, show success or the reason it failed, and refresh every
// query. Notices are announced to screen readers.
import { send as sendWrite, type ContractWrite, type WriteName } from "@baton/sdk";
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { useConfig } from "wagmi";
import { getConnectorClient, getPublicClient } from "wagmi/actions";
import type { Abi, Hex, TransactionReceipt } from "viem";
import { useBaton } from "../BatonContext.tsx";
import { describeError } from "../lib/errors.ts";
import { explorerLink } from "../lib/format.ts";

/**
 * A contract write built by one of the sdk's builders (`marketCall`, `preparePostJob`…), its
 * arguments checked against the ABI, and what it does in words: "Post job", "Withdraw 0.1 ETH".
 */
export type TxRequest<TAbi extends Abi = Abi, TName extends WriteName<TAbi> = WriteName<TAbi>> = ContractWrite<
  TAbi,
  TName
> & { label: string };

export type Notice = {
  id: number;
  label: string;
  status: "checking" | "wallet" | "pending" | "confirmed" | "failed";
  message?: string;
  hash?: Hex;
  link?: string;
};

type TxContextValue = {
  notices: Notice[];
  dismiss: (id: number) => void;
  /** Runs a contract transaction through the pipeline; resolves with the receipt, or undefined if it failed. */
  send: <const TAbi extends Abi, const TName extends WriteName<TAbi>>(
    tx: TxRequest<TAbi, TName>,
  ) => Promise<TransactionReceipt | undefined>;
  busy: boolean;
};

const CONFIRMED_NOTICE_MS = 10_000;

const TxContext = createContext<TxContextValue | undefined>(undefined);

export function TxProvider({ children }: { children: ReactNode }) {
  const wagmiConfig = useConfig();
  const { chain } = useBaton();
  const queryClient = useQueryClient();
  const [notices, setNotices] = useState<Notice[]>([]);
  const [inFlight, setInFlight] = useState(0);
  const nextId = useRef(1);

  const update = useCallback((id: number, patch: Partial<Notice>) => {
    setNotices((list) => list.map((n) => (n.id === id ? { ...n, ...patch } : n)));
  }, []);
  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);

  const send = useCallback(
    async (tx: TxRequest) => {
      const id = nextId.current++;
      setNotices((list) => [...list.slice(-2), { id, label: tx.label, status: "checking" }]);
      setInFlight((n) => n + 1);
      try {
        const wallet = await getConnectorClient(wagmiConfig, { chainId: chain.chainId });
        const publicClient = getPublicClient(wagmiConfig, { chainId: chain.chainId })!;
        const { label, ...write } = tx;
        const { receipt } = await sendWrite(wallet, publicClient, write, {
          label,
          pollingInterval: 500,
          onStage: (stage, hash) => {
            if (stage === "signing") update(id, { status: "wallet" });
            if (stage === "pending" && hash) {
              update(id, { status: "pending", hash, link: explorerLink(chain.explorerUrl, "tx", hash) });
            }
          },
        });
        update(id, { status: "confirmed" });
        // Successes step aside after a while; failures stay until dismissed.
        setTimeout(() => dismiss(id), CONFIRMED_NOTICE_MS);
        await queryClient.invalidateQueries();
        return receipt;
      } catch (error) {
        update(id, { status: "failed", message: describeError(error) });
        return undefined;
      } finally {
        setInFlight((n) => n - 1);
      }
    },
    [wagmiConfig, chain, queryClient, update, dismiss],
  );

  const value = useMemo(
    () => ({ notices, dismiss, send: send as TxContextValue["send"], busy: inFlight > 0 }),
    [notices, dismiss, send, inFlight],
  );
  return <TxContext.Provider value={value}>{children}</TxContext.Provider>;
}

export function useTransactor(): TxContextValue {
  const value = useContext(TxContext);
  if (!value) throw new Error("useTransactor outside TxProvider");
  return value;
}

const STATUS_TEXT: Record<Notice["status"], string> = {
  checking: "Checking…",
  wallet: "Confirm in your wallet…",
  pending: "Pending…",
  confirmed: "Confirmed",
  failed: "Failed",
};

export function Notices() {
  const { notices, dismiss } = useTransactor();
  return (
    <section className="notices" aria-label="Transactions" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.status}`} role={n.status === "failed" ? "alert" : "status"}>
          <div>
            <strong>{n.label}</strong>: {STATUS_TEXT[n.status]}
            {n.message && <p className="notice-message">{n.message}</p>}
            {n.hash &&
              (n.link ? (
                <a href={n.link} target="_blank" rel="noreferrer">
                  View transaction
                </a>
              ) : (
                <code className="hash" title={n.hash}>
                  {n.hash.slice(0, 10)}…
                </code>
              ))}
          </div>
          {(n.status === "confirmed" || n.status === "failed") && (
            <button
              type="button"
              className="link"
              onClick={() => dismiss(n.id)}
              aria-label={`Dismiss ${n.label} notice`}
            >
              ×
            </button>
          )}
        </div>
      ))}
    </section>
  );
}
