// A small hash router: `#/path?query`. Works from any static host without server rewrites.
import { useCallback, useMemo, useSyncExternalStore, type AnchorHTMLAttributes, type ReactNode } from "react";

export type Location = { path: string; query: URLSearchParams };

function parse(locationHash: string): Location {
  const hash = locationHash.replace(/^#/, "") || "/";
  const [path = "/", search = ""] = hash.split("?");
  return { path: path || "/", query: new URLSearchParams(search) };
}

function subscribe(callback: () => void) {
  globalThis.addEventListener("hashchange", callback);
  return () => globalThis.removeEventListener("hashchange", callback);
}

const snapshot = () => globalThis.location?.hash ?? "";

export function useLocation(): Location {
  const hash = useSyncExternalStore(subscribe, snapshot, () => "");
  return useMemo(() => parse(hash), [hash]);
}

export function href(path: string, query?: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== undefined && v !== false && v !== "") params.set(k, v === true ? "1" : String(v));
  const q = params.toString();
  return `#${path}${q ? `?${q}` : ""}`;
}

export function navigate(to: string) {
  globalThis.location.hash = to.startsWith("#") ? to.slice(1) : to;
}

export function useNavigate() {
  return useCallback((to: string) => navigate(to), []);
}

export function Link({
  to,
  children,
  ...rest
}: { to: string; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return (
    <a href={to} {...rest}>
      {children}
    </a>
  );
}

/** Matches `pattern` (`/jobs/:id`) against `path`; returns the parameters or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split("/").filter(Boolean);
  const s = path.split("/").filter(Boolean);
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(":")) params[p[i]!.slice(1)] = decodeURIComponent(s[i]!);
    else if (p[i] !== s[i]) return undefined;
  }
  return params;
}
