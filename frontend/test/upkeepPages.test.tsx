import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../src/App.tsx";
import { BOOK, FakeChain } from "./helpers/fakeChain.ts";
import { renderWithChain } from "./helpers/render.tsx";

const REGISTRY = "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853";

describe("upkeep pages", () => {
  it("leave the navigation and explain themselves on a deployment without an automation registry", async () => {
    globalThis.location.hash = "#/upkeeps";
    await renderWithChain(<App />, new FakeChain());
    expect(await screen.findByRole("heading", { name: "Automation isn't available on Test chain" })).toBeTruthy();
    expect(screen.getByText(/its address book names no/)).toBeTruthy();
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(nav.textContent).not.toContain("Upkeeps");
    globalThis.location.hash = "#/upkeeps/new";
    expect(await screen.findByRole("heading", { name: "Automation isn't available on Test chain" })).toBeTruthy();
  });

  it("are in the navigation when the address book names a registry", async () => {
    await renderWithChain(<App />, new FakeChain(), {
      chain: { addressBook: { ...BOOK, automationRegistry: REGISTRY } },
    });
    expect(await screen.findByRole("link", { name: "Upkeeps" })).toBeTruthy();
  });

  it("shows the next ticks of an interval and a cron expression's problem on its field, before anything is sent", async () => {
    globalThis.location.hash = "#/upkeeps/new";
    const fake = new FakeChain();
    await renderWithChain(<App />, fake, { chain: { addressBook: { ...BOOK, automationRegistry: REGISTRY } } });
    await screen.findByRole("heading", { name: "Register an upkeep" });
    fireEvent.click(screen.getByRole("radio", { name: /^Interval/ }));
    const preview = screen.getByRole("region", { name: "Before you register" });
    expect(await screen.findByText(/^Next ticks \(UTC-aligned, the latest due one is performed\): /)).toBeTruthy();
    expect(preview.textContent).toMatch(/in 1 min/);

    fireEvent.click(screen.getByRole("radio", { name: /^Cron/ }));
    fireEvent.change(screen.getByLabelText("Target contract"), { target: { value: BOOK.jobMarket } });
    fireEvent.change(screen.getByLabelText("Cron expression"), { target: { value: "0 24 * * *" } });
    fireEvent.click(screen.getByRole("button", { name: "Register upkeep" }));
    expect(
      await screen.findByText(
        /^This is not a cron expression the registry accepts: .*\(in the hour field, at character 3\)\.$/,
      ),
    ).toBeTruthy();
    expect(fake.count("eth_sendRawTransaction")).toBe(0);
  });
});
