// Renders app pieces inside the real providers, on a FakeChain, optionally with a wallet connected
// through wagmi's mock connector.
import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { createConfig, mock } from "wagmi";
import { connect } from "wagmi/actions";
import { defineChain, type Address } from "viem";
import { Providers } from "../../src/Boot.tsx";
import { parseRuntimeConfig } from "../../src/config/runtime.ts";
import { TOKEN, type FakeChain, runtimeConfig } from "./fakeChain.ts";

export const testChain = defineChain({
  id: 31337,
  name: "Test chain",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1:1"] } },
});

export async function renderWithChain(
  ui: ReactNode,
  fake: FakeChain,
  options: { account?: Address; chain?: Record<string, unknown> } = {},
) {
  // `chain`: extra fields of the configured chain (wasmModules, addressLabels…).
  const runtime = parseRuntimeConfig({
    chains: runtimeConfig.chains.map((c) => ({ ...c, ...options.chain })),
  });
  const wagmi = createConfig({
    chains: [testChain],
    connectors: options.account ? [mock({ accounts: [options.account], features: { reconnect: true } })] : [],
    transports: { [testChain.id]: fake.transport() },
    pollingInterval: 60_000,
  });
  if (options.account) await connect(wagmi, { connector: wagmi.connectors[0]! });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchInterval: false } } });
  const result = render(
    <Providers runtime={runtime} wagmi={wagmi} queryClient={queryClient} pollMs={60_000}>
      {ui}
    </Providers>,
  );
  return { ...result, wagmi, queryClient };
}

export { TOKEN };
