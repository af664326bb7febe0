// Small display pieces shared by the pages.
import { useState, type ReactNode } from "react";
import { useConnection } from "wagmi";
import { useBaton } from "../BatonContext.tsx";
import { useMarketParams } from "../hooks/data.ts";
import { labelOf } from "../lib/labels.ts";
import { explorerLink, formatDuration, shortAddress } from "../lib/format.ts";
import { formatClock, formatRelative } from "../lib/time.ts";
import { isCustomArbiter, stateLabel } from "../lib/jobModel.ts";
import { jobStateNames } from "@baton/sdk";

export function StateBadge({ state }: { state: number }) {
  const name = jobStateNames[state] ?? "None";
  return <span className={`badge state-${name}`}>{stateLabel(state)}</span>;
}

/**
 * An address, shortened, with its name when it has one ("you", "the market", "the treasury", a
 * configured keeper's name…) and a button that copies it whole.
 */
export function AddressText({ address, label }: { address: string; label?: string }) {
  const { chain } = useBaton();
  const { address: account } = useConnection();
  const params = useMarketParams();
  const link = explorerLink(chain.explorerUrl, "address", address);
  const text = label ?? shortAddress(address);
  const name = labelOf(address, { account, treasury: params.data?.treasury, chain });
  return (
    <span className="address-text">
      {link ? (
        <a href={link} target="_blank" rel="noreferrer" title={address}>
          {text}
        </a>
      ) : (
        <span className="address" title={address}>
          {text}
        </span>
      )}
      {name && name !== label && <span className="address-label">({name})</span>}
      <CopyButton value={address} what="address" />
    </span>
  );
}

/** Copies `value` to the clipboard; says "Copied" for a moment, or why it could not. */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const [done, setDone] = useState<"copied" | "failed" | undefined>();
  return (
    <button
      type="button"
      className="copy"
      aria-label={`Copy ${what} ${value}`}
      title={done === "failed" ? "The browser refused clipboard access" : `Copy ${value}`}
      onClick={() => {
        const clipboard = globalThis.navigator?.clipboard;
        if (!clipboard) return setDone("failed");
        clipboard.writeText(value).then(
          () => setDone("copied"),
          () => setDone("failed"),
        );
        setTimeout(() => setDone(undefined), 1500);
      }}
    >
      {done === "copied" ? "Copied" : done === "failed" ? "Copy failed" : "Copy"}
    </button>
  );
}

/**
 * A button for an action that cannot be undone and takes something away: red, and asking first.
 * `question` says what happens; the action runs only on "Yes".
 */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  disabled,
  title,
  onConfirm,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  disabled?: boolean;
  title?: string;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger" disabled={disabled} title={title} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <div className="confirm" role="alertdialog" aria-label={label} aria-describedby={undefined}>
      <p>{question}</p>
      <div className="actions">
        <button
          type="button"
          className="danger-solid"
          disabled={disabled}
          onClick={() => {
            setAsking(false);
            onConfirm();
          }}
        >
          {confirmLabel}
        </button>
        <button type="button" className="secondary" onClick={() => setAsking(false)}>
          Go back
        </button>
      </div>
    </div>
  );
}

export function Countdown({ label, at, now }: { label: string; at: number; now: number }) {
  const left = at - now;
  return (
    <p className="countdown" role="timer" aria-live="off">
      {label} {left > 0 ? `in ${formatDuration(left)} (at ${formatClock(at, now)})` : "now"}
    </p>
  );
}

/**
 * When a block was mined, from its timestamp: `14:03:27 · 2 min ago · block 17` (the block number
 * alone until its time has been read).
 */
export function BlockTime({ block, time, now }: { block: bigint; time: number | undefined; now: number }) {
  return (
    <small className="muted when">
      {" · "}
      {time !== undefined && (
        <>
          <time dateTime={new Date(time * 1000).toISOString()} title={new Date(time * 1000).toString()}>
            {formatClock(time, now)}
          </time>
          {` · ${formatRelative(time, now)} · `}
        </>
      )}
      block {String(block)}
    </small>
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
