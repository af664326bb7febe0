// Small display pieces shared by the pages.
import type { ReactNode } from "react";
import { useBaton } from "../BatonContext.tsx";
import { explorerLink, formatDuration, shortAddress } from "../lib/format.ts";
import { isCustomArbiter, stateLabel } from "../lib/jobModel.ts";
import { jobStateNames } from "@baton/sdk";

export function StateBadge({ state }: { state: number }) {
  const name = jobStateNames[state] ?? "None";
  return <span className={`badge state-${name}`}>{stateLabel(state)}</span>;
}

export function AddressText({ address, label }: { address: string; label?: string }) {
  const { chain } = useBaton();
  const link = explorerLink(chain.explorerUrl, "address", address);
  const text = label ?? shortAddress(address);
  return link ? (
    <a href={link} target="_blank" rel="noreferrer" title={address}>
      {text}
    </a>
  ) : (
    <span className="address" title={address}>
      {text}
    </span>
  );
}

export function Countdown({ label, at, now }: { label: string; at: number; now: number }) {
  const left = at - now;
  return (
    <p className="countdown" role="timer" aria-live="off">
      {label} {left > 0 ? `in ${formatDuration(left)}` : "now"}
    </p>
  );
}

export function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function ErrorText({ error }: { error: unknown }) {
  return (
    <p role="alert" className="error">
      {error instanceof Error ? error.message.split("\n")[0] : String(error)}
    </p>
  );
}

/**
 * A job list row's mark for a job whose arbiter is not the deployment's committee: nothing for the
 * default arbiter.
 */
export function CustomArbiterBadge({ arbiter }: { arbiter: string }) {
  const { chain } = useBaton();
  if (!isCustomArbiter(arbiter, chain.addressBook.committeeArbiter)) return null;
  return (
    <div className="arbiter-note">
      <span className="badge arbiter-custom">Custom arbiter</span>{" "}
      <small>
        <AddressText address={arbiter} /> decides disputes; keepers on the default policy will not bid
      </small>
    </div>
  );
}

/**
 * A job page's warning for a job whose arbiter is not the deployment's committee: nothing for the
 * default arbiter.
 */
export function CustomArbiterWarning({ arbiter }: { arbiter: string }) {
  const { chain } = useBaton();
  const committee = chain.addressBook.committeeArbiter;
  if (!isCustomArbiter(arbiter, committee)) return null;
  return (
    <div className="banner arbiter-warning" role="note" aria-label="Custom arbiter">
      <p>
        <span className="badge arbiter-custom">Custom arbiter</span> Disputes on this job are decided by{" "}
        <AddressText address={arbiter} />, an arbiter the requester chose, not this deployment's committee (
        <AddressText address={committee} />
        ).
      </p>
      <p>
        Keepers that follow the default policy will not bid on it. Take it only if you trust that arbiter: it can rule
        against the worker and take the worker's bond.
      </p>
    </div>
  );
}
