// One job, live: its state and deadline, what it waits for and why, the actions open to the
// connected account, its credits, the timeline of its events, its terms and its spec. The state,
// the countdown, the actions and the timeline all come from one record: the state read moved
// forward by the job's events (see `freshestRecord`), so they never contradict each other.
import { isTerminalState, JobState, pricingNames, SlashReason, ZERO_ADDRESS, ZERO_HASH } from "@baton/sdk";
import { useMemo } from "react";
import { useConnection } from "wagmi";
import type { Address } from "viem";
import {
  AddressText,
  ConfirmButton,
  Countdown,
  CustomArbiterWarning,
  ErrorText,
  StateBadge,
  Stat,
} from "../components/bits.tsx";
import { JobTimelineItem } from "../components/JobTimelineItem.tsx";
import { kindLabel, useBidOutlook, WhyList } from "../components/WhyPanel.tsx";
import { Withdraw } from "../components/Withdraw.tsx";
import { useBaton } from "../BatonContext.tsx";
import {
  useBlockTimes,
  useJobPosted,
  useJobLogs,
  useJobViews,
  useModuleCheck,
  useNow,
  useTokenInfo,
} from "../hooks/data.ts";
import { ETH, formatAmount, formatDuration } from "../lib/format.ts";
import {
  actionCall,
  availableActions,
  buildTimeline,
  currentDeadline,
  recordFromLogs,
  isCustomArbiter,
  specOf,
  resultHashOf,
  stateAt,
  type JobAction,
} from "../lib/jobModel.ts";
import { formatWhen } from "../lib/time.ts";
import { explainJob, kindOf } from "../lib/why.ts";
import { tokenOf } from "../lib/market.ts";
import { Link } from "../router.tsx";
import { useTransactor } from "../tx/TxProvider.tsx";

export default function Job({ id }: { id: bigint }) {
  const { chain } = useBaton();
  const postedQuery = useJobPosted(id);
  const posted = postedQuery.data ?? undefined;
  const ids = useMemo(() => (posted ? [id] : undefined), [posted, id]);
  const views = useJobViews(ids);
  const view = views.data?.get(id);
  const logs = useJobLogs(id, posted?.blockNumber);
  const now = useNow();
  const { address } = useConnection();
  const { send, busy } = useTransactor();
  const tokens = useTokenInfo(posted ? [posted.token] : []);
  const decoded = posted ? specOf(posted) : undefined;
  const spec = decoded?.ok ? decoded.spec : undefined;
  const token = tokenOf(tokens.data, posted?.token ?? ZERO_ADDRESS);
  const moduleName = (sha: string) => chain.wasmModules.find((m) => m.sha256 === sha)?.name;
  // One record for everything below: the job's events once loaded (so nothing on the page can
  // contradict its timeline), the state call's record before.
  const record =
    view && posted && view.state !== JobState.None && logs.data
      ? recordFromLogs(posted, logs.data, view.job)
      : view?.job;
  const state = view && record ? (view.state === JobState.None ? view.state : stateAt(record, now)) : undefined;
  // Who could bid and at what price matters while nobody has bid; the module, also when a worker
  // missed its deadline or gave the job back.
  const waitingForBids =
    record !== undefined && ((state === JobState.Open && record.commits === 0) || state === JobState.Unfilled);
  const gaveBack = (logs.data ?? []).some(
    (l) => l.eventName === "WorkerSlashed" && Number(l.args.reason) === SlashReason.Abandoned,
  );
  const outlook = useBidOutlook({
    enabled: waitingForBids,
    req: posted
      ? {
          minStake: posted.terms.minStake,
          minCompleted: posted.terms.minCompleted,
          bond: posted.terms.bond,
          ...(spec ? { kind: spec.kind } : {}),
        }
      : undefined,
    kind: kindOf(spec),
    kindText: kindLabel(spec, moduleName),
    token,
    reward: posted?.terms.maxReward,
    exclude: id,
  });
  const checkModule = waitingForBids || state === JobState.Overdue || gaveBack;
  const moduleCheck = useModuleCheck(
    spec?.kind === "wasm" && checkModule ? spec.module.uri : undefined,
    spec?.kind === "wasm" && checkModule ? spec.module.sha256 : undefined,
  );
  const times = useBlockTimes([
    ...(posted ? [posted.blockNumber] : []),
    ...(logs.data ?? []).map((l) => l.blockNumber!),
  ]);

  if (postedQuery.error) return <ErrorText error={postedQuery.error} />;
  if (postedQuery.data === undefined) return <p className="loading">Loading job #{String(id)}…</p>;
  if (!posted) {
    return (
      <section>
        <h1>Job #{String(id)}</h1>
        <p>
          There is no job #{String(id)} on {chain.name} (yet).
        </p>
        <Link to="#/jobs">All jobs</Link>
      </section>
    );
  }
  const deadline = record && state !== undefined ? currentDeadline(record, state) : undefined;
  const timeline = buildTimeline(posted, logs.data ?? [], {
    revealsOpen: state === JobState.Open || state === JobState.Revealing,
  });
  const resultHash = resultHashOf(id, logs.data);
  const actions =
    record && state !== undefined
      ? availableActions({
          state,
          record,
          terms: posted.terms,
          account: address,
          now,
          resultHash,
        })
      : [];
  const why =
    record && state !== undefined && !isTerminalState(state)
      ? explainJob({
          state,
          record,
          terms: posted.terms,
          logs: logs.data ?? [],
          now,
          ...(outlook.eligibility ? { eligibility: outlook.eligibility } : {}),
          ...(outlook.eligibilityText ? { eligibilityText: outlook.eligibilityText } : {}),
          ...(outlook.prices ? { prices: outlook.prices } : {}),
          ...(moduleCheck.data ? { module: moduleCheck.data } : {}),
          customArbiter: isCustomArbiter(posted.terms.arbiter, chain.addressBook.committeeArbiter),
          money: (v) => formatAmount(v, ETH),
        })
      : [];
  const run = (a: JobAction) =>
    void send({
      ...actionCall(a, chain.addressBook.jobMarket, id, posted.terms, resultHash ?? ZERO_HASH),
      label: `${a.label} (job #${id})`,
    });
  const postedAt = times.get(posted.blockNumber);
  const creditTokens = [...new Set([ZERO_ADDRESS, posted.token])] as Address[];

  return (
    <section aria-labelledby="job-title">
      <div className="title-row">
        <h1 id="job-title">Job #{String(id)}</h1>
        {state !== undefined && <StateBadge state={state} />}
      </div>
      {deadline && <Countdown label={deadline.label} at={deadline.at} now={now} />}
      <CustomArbiterWarning arbiter={posted.terms.arbiter} />
      {why.length > 0 && (
        <div className="card why" role="region" aria-label="Why is nothing happening?">
          <h2>What it is waiting for</h2>
          <WhyList items={why} />
        </div>
      )}
      <dl className="stats">
        <Stat label="Reward">{formatAmount(posted.terms.maxReward, token)}</Stat>
        <Stat label="Kind">{spec ? kindLabel(spec, moduleName) : "unreadable spec"}</Stat>
        <Stat label="Posted">{postedAt !== undefined ? formatWhen(postedAt, now) : `block ${posted.blockNumber}`}</Stat>
        <Stat label="Requester">
          <AddressText address={posted.requester} />
        </Stat>
        <Stat label="Pricing">
          {pricingNames[posted.terms.pricing] === "SecondPrice" ? "Second price" : "First price"}
        </Stat>
        <Stat label="Bond per bid">{formatAmount(posted.terms.bond, ETH)}</Stat>
        {record && record.winner !== ZERO_ADDRESS && (
          <Stat label={state === JobState.Revealing ? "Leading bid" : "Winner"}>
            <AddressText address={record.winner} /> at {formatAmount(record.price, token)}
          </Stat>
        )}
      </dl>

      {actions.length > 0 && (
        <div className="card" role="group" aria-label="Actions">
          <h2>Actions</h2>
          <div className="actions">
            {actions.map((a) =>
              a.confirm ? (
                <ConfirmButton
                  key={a.id}
                  label={`${a.label}${a.value !== undefined ? ` (bond ${formatAmount(a.value)})` : ""}`}
                  question={a.confirm}
                  confirmLabel={`Yes, ${a.label.toLowerCase()}`}
                  disabled={busy}
                  title={a.hint}
                  onConfirm={() => run(a)}
                />
              ) : (
                <button key={a.id} type="button" disabled={busy} title={a.hint} onClick={() => run(a)}>
                  {a.label}
                </button>
              ),
            )}
          </div>
        </div>
      )}

      {address && (
        <div className="card">
          <h2>Your credits</h2>
          <Withdraw tokens={creditTokens} />
        </div>
      )}

      <h2>Timeline</h2>
      {logs.error && <ErrorText error={logs.error} />}
      <ol className="timeline" aria-label="Timeline">
        {timeline.map((e) => (
          <li key={e.key} className={`tl-${e.kind}`}>
            <JobTimelineItem entry={e} token={token} time={times.get(e.blockNumber)} now={now} />
          </li>
        ))}
      </ol>

      <h2>Terms</h2>
      <dl className="terms">
        <Stat label="Commit window">{formatDuration(posted.terms.commitWindow)}</Stat>
        <Stat label="Reveal window">{formatDuration(posted.terms.revealWindow)}</Stat>
        <Stat label="Execution window">{formatDuration(posted.terms.executionWindow)}</Stat>
        <Stat label="Challenge window">{formatDuration(posted.terms.challengeWindow)}</Stat>
        <Stat label="Expiry">{formatWhen(posted.terms.expiry, now)}</Stat>
        <Stat label="Minimum stake">{formatAmount(posted.terms.minStake, ETH)}</Stat>
        <Stat label="Minimum completed jobs">{posted.terms.minCompleted}</Stat>
        <Stat label="Arbiter">
          <AddressText address={posted.terms.arbiter} />
          {isCustomArbiter(posted.terms.arbiter, chain.addressBook.committeeArbiter)
            ? " (chosen by the requester)"
            : ""}
        </Stat>
        <Stat label="Dispute bond">{formatAmount(posted.terms.disputeBond, ETH)}</Stat>
        <Stat label="Ruling timeout">{formatDuration(posted.terms.rulingTimeout)}</Stat>
      </dl>
      <h2>Spec</h2>
      {decoded?.ok ? (
        <pre className="code">{JSON.stringify(decoded.spec, null, 2)}</pre>
      ) : (
        <p className="error">{decoded?.error}</p>
      )}
    </section>
  );
}
