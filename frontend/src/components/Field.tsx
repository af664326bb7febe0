// A labelled form control with its hint and error message wired for assistive technology.
import { useId, type InputHTMLAttributes, type ReactNode } from "react";

type Props = {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  multiline?: boolean;
  children?: ReactNode;
} & Omit<InputHTMLAttributes<HTMLInputElement & HTMLTextAreaElement>, "children">;

export function Field({ label, error, hint, multiline, children, ...input }: Props) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : "", error ? errorId : ""].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
    name: input.name,
  };
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children ? (
        <select {...common} value={input.value as string} onChange={input.onChange as never} disabled={input.disabled}>
          {children}
        </select>
      ) : multiline ? (
        <textarea {...(input as object)} {...common} rows={3} />
      ) : (
        <input {...input} {...common} />
      )}
      {hint && (
        <small id={hintId} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={errorId} className="error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

/** A labelled group of radio buttons, one per option, with `value` checked. */
export function Radios<T extends string>({
  label,
  name,
  options,
  value,
  onChange,
}: {
  label: string;
  /** The radio group's name (unique on the page). */
  name: string;
  options: readonly { value: T; label: ReactNode }[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <div className="radios" role="radiogroup" aria-label={label}>
      {options.map((o) => (
        <label key={o.value} className="check">
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
          />
          {o.label}
        </label>
      ))}
    </div>
  );
}
