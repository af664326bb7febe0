import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

// Unit tests never reach the network: a fetch of anything but the local machine fails at once (as
// an unreachable host would), e.g. the job page's check of a module at modules.example.
const realFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = (input, init) => {
  const url = new URL(
    typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
    "http://localhost/",
  );
  if (url.hostname !== "localhost" && url.hostname !== "127.0.0.1") {
    return Promise.reject(new TypeError(`network disabled in unit tests: ${url.hostname}`));
  }
  return realFetch(input, init);
};

afterEach(() => {
  cleanup();
  globalThis.localStorage?.clear();
  globalThis.location.hash = "";
});
