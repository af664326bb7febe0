import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { zeroAddress, type Address, type Hex } from "viem";
import { packTerms } from "@baton/sdk";
import Jobs from "../src/pages/Jobs.tsx";
import { idsToRead, selectPage } from "../src/hooks/useJobList.ts";
import { ARBITER, FakeChain, OTHER, REQUESTER, termsFor } from "./helpers/fakeChain.ts";
import { renderWithChain } from "./helpers/render.tsx";

function chainWith(jobs: number) {
  const fake = new FakeChain();
  for (let i = 0; i < jobs; i++) {
    // Every third job is REQUESTER's; every fifth has settled.
    fake.postJob(termsFor(i % 3 === 0 ? REQUESTER : OTHER), { state: i % 5 === 0 ? 11 : 1 });
  }
  fake.calls.length = 0;
  return fake;
}

describe("jobs list", () => {
  it("shows the first page of 2,000 jobs with at most 10 RPC requests", async () => {
    const fake = chainWith(2000);
    await renderWithChain(<Jobs />, fake);
    expect(await screen.findByRole("link", { name: "Job #2000" }, { timeout: 10_000 })).toBeTruthy();
    await waitFor(() => expect(screen.getAllByText("Open for bids").length).toBeGreaterThan(0));
    expect(screen.getByText(/Page 1 of 100 \(2000 jobs\)/)).toBeTruthy();
    expect(screen.getAllByRole("row")).toHaveLength(21); // header + 20
    // The page's states come from one Multicall3 call, not one call per row.
    expect(fake.count("eth_call")).toBeLessThanOrEqual(3);
    expect(fake.count()).toBeLessThanOrEqual(10);
  });

  it("filters by state with batched reads of every job", async () => {
    const fake = chainWith(2000);
    globalThis.location.hash = "#/jobs?status=Settled";
    await renderWithChain(<Jobs />, fake);
    expect(await screen.findByText(/Page 1 of 20 \(400 jobs\)/, undefined, { timeout: 10_000 })).toBeTruthy();
    // 2,000 states in batches of 500: four multicalls (plus the page's token info).
    expect(fake.count("eth_call")).toBeLessThanOrEqual(5);
    expect(fake.count()).toBeLessThanOrEqual(10);
  });

  it("reads the list from the indexer when the deployment names one: one query, no log reads", async () => {
    const fake = chainWith(0);
    const queries: string[] = [];
    const terms = termsFor(REQUESTER);
    const row = (id: number) => ({
      id: String(id),
      terms: packTerms(terms),
      requester: REQUESTER.toLowerCase(),
      token: zeroAddress,
      specHash: "0x" + "11".repeat(32),
      spec: "0x7b7d",
      postedBlock: "5",
      postedAt: "1000",
      postedTx: "0x" + "22".repeat(32),
      status: "Settled",
      round: 0,
      commits: 1,
      deadline: 0,
      revealDeadline: 0,
      winner: zeroAddress,
      price: "0",
      secondPrice: "0",
      digest: "0x" + "33".repeat(21),
    });
    const original = globalThis.fetch;
    globalThis.fetch = (async (url: string, init: RequestInit) => {
      if (!String(url).startsWith("http://indexer.test")) return original(url, init);
      queries.push(JSON.parse(String(init.body)).query);
      return new Response(JSON.stringify({ data: { jobs: { totalCount: 2, items: [row(2), row(1)] } } }), {
        headers: { "content-type": "application/json" },
      });
    }) as typeof fetch;
    try {
      globalThis.location.hash = "#/jobs?status=Settled";
      await renderWithChain(<Jobs />, fake, { chain: { indexerUrl: "http://indexer.test" } });
      expect(await screen.findByRole("link", { name: "Job #2" }, { timeout: 10_000 })).toBeTruthy();
      expect(screen.getByRole("link", { name: "Job #1" })).toBeTruthy();
      expect(screen.getByText(/Page 1 of 1 \(2 jobs\)/)).toBeTruthy();
      expect(queries[0]).toContain('where: { status: "Settled" }');
      expect(queries[0]).toContain("offset: 0");
      expect(fake.count("eth_getLogs")).toBe(0);
    } finally {
      globalThis.fetch = original;
    }
  });

  it("marks the rows of jobs whose arbiter is not the deployment's committee", async () => {
    const custom: Address = "0x2546BcD3c84621e976D8185a91A922aE77ECEc30";
    const fake = chainWith(0);
    fake.postJob(termsFor(REQUESTER, { arbiter: ARBITER }));
    fake.postJob(termsFor(REQUESTER, { arbiter: custom }));
    fake.postJob(termsFor(OTHER, { arbiter: ARBITER }));
    await renderWithChain(<Jobs />, fake);
    const rowOf = async (id: number) =>
      (await screen.findByRole("link", { name: `Job #${id}` }, { timeout: 10_000 })).closest("tr")!;
    const marked = within(await rowOf(2));
    expect(marked.getByText("Custom arbiter")).toBeTruthy();
    expect(marked.getByTitle(custom).textContent).toBe("0x2546…Ec30");
    expect(marked.getByText(/decides disputes; keepers on the default policy will not bid/)).toBeTruthy();
    for (const id of [1, 3]) expect(within(await rowOf(id)).queryByText("Custom arbiter")).toBeNull();
    expect(screen.getAllByText("Custom arbiter")).toHaveLength(1);
  });

  it("reads only the page's jobs, whatever the history: one log query, twenty logs", async () => {
    const fake = chainWith(2000);
    let logs = 0;
    const request = fake.request.bind(fake);
    fake.request = async (method, params = []) => {
      const out = await request(method, params);
      if (method === "eth_getLogs") logs += (out as unknown[]).length;
      return out;
    };
    await renderWithChain(<Jobs />, fake);
    expect(await screen.findByRole("link", { name: "Job #2000" }, { timeout: 10_000 })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Job #1981" })).toBeTruthy();
    expect(fake.count("eth_getLogs")).toBe(1);
    expect(logs).toBe(20);
    // The last page: the oldest jobs, found by topic all the same.
    globalThis.location.hash = "#/jobs?page=100";
    expect(await screen.findByRole("link", { name: "Job #1" }, { timeout: 10_000 })).toBeTruthy();
    expect(screen.getByText(/Page 100 of 100 \(2000 jobs\)/)).toBeTruthy();
  });

  it("keeps the job index in the query, so a refresh reads only the blocks after its head", async () => {
    const fake = chainWith(3);
    // A filtered list reads the index of every posted job.
    globalThis.location.hash = "#/jobs?status=Open";
    const from: bigint[] = [];
    const request = fake.request.bind(fake);
    fake.request = async (method, params = []) => {
      if (method === "eth_getLogs") from.push(BigInt((params[0] as { fromBlock: Hex }).fromBlock));
      return request(method, params);
    };
    const { queryClient } = await renderWithChain(<Jobs />, fake);
    await screen.findByRole("link", { name: "Job #3" }, { timeout: 10_000 });
    const head = fake.head;
    const reads = from.length;
    // A new block after the head the index was read at, with a new job in it.
    fake.head += 1n;
    fake.postJob(termsFor(OTHER));
    await queryClient.refetchQueries({ queryKey: ["jobIndex"] });
    expect(await screen.findByRole("link", { name: "Job #4" })).toBeTruthy();
    expect(from.slice(reads)).toEqual([head + 1n]);
  });

  it("selects the connected account's jobs, newest first, one page at a time", () => {
    const fake = chainWith(0);
    for (let i = 0; i < 45; i++) fake.postJob(termsFor(i % 3 === 0 ? REQUESTER : OTHER, { token: zeroAddress }));
    const jobs = fake.jobs.map((j, i) => ({
      id: BigInt(i + 1),
      requester: j.terms.requester,
      token: j.terms.token,
      terms: j.terms,
      specHash: "0x" as const,
      spec: "0x" as const,
      blockNumber: j.block,
      transactionHash: "0x" as const,
    }));
    const filter = { mine: true, account: REQUESTER, page: 0 };
    expect(idsToRead(jobs, filter, 10)).toEqual([43n, 40n, 37n, 34n, 31n, 28n, 25n, 22n, 19n, 16n]);
    const page = selectPage(jobs, undefined, { ...filter, page: 1 }, 10);
    expect(page.total).toBe(15);
    expect(page.rows.map((r) => r.posted.id)).toEqual([13n, 10n, 7n, 4n, 1n]);
    expect(selectPage(jobs, undefined, { mine: true, page: 0 }).total).toBe(0);
  });
});
