// Every workflow of the orchestrator, newest first, with its status, settled steps and budget;
// "only mine" keeps the connected account's. The filter and page live in the URL.
import { useConnection } from "wagmi";
import { ErrorText } from "../components/bits.tsx";
import { NoOrchestrator, WorkflowBadge } from "../components/workflowBits.tsx";
import { useTokenInfo } from "../hooks/data.ts";
import { useOrchestrator, useWorkflowList } from "../hooks/workflows.ts";
import { formatAmount, sameAddress, shortAddress } from "../lib/format.ts";
import { tokenOf } from "../lib/market.ts";
import { href, Link, navigate, useLocation } from "../router.tsx";

const PAGE_SIZE = 20;

export default function Workflows() {
  const orchestrator = useOrchestrator();
  if (!orchestrator) return <NoOrchestrator />;
  return <WorkflowList />;
}

function WorkflowList() {
  const { query } = useLocation();
  const { address } = useConnection();
  const mine = query.get("mine") === "1";
  const page = Math.max(0, Number(query.get("page") ?? 1) - 1) || 0;
  const list = useWorkflowList();
  const all = list.data?.workflows ?? [];
  const shown = mine ? all.filter((w) => sameAddress(w.requester, address)) : all;
  const rows = shown.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const tokens = useTokenInfo(rows.map((r) => r.token));
  const go = (changes: Record<string, string | number | boolean | undefined>) =>
    navigate(href("/workflows", { mine, page: page + 1, ...changes }));

  return (
    <section aria-labelledby="workflows-title">
      <div className="title-row">
        <h1 id="workflows-title">Workflows</h1>
        <Link to="#/workflows/new" className="button">
          New workflow
        </Link>
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter workflows">
        <label className="check">
          <input
            type="checkbox"
            checked={mine}
            disabled={!address}
            onChange={(e) => go({ mine: e.target.checked, page: 1 })}
          />
          Only my workflows
        </label>
      </form>
      {list.error && <ErrorText error={list.error} />}
      {list.isLoading ? (
        <p className="loading">Loading workflows…</p>
      ) : rows.length === 0 ? (
        <p>
          {mine && !address
            ? "Connect a wallet to see your workflows."
            : all.length === 0
              ? "No workflows yet."
              : "No workflows match."}
        </p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Workflows">
            <thead>
              <tr>
                <th scope="col">Workflow</th>
                <th scope="col">Status</th>
                <th scope="col">Steps settled</th>
                <th scope="col">Budget</th>
                <th scope="col">Spent</th>
                <th scope="col">Requester</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((w) => {
                const token = tokenOf(tokens.data, w.token);
                return (
                  <tr key={String(w.id)}>
                    <th scope="row">
                      <Link to={`#/workflows/${w.id}`}>Workflow #{String(w.id)}</Link>
                    </th>
                    <td>
                      <WorkflowBadge status={w.status} />
                    </td>
                    <td>
                      {w.settled} / {w.steps}
                    </td>
                    <td>{formatAmount(w.budget, token)}</td>
                    <td>{formatAmount(w.spent, token)}</td>
                    <td title={w.requester}>{sameAddress(w.requester, address) ? "you" : shortAddress(w.requester)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={page === 0} onClick={() => go({ page })}>
          Previous page
        </button>
        <span>
          Page {page + 1} of {pages} ({shown.length} workflows
          {list.data && !mine ? ` of ${String(list.data.count)} created` : ""})
        </span>
        <button type="button" disabled={page + 1 >= pages} onClick={() => go({ page: page + 2 })}>
          Next page
        </button>
      </nav>
    </section>
  );
}
