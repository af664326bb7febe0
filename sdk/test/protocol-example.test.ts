// docs/PROTOCOL.md's worked example, followed as a client without the sdk would: the values are
// read from the document itself, hashed with plain viem, and checked against the market on a
// fresh Hardhat node (where the test kit's deployment puts the market and the arbiter at the
// addresses the example names): the stored digest, the market's own hashing views, and a
// bid sealed with the documented commitment that `commitBid` accepts and `revealBid` opens.
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  concatHex,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  encodePacked,
  getAddress,
  http,
  keccak256,
  slice,
  parseEther,
  stringToBytes,
  stringToHex,
  type Address,
  type Hex,
} from "viem";
import { hardhat } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasArtifacts } from "@baton/testkit/artifacts";
import { account, deployBaton, ROOT, startHardhatNode, type HardhatNode } from "@baton/testkit/devnet";
import { jobMarketAbi } from "../src/generated/abis.js";
import { packTerms } from "../src/packed.js";
import { parseSpec } from "../src/spec/schema.js";
import { storedCommitment } from "../src/hashing.js";

const DOC = readFileSync(path.join(ROOT, "docs", "PROTOCOL.md"), "utf8");

/** The fenced block that follows `<!-- worked-example:<name> -->` in the document. */
function block(name: string): string {
  const marker = `<!-- worked-example:${name} -->`;
  const at = DOC.indexOf(marker);
  if (at < 0) throw new Error(`docs/PROTOCOL.md has no ${marker}`);
  const match = /```[a-z]*\n([\s\S]*?)\n```/.exec(DOC.slice(at));
  if (!match) throw new Error(`no code block after ${marker}`);
  return match[1]!;
}

/** A block of hex, one field a line (a comment may follow each), as one hex string. */
const fields = (name: string): Hex =>
  concatHex(
    block(name)
      .split("\n")
      .map((line) => `0x${line.split(/\s+/)[0]}` as Hex),
  );

/** A block of one 32-byte word a line (a comment may follow each word) as one hex string. */
const words = (name: string): Hex =>
  concatHex(
    block(name)
      .split("\n")
      .map((line) => `0x${line.slice(0, 64)}` as Hex),
  );

type Example = {
  terms: Record<string, string | number | boolean>;
  digest: Hex;
  bid: { chainId: number; market: Address; jobId: number; round: number; bidder: Address; price: string; salt: Hex };
  commitment: Hex;
  spec: unknown;
  specCanonical: string;
  specHash: Hex;
};
const example = JSON.parse(block("values")) as Example;

// The packed field types written out by hand, as a reader of the doc would (IJobMarket.JobTerms).
const TERMS_FIELDS = [
  ["requester", "address"],
  ["token", "address"],
  ["maxReward", "uint96"],
  ["arbiter", "address"],
  ["bond", "uint96"],
  ["minStake", "uint96"],
  ["minCompleted", "uint32"],
  ["commitWindow", "uint32"],
  ["revealWindow", "uint32"],
  ["executionWindow", "uint32"],
  ["challengeWindow", "uint32"],
  ["expiry", "uint32"],
  ["feeBps", "uint16"],
  ["forfeitBps", "uint16"],
  ["slashBountyBps", "uint16"],
  ["disputeBond", "uint96"],
  ["rulingTimeout", "uint32"],
  ["pricing", "uint8"],
  ["callback", "bool"],
] as const;
const COMMITMENT_TYPES = [
  { type: "uint256" },
  { type: "address" },
  { type: "uint256" },
  { type: "uint8" },
  { type: "address" },
  { type: "uint96" },
  { type: "bytes32" },
] as const;

const t = example.terms;
const terms = {
  requester: t.requester as Address,
  token: t.token as Address,
  maxReward: BigInt(t.maxReward as string),
  arbiter: t.arbiter as Address,
  bond: BigInt(t.bond as string),
  minStake: BigInt(t.minStake as string),
  minCompleted: t.minCompleted as number,
  commitWindow: t.commitWindow as number,
  revealWindow: t.revealWindow as number,
  executionWindow: t.executionWindow as number,
  challengeWindow: t.challengeWindow as number,
  expiry: t.expiry as number,
  feeBps: t.feeBps as number,
  forfeitBps: t.forfeitBps as number,
  slashBountyBps: t.slashBountyBps as number,
  disputeBond: BigInt(t.disputeBond as string),
  rulingTimeout: t.rulingTimeout as number,
  pricing: t.pricing as number,
  callback: t.callback as boolean,
};
const bid = { ...example.bid, jobId: BigInt(example.bid.jobId), price: BigInt(example.bid.price) };

/** JSON with object keys sorted at every level and no whitespace: the doc's canonical form. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

describe("docs/PROTOCOL.md worked example, by hand", () => {
  it("names every JobTerms field, in declared order", () => {
    expect(Object.keys(example.terms)).toEqual(TERMS_FIELDS.map(([name]) => name));
  });

  it("the terms pack to the 144 bytes shown; with the job id and no result they give the documented digest", () => {
    const encoded = encodePacked(
      TERMS_FIELDS.map(([, type]) => type),
      TERMS_FIELDS.map(([name]) => terms[name]),
    );
    expect(encoded).toBe(fields("terms-encoding"));
    expect(encoded).toBe(packTerms(terms));
    expect((encoded.length - 2) / 2).toBe(144);
    const prefix = encodeAbiParameters(
      [{ type: "uint256" }, { type: "bytes32" }],
      [BigInt(bid.jobId), `0x${"00".repeat(32)}`],
    );
    expect(prefix).toBe(words("digest-prefix"));
    expect(slice(keccak256(concatHex([prefix, encoded])), 0, 21)).toBe(example.digest);
  });

  it("the bid encodes to the 7 words shown and hashes to the documented commitment", () => {
    const encoded = encodeAbiParameters(COMMITMENT_TYPES, [
      BigInt(bid.chainId),
      bid.market,
      bid.jobId,
      bid.round,
      bid.bidder,
      bid.price,
      bid.salt,
    ]);
    expect(encoded).toBe(words("commitment-encoding"));
    expect(keccak256(encoded)).toBe(example.commitment);
  });

  it("the spec's canonical JSON and its hash are the documented ones", () => {
    expect(canonical(example.spec)).toBe(example.specCanonical);
    expect(keccak256(stringToBytes(example.specCanonical))).toBe(example.specHash);
    // Every value the doc states appears in its prose as well.
    for (const hash of [example.digest, example.commitment, example.specHash]) {
      expect(DOC.split(hash).length - 1).toBeGreaterThanOrEqual(2);
    }
  });
});

describe("docs/PROTOCOL.md spec examples", () => {
  it("every spec shown is one the sdk's schema (what keepers run) accepts", () => {
    const specs = [...DOC.matchAll(/```json\n([\s\S]*?)\n```/g)]
      .map((m) => JSON.parse(m[1]!) as { kind?: unknown })
      .filter((value) => typeof value.kind === "string");
    expect(specs.map((s) => s.kind)).toEqual(["wasm", "http.json", "contract.call"]);
    for (const spec of [...specs, example.spec]) {
      const parsed = parseSpec(spec);
      expect(parsed.ok ? "ok" : parsed.error.message).toBe("ok");
    }
  });
});

describe.skipIf(!hasArtifacts)(
  hasArtifacts ? "docs/PROTOCOL.md worked example, on chain" : "worked example on chain — skipped: no artifacts/",
  () => {
    let node: HardhatNode;
    let publicClient: ReturnType<typeof createPublicClient>;
    const wallet = (index: number) =>
      createWalletClient({ chain: hardhat, transport: http(node.url), account: account(index) });
    const market = () => bid.market;
    const write = async (index: number, functionName: string, args: readonly unknown[], value?: bigint) => {
      const hash = await wallet(index).writeContract({
        address: market(),
        abi: jobMarketAbi,
        functionName: functionName as never,
        args: args as never,
        ...(value === undefined ? {} : { value }),
      } as never);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe("success");
      return receipt;
    };
    const read = (functionName: string, args: readonly unknown[] = []) =>
      publicClient.readContract({
        address: market(),
        abi: jobMarketAbi,
        functionName: functionName as never,
        args: args as never,
      }) as Promise<unknown>;

    beforeAll(async () => {
      // A fresh node of its own: the example's addresses are those of the first deployment on it.
      node = await startHardhatNode();
      publicClient = createPublicClient({ chain: hardhat, transport: http(node.url), pollingInterval: 50 });
      const deployment = await deployBaton(node.url);
      expect(getAddress(deployment.market)).toBe(bid.market);
      expect(getAddress(deployment.arbiter)).toBe(terms.arbiter);
    });

    afterAll(async () => {
      await node?.stop();
    });

    it("the market's own views give the documented hashes", async () => {
      expect(await read("jobDigest", [bid.jobId, packTerms(terms), `0x${"00".repeat(32)}`])).toBe(example.digest);
      expect(await publicClient.getChainId()).toBe(bid.chainId);
      expect(await read("computeCommitment", [bid.jobId, bid.round, bid.bidder, bid.price, bid.salt])).toBe(
        example.commitment,
      );
    });

    it("posting the example stores its digest; the documented commitment is accepted and opens", async () => {
      const requester = [...Array(20).keys()].find((i) => account(i).address === terms.requester)!;
      const bidder = [...Array(20).keys()].find((i) => account(i).address === bid.bidder)!;
      expect(requester).toBeGreaterThanOrEqual(0);

      await write(
        requester,
        "postJob",
        [packTerms(terms), example.specHash, stringToHex(example.specCanonical)],
        terms.maxReward,
      );
      expect(await read("jobCount")).toBe(bid.jobId);
      const posted = (await read("getJob", [bid.jobId])) as { digest: Hex; round: number };
      expect(posted.digest).toBe(example.digest);
      expect(posted.round).toBe(bid.round);

      await write(bidder, "register", [[stringToHex("wasm", { size: 32 })], "https://workers.example/doc"]);
      await write(bidder, "depositStake", [], parseEther("1"));
      await write(bidder, "commitBid", [bid.jobId, packTerms(terms), example.commitment]);
      // The market keeps the commitment's low 192 bits.
      expect(await read("commitmentOf", [bid.jobId, bid.round, bid.bidder])).toBe(storedCommitment(example.commitment));

      await publicClient.request({ method: "evm_increaseTime" as never, params: [terms.commitWindow] as never });
      await publicClient.request({ method: "evm_mine" as never, params: [] as never });
      await write(bidder, "revealBid", [bid.jobId, packTerms(terms), bid.price, bid.salt]);
      const revealed = (await read("getJob", [bid.jobId])) as { winner: Address; price: bigint };
      expect(revealed.winner).toBe(bid.bidder);
      expect(revealed.price).toBe(bid.price);
    });
  },
);
