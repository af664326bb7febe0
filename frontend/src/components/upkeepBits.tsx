// Pieces shared by the upkeep pages: the screen for a deployment without an automation registry,
// status badges that say their status in words, and the lease holder of an epoch.
import type { LeaseState, UpkeepStatusName } from "@baton/sdk";
import { useBaton } from "../BatonContext.tsx";
import { formatAmount, isZeroAddress } from "../lib/format.ts";
import { STATUS_LABELS } from "../lib/upkeepModel.ts";
import { Link } from "../router.tsx";
import { AddressText } from "./bits.tsx";

export function NoRegistry() {
  const { chain } = useBaton();
  return (
    <section className="screen" aria-labelledby="no-registry-title">
      <h1 id="no-registry-title">Automation isn't available on {chain.name}</h1>
      <p>
        This deployment has no automation registry: its address book names no <code>automationRegistry</code>. Jobs and
        workflows work as usual.
      </p>
      <p>
        <Link to="#/post">Post a job</Link> · <Link to="#/jobs">Browse jobs</Link>
      </p>
    </section>
  );
}

export function UpkeepBadge({ status }: { status: UpkeepStatusName }) {
  return <span className={`badge upkeep-${status}`}>{STATUS_LABELS[status]}</span>;
}

/** The lease holder and its premium, or that nobody holds it (open service). */
export function LeaseHolder({ lease, none = "none (open service)" }: { lease: LeaseState | undefined; none?: string }) {
  if (!lease || isZeroAddress(lease.holder)) return <>{none}</>;
  return (
    <>
      <AddressText address={lease.holder} /> at {formatAmount(lease.premium)} per perform
    </>
  );
}
