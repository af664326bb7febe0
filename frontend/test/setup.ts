import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { resetJobIndexCache } from "../src/lib/market.ts";

afterEach(() => {
  cleanup();
  resetJobIndexCache();
  globalThis.localStorage?.clear();
  globalThis.location.hash = "";
});
