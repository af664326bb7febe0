// "Why is nothing happening?": the facts behind a job's wait (who can bid, what the same kind of
// job was paid lately, whether its module verifies, what happened to earlier rounds), and the same
// outlook on the post form before any gas is spent.
import type { JobSpec } from "@baton/sdk";
import { useMemo } from "react";
import type { Address } from "viem";
import { useJobIndex, useRecentPriceLogs, useWorkers } from "../hooks/data.ts";
import { ETH, formatAmount, type TokenInfo } from "../lib/format.ts";
import { specOf } from "../lib/jobModel.ts";
import {
  describeEligibility,
  describePrices,
  eligibility,
  kindOf,
  recentPrices,
  type BidRequirements,
  type Eligibility,
  type Explanation,
  type JobKind,
} from "../lib/why.ts";

/** A kind of job for people: "wasm (wordfreq)", "http.json". */
export function kindLabel(spec: JobSpec | undefined, moduleName: (sha256: string) => string | undefined): string {
  if (!spec) return "such";
  if (spec.kind !== "wasm") return spec.kind;
  const name = moduleName(spec.module.sha256);
  return name ? `wasm (${name})` : "wasm";
}

export type BidOutlook = {
  eligibility?: Eligibility;
  eligibilityText?: string;
  prices?: { text: string; tooLow: boolean };
  loading: boolean;
};

/**
 * Who can bid on `req` and how `reward` compares with recent prices for the same kind of job in
 * `token`: registered workers (the sdk's `readWorkers`), recent `JobSettled` and `BidRevealed`
 * logs, and the posted jobs' specs for their kinds.
 */
export function useBidOutlook(input: {
  req: BidRequirements | undefined;
  kind: JobKind | undefined;
  kindText: string;
  token: TokenInfo;
  reward: bigint | undefined;
  exclude?: bigint;
  /** Read nothing while false. */
  enabled?: boolean;
}): BidOutlook {
  const enabled = input.enabled ?? true;
  const workers = useWorkers(enabled);
  const index = useJobIndex(enabled);
  const logs = useRecentPriceLogs(enabled);
  const kinds = useMemo(() => {
    const map = new Map<bigint, JobKind | undefined>();
    for (const job of index.data?.jobs ?? []) {
      const spec = specOf(job);
      map.set(job.id, kindOf(spec.ok ? spec.spec : undefined));
    }
    return map;
  }, [index.data]);
  const { req, kind, reward, token } = input;
  const eth = (v: bigint) => formatAmount(v, ETH);
  const elig = enabled && workers.data && req ? eligibility(workers.data, req) : undefined;
  const prices =
    enabled && logs.data && index.data && kind && reward !== undefined
      ? describePrices(
          recentPrices({
            logs: logs.data,
            jobs: index.data.jobs,
            kinds,
            kind,
            token: token.address as Address,
            ...(input.exclude !== undefined ? { exclude: input.exclude } : {}),
          }),
          reward,
          input.kindText,
          (v) => formatAmount(v, token),
          token.symbol,
        )
      : undefined;
  return {
    ...(elig && req ? { eligibility: elig, eligibilityText: describeEligibility(elig, req, eth) } : {}),
    ...(prices ? { prices } : {}),
    loading: enabled && (workers.isLoading || logs.isLoading || index.isLoading),
  };
}

/** The explanations as a list, warnings marked. */
export function WhyList({ items }: { items: Explanation[] }) {
  return (
    <ul>
      {items.map((e, i) => (
        <li key={i} className={e.tone}>
          {e.tone === "warning" && <strong>Attention: </strong>}
          {e.text}
        </li>
      ))}
    </ul>
  );
}
