// One job, live: its state and deadline, the actions open to the connected account, its credits,
// the timeline of its events, its terms and its spec.
import { JobState, pricingNames, ZERO_ADDRESS, ZERO_HASH } from "@baton/sdk";
import { useMemo } from "react";
import { useConnection } from "wagmi";
import type { Address } from "viem";
import { AddressText, Countdown, CustomArbiterWarning, ErrorText, StateBadge, Stat } from "../components/bits.tsx";
import { JobTimelineItem } from "../components/JobTimelineItem.tsx";
import { Withdraw } from "../components/Withdraw.tsx";
import { useBaton } from "../BatonContext.tsx";
import { useJobIndex, useJobLogs, useJobViews, useNow, useTokenInfo } from "../hooks/data.ts";
import { ETH, formatAmount, formatDuration, formatTime, sameAddress } from "../lib/format.ts";
import {
  actionCall,
  availableActions,
  buildTimeline,
  currentDeadline,
  isCustomArbiter,
  specOf,
  resultHashOf,
  stateAt,
} from "../lib/jobModel.ts";
import { tokenOf } from "../lib/market.ts";
import { Link } from "../router.tsx";
import { useTransactor } from "../tx/TxProvider.tsx";

export default function Job({ id }: { id: bigint }) {
  const { chain } = useBaton();
  const index = useJobIndex();
  const posted = index.data?.jobs.find((j) => j.id === id);
  const ids = useMemo(() => (posted ? [id] : undefined), [posted, id]);
  const views = useJobViews(ids);
  const view = views.data?.get(id);
  const logs = useJobLogs(id, posted?.blockNumber);
  const now = useNow();
  const { address } = useConnection();
  const { send, busy } = useTransactor();
  const tokens = useTokenInfo(posted ? [posted.token] : []);

  if (index.error) return <ErrorText error={index.error} />;
  if (!index.data) return <p className="loading">Loading job #{String(id)}…</p>;
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
  const token = tokenOf(tokens.data, posted.token);
  const spec = specOf(posted);
  const state = view ? (view.state === JobState.None ? view.state : stateAt(view.job, now)) : undefined;
  const deadline = view && state !== undefined ? currentDeadline(view.job, state) : undefined;
  const timeline = buildTimeline(posted, logs.data ?? []);
  const resultHash = resultHashOf(id, logs.data);
  const actions =
    view && state !== undefined
      ? availableActions({
          state,
          record: view.job,
          terms: posted.terms,
          account: address,
          now,
          resultHash,
        })
      : [];
  const isRequester = sameAddress(address, posted.requester);
  const creditTokens = [...new Set([ZERO_ADDRESS, posted.token])] as Address[];

  return (
    <section aria-labelledby="job-title">
      <div className="title-row">
        <h1 id="job-title">Job #{String(id)}</h1>
        {state !== undefined && <StateBadge state={state} />}
      </div>
      {deadline && <Countdown label={deadline.label} at={deadline.at} now={now} />}
      <CustomArbiterWarning arbiter={posted.terms.arbiter} />
      <dl className="stats">
        <Stat label="Reward">{formatAmount(posted.terms.maxReward, token)}</Stat>
        <Stat label="Kind">{spec.ok ? spec.spec.kind : "unreadable spec"}</Stat>
        <Stat label="Requester">
          <AddressText address={posted.requester} />
          {isRequester && " (you)"}
        </Stat>
        <Stat label="Pricing">
          {pricingNames[posted.terms.pricing] === "SecondPrice" ? "Second price" : "First price"}
        </Stat>
        <Stat label="Bond per bid">{formatAmount(posted.terms.bond, ETH)}</Stat>
        {view && view.job.winner !== ZERO_ADDRESS && (
          <Stat label={state === JobState.Revealing ? "Leading bid" : "Winner"}>
            <AddressText address={view.job.winner} /> at {formatAmount(view.job.price, token)}
          </Stat>
        )}
      </dl>

      {actions.length > 0 && (
        <div className="card" role="group" aria-label="Actions">
          <h2>Actions</h2>
          <div className="actions">
            {actions.map((a) => (
              <button
                key={a.id}
                type="button"
                disabled={busy}
                title={a.hint}
                onClick={() =>
                  void send({
                    ...actionCall(a, chain.addressBook.jobMarket, id, posted.terms, resultHash ?? ZERO_HASH),
                    label: `${a.label} (job #${id})`,
                  })
                }
              >
                {a.label}
                {a.value !== undefined && ` (bond ${formatAmount(a.value)})`}
              </button>
            ))}
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
            <JobTimelineItem entry={e} token={token} />
          </li>
        ))}
      </ol>

      <h2>Terms</h2>
      <dl className="terms">
        <Stat label="Commit window">{formatDuration(posted.terms.commitWindow)}</Stat>
        <Stat label="Reveal window">{formatDuration(posted.terms.revealWindow)}</Stat>
        <Stat label="Execution window">{formatDuration(posted.terms.executionWindow)}</Stat>
        <Stat label="Challenge window">{formatDuration(posted.terms.challengeWindow)}</Stat>
        <Stat label="Expiry">{formatTime(posted.terms.expiry)}</Stat>
        <Stat label="Minimum stake">{formatAmount(posted.terms.minStake, ETH)}</Stat>
        <Stat label="Minimum completed jobs">{posted.terms.minCompleted}</Stat>
        <Stat label="Arbiter">
          <AddressText address={posted.terms.arbiter} />
          {isCustomArbiter(posted.terms.arbiter, chain.addressBook.committeeArbiter)
            ? " (chosen by the requester)"
            : " (this deployment's committee)"}
        </Stat>
        <Stat label="Dispute bond">{formatAmount(posted.terms.disputeBond, ETH)}</Stat>
        <Stat label="Ruling timeout">{formatDuration(posted.terms.rulingTimeout)}</Stat>
      </dl>
      <h2>Spec</h2>
      {spec.ok ? (
        <pre className="code">{JSON.stringify(spec.spec, null, 2)}</pre>
      ) : (
        <p className="error">{spec.error}</p>
      )}
    </section>
  );
}
