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
