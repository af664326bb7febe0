// The shell: navigation, network and wallet controls, the guard that explains a wrong or
// unsupported network, and the pages (each its own chunk, loaded when first visited).
import { lazy, Suspense, type ReactNode } from "react";
import { useConnection, useDisconnect, useSwitchChain } from "wagmi";
import { useBaton } from "./BatonContext.tsx";
import { AccountFunds } from "./components/AccountFunds.tsx";
import { WalletButton } from "./components/WalletButton.tsx";
import { useDeploymentCheck } from "./hooks/data.ts";
import { Link, match, useLocation } from "./router.tsx";
import { Notices } from "./tx/TxProvider.tsx";

const Overview = lazy(() => import("./pages/Overview.tsx"));
const Jobs = lazy(() => import("./pages/Jobs.tsx"));
const Job = lazy(() => import("./pages/Job.tsx"));
const PostJob = lazy(() => import("./pages/PostJob.tsx"));
const Workers = lazy(() => import("./pages/Workers.tsx"));
// The workflow pages carry the graph library: each loads as its own chunk.
const Workflows = lazy(() => import("./pages/Workflows.tsx"));
const WorkflowNew = lazy(() => import("./pages/WorkflowNew.tsx"));
const Workflow = lazy(() => import("./pages/Workflow.tsx"));
const Upkeeps = lazy(() => import("./pages/Upkeeps.tsx"));
const UpkeepNew = lazy(() => import("./pages/UpkeepNew.tsx"));
const Upkeep = lazy(() => import("./pages/Upkeep.tsx"));

const NAV = [
  { to: "#/", label: "Overview", active: (p: string) => p === "/" },
  { to: "#/jobs", label: "Jobs", active: (p: string) => p.startsWith("/jobs") },
  { to: "#/post", label: "Post a job", active: (p: string) => p === "/post" },
  { to: "#/workflows", label: "Workflows", active: (p: string) => p.startsWith("/workflows") },
  // Only for deployments with an automation registry.
  { to: "#/upkeeps", label: "Upkeeps", active: (p: string) => p.startsWith("/upkeeps"), automation: true },
  { to: "#/workers", label: "Workers", active: (p: string) => p === "/workers" },
];

function Page({ path }: { path: string }) {
  if (path === "/") return <Overview />;
  if (path === "/jobs") return <Jobs />;
  const job = match("/jobs/:id", path);
  if (job && /^[0-9]+$/.test(job.id!)) return <Job id={BigInt(job.id!)} />;
  if (path === "/post") return <PostJob />;
  if (path === "/workers") return <Workers />;
  if (path === "/workflows") return <Workflows />;
  if (path === "/workflows/new") return <WorkflowNew />;
  const workflow = match("/workflows/:id", path);
  if (workflow && /^[0-9]+$/.test(workflow.id!)) return <Workflow id={BigInt(workflow.id!)} />;
  if (path === "/upkeeps") return <Upkeeps />;
  if (path === "/upkeeps/new") return <UpkeepNew />;
  const upkeep = match("/upkeeps/:id", path);
  if (upkeep && /^[0-9]+$/.test(upkeep.id!)) return <Upkeep id={BigInt(upkeep.id!)} />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <Link to="#/">Back to the overview</Link>
      </p>
    </section>
  );
}

export function App() {
  const { path } = useLocation();
  const { chain } = useBaton();
  const nav = NAV.filter((n) => !n.automation || chain.addressBook.automationRegistry);
  return (
    <div className="app">
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header className="header">
        <Link to="#/" className="brand">
          Baton
        </Link>
        <nav aria-label="Main">
          <ul>
            {nav.map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={n.active(path) ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="controls">
          <ChainSelect />
          <AccountFunds />
          <WalletButton />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <NetworkGuard>
          <Suspense fallback={<p className="loading">Loading…</p>}>
            <Page path={path} />
          </Suspense>
        </NetworkGuard>
      </main>
      <Notices />
    </div>
  );
}

function ChainSelect() {
  const { config, chain, selectChain } = useBaton();
  const { isConnected } = useConnection();
  const { switchChain } = useSwitchChain();
  if (config.chains.length === 1) return <span className="chain-name">{chain.name}</span>;
  return (
    <label className="inline">
      <span className="visually-hidden">Network</span>
      <select
        value={chain.chainId}
        onChange={(e) => {
          const id = Number(e.target.value);
          selectChain(id);
          if (isConnected) switchChain({ chainId: id });
        }}
      >
        {config.chains.map((c) => (
          <option key={c.chainId} value={c.chainId}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Explains a wallet on an unsupported or other network, and a chain without the contracts. */
function NetworkGuard({ children }: { children: ReactNode }) {
  const { config, chain } = useBaton();
  const { isConnected, chainId } = useConnection();
  const { switchChain, isPending } = useSwitchChain();
  const { disconnect } = useDisconnect();
  const deployed = useDeploymentCheck();
  if (isConnected && chainId !== undefined && !config.chains.some((c) => c.chainId === chainId)) {
    return (
      <section className="screen" aria-labelledby="unsupported-title">
        <h1 id="unsupported-title">Baton isn't deployed on this network</h1>
        <p>
          Your wallet is connected to chain {chainId}. Baton is available on{" "}
          {config.chains.map((c) => `${c.name} (${c.chainId})`).join(", ")}.
        </p>
        <div className="actions">
          {config.chains.map((c) => (
            <button
              key={c.chainId}
              type="button"
              disabled={isPending}
              onClick={() => switchChain({ chainId: c.chainId })}
            >
              Switch to {c.name}
            </button>
          ))}
          <button type="button" className="secondary" onClick={() => disconnect()}>
            Disconnect and browse read-only
          </button>
        </div>
      </section>
    );
  }
  if (deployed.data === false) {
    return (
      <section className="screen" aria-labelledby="missing-title">
        <h1 id="missing-title">Baton isn't deployed on {chain.name}</h1>
        <p>
          There is no contract at the configured market address {chain.addressBook.jobMarket} on chain {chain.chainId}.
          The node may have been restarted without the deployment, or the configuration names another network's
          addresses.
        </p>
      </section>
    );
  }
  if (deployed.isError) {
    return (
      <section className="screen" aria-labelledby="rpc-title">
        <h1 id="rpc-title">{chain.name} does not answer</h1>
        <p>The RPC endpoint {chain.rpcUrl} could not be reached. Check that the node is running.</p>
        <button type="button" onClick={() => void deployed.refetch()}>
          Try again
        </button>
      </section>
    );
  }
  return (
    <>
      {isConnected && chainId !== chain.chainId && (
        <div className="banner" role="alert">
          Your wallet is on another network than {chain.name}.{" "}
          <button type="button" disabled={isPending} onClick={() => switchChain({ chainId: chain.chainId })}>
            Switch to {chain.name}
          </button>
        </div>
      )}
      {children}
    </>
  );
}
