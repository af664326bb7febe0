// What a worker earned: the market keeps no counter, so the dApp sums price minus fee over the
// worker's `JobSettled` events, per token of the jobs they settled.
import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { keccak256, toHex, zeroAddress } from "viem";
import { Withdraw } from "../src/components/Withdraw.tsx";
import { FakeChain, OTHER, REQUESTER, termsFor, TOKEN, WORKER } from "./helpers/fakeChain.ts";
import { renderWithChain } from "./helpers/render.tsx";

describe("earnings", () => {
  it("sums the worker's settlements, net of fees, per token, from JobSettled and JobPosted", async () => {
    const fake = new FakeChain();
    const settle = (jobId: bigint, worker: string, price: bigint, fee: bigint) =>
      fake.addLog("JobSettled", { jobId, worker }, [keccak256(toHex(`result ${jobId}`)), price, fee, 0n]);
    const eth1 = fake.postJob(termsFor(REQUESTER));
    const eth2 = fake.postJob(termsFor(REQUESTER));
    const usd = fake.postJob(termsFor(REQUESTER, { token: TOKEN, maxReward: 10_000_000n }));
    const others = fake.postJob(termsFor(REQUESTER));
    settle(eth1, WORKER, 8n * 10n ** 16n, 2n * 10n ** 15n);
    settle(eth2, WORKER, 2n * 10n ** 16n, 5n * 10n ** 14n);
    settle(usd, WORKER, 5_000_000n, 125_000n);
    settle(others, OTHER, 9n * 10n ** 16n, 0n);
    fake.credits.set(`${WORKER.toLowerCase()}:${zeroAddress}`, 10n ** 16n);

    await renderWithChain(<Withdraw tokens={[zeroAddress, TOKEN]} showEarned />, fake, { account: WORKER });
    await waitFor(() => expect(screen.getAllByText(/earned as a worker/)).toHaveLength(2));
    const rows = screen.getAllByRole("listitem").map((li) => li.textContent);
    expect(rows[0]).toMatch(/Withdrawable: 0.01 ETH · earned as a worker: 0.0975 ETH/);
    expect(rows[1]).toMatch(/Withdrawable: 0 TUSD · earned as a worker: 4.875 TUSD/);
  });

  it("shows nothing earned for an account that never settled a job, and no earnings unless asked", async () => {
    const fake = new FakeChain();
    fake.postJob(termsFor(REQUESTER));
    const { unmount } = await renderWithChain(<Withdraw tokens={[zeroAddress]} showEarned />, fake, {
      account: OTHER,
    });
    expect((await screen.findByText(/earned as a worker/)).closest("li")!.textContent).toMatch(
      /earned as a worker: 0 ETH/,
    );
    unmount();
    const before = fake.count("eth_getLogs");
    await renderWithChain(<Withdraw tokens={[zeroAddress]} />, fake, { account: OTHER });
    expect(await screen.findByText(/Withdrawable/)).toBeTruthy();
    expect(screen.queryByText(/earned as a worker/)).toBeNull();
    expect(fake.count("eth_getLogs")).toBe(before);
  });
});
