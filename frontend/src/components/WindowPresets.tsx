// Window presets (fast demo, normal, cautious) as a radio group: choosing one fills the four
// window fields; editing a field by hand shows "Custom". Also the round's time estimate, in parts.
import { presetOf, windowPresets, type WindowPreset } from "../lib/postForm.ts";
import { describeEstimate, estimateRound } from "../lib/time.ts";

type Windows = { commitWindow: string; revealWindow: string; executionWindow: string; challengeWindow: string };

export function WindowPresets({
  chainId,
  values,
  name,
  onApply,
}: {
  chainId: number;
  values: Windows;
  /** The radio group's name (unique on the page). */
  name: string;
  onApply: (preset: WindowPreset) => void;
}) {
  const presets = windowPresets(chainId);
  const current = presetOf(values, presets);
  return (
    <div className="radios" role="radiogroup" aria-label="Window preset">
      {presets.map((p) => (
        <label key={p.id} className="check" title={p.hint}>
          <input type="radio" name={name} value={p.id} checked={current === p.id} onChange={() => onApply(p)} />
          {p.label} <small className="muted">({p.hint})</small>
        </label>
      ))}
      <label className="check">
        <input type="radio" name={name} value="custom" checked={current === "custom"} disabled readOnly />
        Custom
      </label>
    </div>
  );
}

/** "From posting to settlement: about 45 s (bidding 10 s + …)", or nothing while a window is invalid. */
export function RoundEstimate({ values }: { values: Windows }) {
  const w = {
    commitWindow: Number(values.commitWindow),
    revealWindow: Number(values.revealWindow),
    executionWindow: Number(values.executionWindow),
    challengeWindow: Number(values.challengeWindow),
  };
  if (Object.values(w).some((v) => !Number.isInteger(v) || v < 1)) return null;
  return (
    <p className="hint" aria-label="Time estimate">
      {describeEstimate(estimateRound(w))}
    </p>
  );
}
