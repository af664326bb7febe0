// Which chain the app shows and the clients to read it. The chosen chain is remembered; a wallet
// on another configured chain gets a switch prompt, one on an unconfigured chain a clear screen.
import { createContext, useContext, useMemo, useState, type ReactNode } from "react";
import { useConnection, usePublicClient } from "wagmi";
import type { Client } from "viem";
import type { ChainConfig, RuntimeConfig } from "./config/runtime.ts";

export type BatonContextValue = {
  config: RuntimeConfig;
  chain: ChainConfig;
  client: Client;
  selectChain: (chainId: number) => void;
  /** Polling period of live data in ms. */
  pollMs: number;
};

const BatonContext = createContext<BatonContextValue | undefined>(undefined);
const STORAGE_KEY = "baton.chainId";

function initialChain(config: RuntimeConfig): number {
  try {
    const stored = Number(globalThis.localStorage?.getItem(STORAGE_KEY));
    if (config.chains.some((c) => c.chainId === stored)) return stored;
  } catch {
    // no storage
  }
  return config.chains[0]!.chainId;
}

export function BatonProvider({
  config,
  pollMs,
  children,
}: {
  config: RuntimeConfig;
  pollMs?: number;
  children: ReactNode;
}) {
  const [chainId, setChainId] = useState(() => initialChain(config));
  const { chainId: walletChainId, isConnected } = useConnection();
  // A wallet that moves to another configured chain takes the app along (state adjusted while
  // rendering, when the wallet's chain or the configuration changes, rather than in an effect).
  const walletChain =
    isConnected && walletChainId && config.chains.some((c) => c.chainId === walletChainId) ? walletChainId : undefined;
  const [followed, setFollowed] = useState<{ walletChain?: number; config?: RuntimeConfig }>({});
  if (followed.walletChain !== walletChain || followed.config !== config) {
    setFollowed({ walletChain, config });
    if (walletChain !== undefined) setChainId(walletChain);
  }
  const chain = config.chains.find((c) => c.chainId === chainId) ?? config.chains[0]!;
  const client = usePublicClient({ chainId: chain.chainId });
  const value = useMemo(
    () => ({
      config,
      chain,
      client: client as Client,
      pollMs: pollMs ?? (chain.chainId === 31337 ? 1_000 : 4_000),
      selectChain: (id: number) => {
        setChainId(id);
        try {
          globalThis.localStorage?.setItem(STORAGE_KEY, String(id));
        } catch {
          // no storage
        }
      },
    }),
    [config, chain, client, pollMs],
  );
  return <BatonContext.Provider value={value}>{children}</BatonContext.Provider>;
}

export function useBaton(): BatonContextValue {
  const value = useContext(BatonContext);
  if (!value) throw new Error("useBaton outside BatonProvider");
  return value;
}
