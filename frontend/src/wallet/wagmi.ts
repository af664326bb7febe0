// The wagmi configuration, built at start-up from the runtime configuration: one viem chain per
// configured chain (HTTP transport to its rpcUrl), injected wallets (EIP-6963 discovery, so every
// installed wallet appears by name), and the dev account when a local chain is configured.
// Multicall3 is passed explicitly to batched reads (the address book's), not declared on the chain:
// viem would then route single reads such as getBalance through it, and the local deployment's
// Multicall3 implements only `aggregate3`.
import { createConfig, http, injected, type Config } from "wagmi";
import { defineChain, type Chain } from "viem";
import type { ChainConfig, RuntimeConfig } from "../config/runtime.ts";
import { DEV_CHAIN_IDS, devAccountConnector } from "./devAccount.ts";

export function toViemChain(c: ChainConfig): Chain {
  return defineChain({
    id: c.chainId,
    name: c.name,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [c.rpcUrl] } },
    ...(c.explorerUrl ? { blockExplorers: { default: { name: "Explorer", url: c.explorerUrl } } } : {}),
  });
}

export function createWagmiConfig(runtime: RuntimeConfig, options: { pollingInterval?: number } = {}): Config {
  const chains = runtime.chains.map(toViemChain) as [Chain, ...Chain[]];
  const local = chains.some((c) => DEV_CHAIN_IDS.includes(c.id));
  return createConfig({
    chains,
    connectors: [injected(), ...(local ? [devAccountConnector()] : [])],
    transports: Object.fromEntries(runtime.chains.map((c) => [c.chainId, http(c.rpcUrl, { batch: false })])),
    pollingInterval: options.pollingInterval ?? (local ? 1_000 : 4_000),
    multiInjectedProviderDiscovery: true,
  });
}
