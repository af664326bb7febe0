import { render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../src/App.tsx";
import { Boot } from "../src/Boot.tsx";
import { FakeChain, MARKET, REQUESTER } from "./helpers/fakeChain.ts";
import { renderWithChain } from "./helpers/render.tsx";

afterEach(() => vi.unstubAllGlobals());

describe("start-up screens", () => {
  it("explains a missing configuration file", async () => {
    vi.stubGlobal("fetch", async () => new Response("not found", { status: 404 }));
    render(<Boot />);
    expect(await screen.findByRole("heading", { name: "Baton is not configured" })).toBeTruthy();
    expect(screen.getByText(/baton.config.json was not found/)).toBeTruthy();
  });

  it("explains an invalid configuration file", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ chains: [{ chainId: 1 }] })));
    render(<Boot />);
    expect(await screen.findByRole("heading", { name: "The configuration is invalid" })).toBeTruthy();
    expect(screen.getByText(/chains\[0\]\.name is required/)).toBeTruthy();
  });

  it("says when Baton is not deployed at the configured address", async () => {
    const fake = new FakeChain();
    const request = fake.request.bind(fake);
    fake.request = async (method, params = []) =>
      method === "eth_getCode" && String(params[0]).toLowerCase() === MARKET.toLowerCase()
        ? "0x"
        : request(method, params);
    await renderWithChain(<App />, fake);
    expect(await screen.findByRole("heading", { name: "Baton isn't deployed on Test chain" })).toBeTruthy();
  });

  it("browses read-only without a wallet", async () => {
    await renderWithChain(<App />, new FakeChain());
    expect(await screen.findByRole("heading", { name: "Overview" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Connect wallet" })).toBeTruthy();
    expect(screen.getByRole("navigation", { name: "Main" })).toBeTruthy();
  });

  it("shows the connected account", async () => {
    await renderWithChain(<App />, new FakeChain(), { account: REQUESTER });
    expect(await screen.findByLabelText(`Connected account ${REQUESTER}`)).toBeTruthy();
  });
});
