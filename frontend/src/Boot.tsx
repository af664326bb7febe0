// Start-up: load baton.config.json, then mount the app on the configured chains; a clear screen
// when the file is missing or invalid.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { WagmiProvider, type Config } from "wagmi";
import { App } from "./App.tsx";
import { BatonProvider } from "./BatonContext.tsx";
import { ConfigError, loadRuntimeConfig, type RuntimeConfig } from "./config/runtime.ts";
import { TxProvider } from "./tx/TxProvider.tsx";
import { createWagmiConfig } from "./wallet/wagmi.ts";

type Loaded = { runtime: RuntimeConfig; wagmi: Config };

export function Boot() {
  const [state, setState] = useState<{ loaded?: Loaded; error?: ConfigError }>({});
  useEffect(() => {
    loadRuntimeConfig()
      .then((runtime) => setState({ loaded: { runtime, wagmi: createWagmiConfig(runtime) } }))
      .catch((error: unknown) =>
        setState({ error: error instanceof ConfigError ? error : new ConfigError("invalid", String(error)) }),
      );
  }, []);
  if (state.error) return <ConfigProblem error={state.error} />;
  if (!state.loaded) return <p className="loading">Loading configuration…</p>;
  return (
    <Providers runtime={state.loaded.runtime} wagmi={state.loaded.wagmi}>
      <App />
    </Providers>
  );
}

const defaultQueryClient = () =>
  new QueryClient({ defaultOptions: { queries: { retry: 2, refetchOnWindowFocus: false } } });

export function Providers({
  runtime,
  wagmi,
  queryClient,
  pollMs,
  children,
}: {
  runtime: RuntimeConfig;
  wagmi: Config;
  queryClient?: QueryClient;
  pollMs?: number;
  children: ReactNode;
}) {
  const [client] = useState(() => queryClient ?? defaultQueryClient());
  return (
    <WagmiProvider config={wagmi}>
      <QueryClientProvider client={client}>
        <BatonProvider config={runtime} {...(pollMs !== undefined ? { pollMs } : {})}>
          <TxProvider>{children}</TxProvider>
        </BatonProvider>
      </QueryClientProvider>
    </WagmiProvider>
  );
}

export function ConfigProblem({ error }: { error: ConfigError }) {
  return (
    <main className="screen" role="main">
      <h1>{error.kind === "missing" ? "Baton is not configured" : "The configuration is invalid"}</h1>
      <p>{error.message}</p>
      <p>
        The app reads its chains and deployments from <code>baton.config.json</code> next to <code>index.html</code>.
        Start it with <code>BATON_CONFIG=/path/to/baton.config.json npm run dev -w frontend</code>, or place the file in
        the served directory. See <code>frontend/README.md</code> for the format.
      </p>
    </main>
  );
}
