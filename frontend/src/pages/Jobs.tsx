import { jobKinds, jobStateNames } from "@baton/sdk";
import { useConnection } from "wagmi";
import type { Address } from "viem";
import { AddressText, CustomArbiterBadge, ErrorText, StateBadge } from "../components/bits.tsx";
import { useTokenInfo } from "../hooks/data.ts";
import { PAGE_SIZE, useJobList, type JobRow } from "../hooks/useJobList.ts";
import { useWorkflowJobsOf } from "../hooks/workflows.ts";
import { formatAmount } from "../lib/format.ts";
import { specOf } from "../lib/jobModel.ts";
import { tokenOf } from "../lib/market.ts";
import { href, Link, navigate, useLocation } from "../router.tsx";

export default function Jobs() {
  const { query } = useLocation();
  const { address } = useConnection();
  const statusName = query.get("status") ?? "";
  const status = statusName ? jobStateNames.indexOf(statusName as never) : undefined;
  const mine = query.get("mine") === "1";
  const page = Math.max(0, Number(query.get("page") ?? 1) - 1) || 0;
  const workflowJobs = useWorkflowJobsOf(mine ? address : undefined);
  const list = useJobList({
    status: status !== undefined && status >= 0 ? status : undefined,
    mine,
    account: address,
    workflowJobs: workflowJobs.jobs,
    page,
  });
  const tokens = useTokenInfo(list.rows.map((r) => r.posted.token));
  const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
  const go = (changes: Record<string, string | number | boolean | undefined>) =>
    navigate(href("/jobs", { status: statusName, mine, page: page + 1, ...changes }));

  return (
    <section aria-labelledby="jobs-title">
      <div className="title-row">
        <h1 id="jobs-title">Jobs</h1>
        <Link to="#/post" className="button">
          Post a job
        </Link>
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter jobs">
        <label>
          Status
          <select value={statusName} onChange={(e) => go({ status: e.target.value, page: 1 })}>
            <option value="">All</option>
            {jobStateNames.slice(1).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={mine}
            disabled={!address}
            onChange={(e) => go({ mine: e.target.checked, page: 1 })}
          />
          Only my jobs <small className="muted">(with those my workflows posted)</small>
        </label>
      </form>
      {list.error && <ErrorText error={list.error} />}
      {list.isLoading ? (
        <p className="loading">Loading jobs…</p>
      ) : list.rows.length === 0 ? (
        <p>{mine && !address ? "Connect a wallet to see your jobs." : "No jobs match."}</p>
      ) : (
        <JobTable rows={list.rows} tokens={tokens.data} />
      )}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={page === 0} onClick={() => go({ page })}>
          Previous page
        </button>
        <span>
          Page {page + 1} of {pages} ({list.total} jobs)
        </span>
        <button type="button" disabled={page + 1 >= pages} onClick={() => go({ page: page + 2 })}>
          Next page
        </button>
      </nav>
    </section>
  );
}

export function JobTable({
  rows,
  tokens,
}: {
  rows: JobRow[];
  tokens: Map<string, import("../lib/format.ts").TokenInfo> | undefined;
}) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">Jobs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Kind</th>
            <th scope="col">State</th>
            <th scope="col">Reward</th>
            <th scope="col">Requester</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ posted, view }) => {
            const spec = specOf(posted);
            return (
              <tr key={String(posted.id)}>
                <td>
                  <Link to={`#/jobs/${posted.id}`}>Job #{String(posted.id)}</Link>
                  <CustomArbiterBadge arbiter={posted.terms.arbiter} />
                </td>
                <td>{spec.ok && (jobKinds as readonly string[]).includes(spec.spec.kind) ? spec.spec.kind : "—"}</td>
                <td>{view ? <StateBadge state={view.state} /> : "…"}</td>
                <td>{formatAmount(posted.terms.maxReward, tokenOf(tokens, posted.token as Address))}</td>
                <td>
                  <AddressText address={posted.requester} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
