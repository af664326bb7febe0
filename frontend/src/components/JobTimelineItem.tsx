// One entry of a job's timeline in words: sealed bids, reveals, the assignment, the result (checked
// against its hash), settlement, disputes, slashes, refunds and forfeits, each with its block's
// time (clock and relative) and number.
import { AddressText, BlockTime } from "./bits.tsx";
import { formatAmount, type TokenInfo } from "../lib/format.ts";
import type { TimelineEntry } from "../lib/jobModel.ts";

export function JobTimelineItem({
  entry: e,
  token,
  time,
  now,
}: {
  entry: TimelineEntry;
  token: TokenInfo;
  /** The block's timestamp, once read. */
  time: number | undefined;
  now: number;
}) {
  const block = <BlockTime block={e.blockNumber} time={time} now={now} />;
  switch (e.kind) {
    case "commits":
      return (
        <>
          <strong>
            {e.count} sealed bid{e.count === 1 ? "" : "s"}
          </strong>{" "}
          in round {e.round! + 1}
          {block}
        </>
      );
    case "reveal":
      return (
        <>
          <strong>Bid revealed</strong>: <AddressText address={e.bidder!} /> asks {formatAmount(e.price!, token)}
          {e.mark === "leading" && <span className="badge badge-leading">leading</span>}
          {e.mark === "winner" && <span className="badge badge-winner">winner</span>}
          {block}
        </>
      );
    case "assigned":
      return (
        <>
          <strong>Assigned</strong> to <AddressText address={e.worker!} /> at {formatAmount(e.price!, token)}
          {block}
        </>
      );
    case "result":
      return (
        <>
          <strong>Result submitted</strong> by <AddressText address={e.worker!} />
          {block}
          <div className="result">
            {e.result!.hashMatches ? (
              <p className="ok">Payload matches its hash.</p>
            ) : (
              <p className="error">
                {e.result!.uri
                  ? `Stored at ${e.result!.uri} (not checked here).`
                  : `Hash check failed: ${e.result!.problem}`}
              </p>
            )}
            {e.result!.value !== undefined && (
              <pre className="code" aria-label="Result">
                {JSON.stringify(e.result!.value, null, 2)}
              </pre>
            )}
            <small className="muted">hash {e.result!.hash}</small>
          </div>
        </>
      );
    case "settled":
      return (
        <>
          <strong>Settled</strong>: <AddressText address={e.worker!} /> paid {formatAmount(e.price!, token)},{" "}
          {formatAmount(e.amount!, token)} refunded to the requester
          {block}
        </>
      );
    case "disputed":
      return (
        <>
          <strong>Disputed</strong> by <AddressText address={e.bidder!} /> with a bond of {formatAmount(e.amount!)}
          {block}
        </>
      );
    case "slashed":
      return (
        <>
          <strong>{e.title}</strong>: <AddressText address={e.worker!} /> lost {formatAmount(e.amount!)}
          {block}
        </>
      );
    case "refunded":
      return (
        <>
          <strong>Refunded</strong> {formatAmount(e.amount!, token)} to the requester{block}
        </>
      );
    case "forfeited":
      return (
        <>
          <strong>{e.title}</strong>: <AddressText address={e.bidder!} /> forfeited {formatAmount(e.amount!)}
          {block}
        </>
      );
    default:
      return (
        <>
          <strong>{e.title}</strong>
          {block}
        </>
      );
  }
}
