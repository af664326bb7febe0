// Small display pieces shared by the pages.
import type { ReactNode } from "react";
import { useBaton } from "../BatonContext.tsx";
import { explorerLink, formatDuration, shortAddress } from "../lib/format.ts";
import { stateLabel } from "../lib/jobModel.ts";
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
