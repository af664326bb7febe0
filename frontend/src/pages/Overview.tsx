import { isTerminalState, JobState, type MarketLog } from "@baton/sdk";
import { formatEther, type Address } from "viem";
import { AddressText, BlockTime, ErrorText, Stat } from "../components/bits.tsx";
import { useBaton } from "../BatonContext.tsx";
import {
  useBlockTimes,
  useJobIndex,
  useJobViews,
  useNow,
  useRecentActivity,
  useTokenInfo,
  useWorkers,
} from "../hooks/data.ts";
import { describeActivity } from "../lib/activity.ts";
import { formatAmount } from "../lib/format.ts";
import { tokenOf } from "../lib/market.ts";
import { Link } from "../router.tsx";

export default function Overview() {
  const { chain } = useBaton();
  const index = useJobIndex();
  const jobs = index.data?.jobs;
  const views = useJobViews(jobs?.map((j) => j.id));
  const workers = useWorkers();
  const activity = useRecentActivity();
  const tokens = useTokenInfo(jobs?.map((j) => j.token) ?? []);
  const times = useBlockTimes((activity.data ?? []).map((l) => l.blockNumber!));
  const now = useNow();

  const open = views.data
    ? [...views.data.values()].filter((v) => v.state === JobState.Open || v.state === JobState.Revealing).length
    : undefined;
  const escrow = new Map<string, bigint>();
  if (jobs && views.data) {
    for (const j of jobs) {
      const v = views.data.get(j.id);
      if (v && !isTerminalState(v.state))
        escrow.set(j.token.toLowerCase(), (escrow.get(j.token.toLowerCase()) ?? 0n) + j.terms.maxReward);
    }
  }
  const active = workers.data?.filter((w) => w.registered && w.stake > 0n);
  const staked = active?.reduce((sum, w) => sum + w.stake, 0n);

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <p className="lead">
        An open market for off-chain work on {chain.name}: post a job with its reward in escrow, staked workers bid in
        sealed auctions, and the contracts settle.
      </p>
      {(index.error ?? views.error) && <ErrorText error={index.error ?? views.error} />}
      <dl className="stats">
        <Stat label="Open jobs">{open ?? "…"}</Stat>
        <Stat label="Jobs posted">{jobs?.length ?? "…"}</Stat>
        <Stat label="Active workers">{active?.length ?? "…"}</Stat>
        <Stat label="Worker stake">{staked !== undefined ? `${formatEther(staked)} ETH` : "…"}</Stat>
        <Stat label="In escrow">
          {views.data
            ? escrow.size === 0
              ? "0 ETH"
              : [...escrow].map(([t, v]) => formatAmount(v, tokenOf(tokens.data, t as Address))).join(", ")
            : "…"}
        </Stat>
      </dl>
      <div className="actions">
        <Link to="#/jobs?status=Open" className="button">
          Browse open jobs
        </Link>
        <Link to="#/post" className="button">
          Post a job
        </Link>
      </div>
      <h2>Recent activity</h2>
      {activity.isLoading ? (
        <p className="loading">Loading activity…</p>
      ) : activity.data?.length ? (
        <ul className="activity">
          {activity.data.map((log) => (
            <li key={`${log.blockNumber}:${log.logIndex}`}>
              <ActivityLine log={log} time={times.get(log.blockNumber!)} now={now} />
            </li>
          ))}
        </ul>
      ) : (
        <p>Nothing has happened yet.</p>
      )}
    </section>
  );
}

function jobLink(id: bigint) {
  return <Link to={`#/jobs/${id}`}>job #{String(id)}</Link>;
}

function ActivityLine({ log, time, now }: { log: MarketLog; time: number | undefined; now: number }) {
  return (
    <>
      {describeActivity(log).map((segment, i) =>
        typeof segment === "string" ? (
          <span key={i}>{segment}</span>
        ) : "job" in segment ? (
          <span key={i}>{jobLink(segment.job)}</span>
        ) : (
          <AddressText key={i} address={segment.address} />
        ),
      )}
      <BlockTime block={log.blockNumber!} time={time} now={now} />
    </>
  );
}
