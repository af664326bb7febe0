// Every upkeep of the automation registry, newest first: its trigger, target, status, balance and
// the keeper holding the current epoch's lease. Read from the chain (`upkeepCount`, then one
// Multicall3 call per page); the page lives in the URL.
import { useConnection } from "wagmi";
import { AddressText, ErrorText } from "../components/bits.tsx";
import { LeaseHolder, NoRegistry, UpkeepBadge } from "../components/upkeepBits.tsx";
import { useAutomationRegistry, useUpkeepPage } from "../hooks/automation.ts";
import { formatAmount, sameAddress } from "../lib/format.ts";
import { KIND_LABELS, triggerText } from "../lib/upkeepModel.ts";
import { href, Link, navigate, useLocation } from "../router.tsx";

const PAGE_SIZE = 20;

export default function Upkeeps() {
  const registry = useAutomationRegistry();
  if (!registry) return <NoRegistry />;
  return <UpkeepList />;
}

function UpkeepList() {
  const { query } = useLocation();
  const { address } = useConnection();
  const page = Math.max(0, Number(query.get("page") ?? 1) - 1) || 0;
  const list = useUpkeepPage(page, PAGE_SIZE);
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const go = (p: number) => navigate(href("/upkeeps", { page: p }));

  return (
    <section aria-labelledby="upkeeps-title">
      <div className="title-row">
        <h1 id="upkeeps-title">Upkeeps</h1>
        <Link to="#/upkeeps/new" className="button">
          Register upkeep
        </Link>
      </div>
      <p className="lead">
        Upkeeps call a contract when a time comes due, an event is emitted or a condition turns true. Keepers staked in
        the automation registry perform them and are paid from each upkeep's balance.
      </p>
      {list.error && <ErrorText error={list.error} />}
      {list.isLoading ? (
        <p className="loading">Loading upkeeps…</p>
      ) : !list.data?.upkeeps.length ? (
        <p>No upkeeps yet.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Upkeeps">
            <thead>
              <tr>
                <th scope="col">Upkeep</th>
                <th scope="col">Trigger</th>
                <th scope="col">Target</th>
                <th scope="col">Status</th>
                <th scope="col">Balance</th>
                <th scope="col">Lease holder</th>
              </tr>
            </thead>
            <tbody>
              {list.data.upkeeps.map((u) => (
                <tr key={String(u.id)}>
                  <th scope="row">
                    <Link to={`#/upkeeps/${u.id}`}>Upkeep #{String(u.id)}</Link>
                    {sameAddress(u.owner, address) && " (yours)"}
                  </th>
                  <td>
                    {KIND_LABELS[u.kind]} <small className="muted">({triggerText(u)})</small>
                  </td>
                  <td>
                    <AddressText address={u.target} />
                  </td>
                  <td>
                    <UpkeepBadge status={u.status} />
                  </td>
                  <td>{formatAmount(u.balance)}</td>
                  <td>
                    <LeaseHolder lease={u.lease} none="none" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={page === 0} onClick={() => go(page)}>
          Previous page
        </button>
        <span>
          Page {page + 1} of {pages} ({total} upkeeps)
        </span>
        <button type="button" disabled={page + 1 >= pages} onClick={() => go(page + 2)}>
          Next page
        </button>
      </nav>
    </section>
  );
}
