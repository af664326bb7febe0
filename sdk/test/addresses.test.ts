import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  AddressBookError,
  addressBookFor,
  parseAddressBook,
  readAddressBook,
  readIgnitionAddressBook,
  serializeAddressBook,
  writeAddressBook,
  type AddressBook,
} from "../src/node.js";

// A real BatonLocal deployment (`node scripts/deploy.mjs --network localhost` after 46 blocks had
// been mined), with the deployment bytecode elided from the journal.
const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "ignition-localhost");
const scratch = mkdtempSync(path.join(tmpdir(), "baton-sdk-addresses-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const expected: AddressBook = {
  chainId: 31337,
  jobMarket: "0x2279B7A0a67DB372996a5FaB50D91eAA73d2eBe6",
  committeeArbiter: "0x8A791620dd6260079BF849Dc5567aDC3F2FdC318",
  timelock: "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853",
  multicall3: "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
  demoToken: "0x0165878A594ca255338adfa4d48449f69242Eb8F",
  deploymentBlock: 47n,
};

function deploymentDir(name: string, addresses: unknown, journal: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "deployed_addresses.json"), JSON.stringify(addresses));
  writeFileSync(path.join(dir, "journal.jsonl"), journal);
  return dir;
}

describe("readIgnitionAddressBook", () => {
  it("reads addresses, chain id and the first deployment block from an Ignition deployment", async () => {
    expect(await readIgnitionAddressBook(fixture)).toEqual(expected);
    expect(await readIgnitionAddressBook(fixture, { moduleId: "BatonLocal" })).toEqual(expected);
  });

  it("reads public deployments of the Baton module, which have no demo token or Multicall3", async () => {
    const journal = readFileSync(path.join(fixture, "journal.jsonl"), "utf8").replaceAll("BatonLocal#", "Baton#");
    const addresses = {
      "Baton#TimelockController": expected.timelock,
      "Baton#JobMarket": expected.jobMarket,
      "Baton#CommitteeArbiter": expected.committeeArbiter,
    };
    const book = await readIgnitionAddressBook(deploymentDir("public", addresses, journal));
    expect(book).toEqual({ ...expected, multicall3: undefined, demoToken: undefined });
    expect("demoToken" in book).toBe(false);
  });

  it("fails with a clear error for missing files or a deployment without a JobMarket", async () => {
    await expect(readIgnitionAddressBook(path.join(scratch, "nowhere"))).rejects.toThrow(
      /cannot read Ignition addresses at .*deployed_addresses\.json/,
    );
    const noMarket = deploymentDir(
      "no-market",
      { "Other#Token": expected.demoToken },
      '{"chainId":31337,"type":"DEPLOYMENT_INITIALIZE"}\n',
    );
    await expect(readIgnitionAddressBook(noMarket)).rejects.toThrow(AddressBookError);
    await expect(readIgnitionAddressBook(noMarket)).rejects.toThrow("has no JobMarket");
    const two = deploymentDir(
      "two-modules",
      { "A#JobMarket": expected.jobMarket, "B#JobMarket": expected.jobMarket },
      '{"chainId":31337,"type":"DEPLOYMENT_INITIALIZE"}\n',
    );
    await expect(readIgnitionAddressBook(two)).rejects.toThrow("JobMarkets in modules A, B; pass moduleId");
  });

  it("refuses a deployment whose journal has no confirmed transaction", async () => {
    const addresses = JSON.parse(readFileSync(path.join(fixture, "deployed_addresses.json"), "utf8"));
    const dir = deploymentDir("unconfirmed", addresses, '{"chainId":31337,"type":"DEPLOYMENT_INITIALIZE"}\n');
    await expect(readIgnitionAddressBook(dir)).rejects.toThrow("no confirmed transaction of module BatonLocal");
  });
});

describe("address book files", () => {
  it("round-trip through JSON with the deployment block as a decimal string", async () => {
    const file = path.join(scratch, "books", "31337.json");
    await writeAddressBook(file, expected);
    expect(JSON.parse(readFileSync(file, "utf8")).deploymentBlock).toBe("47");
    expect(await readAddressBook(file)).toEqual(expected);
    expect(parseAddressBook(JSON.parse(JSON.stringify(serializeAddressBook(expected))))).toEqual(expected);
  });

  it("checksum addresses and reject malformed books", () => {
    const json = { ...serializeAddressBook(expected), jobMarket: expected.jobMarket.toLowerCase() };
    expect(parseAddressBook(json).jobMarket).toBe(expected.jobMarket);
    expect(() => parseAddressBook({ ...json, jobMarket: "0x12" })).toThrow('jobMarket must be an address, got "0x12"');
    expect(() => parseAddressBook({ ...json, deploymentBlock: "-1" })).toThrow(
      "deploymentBlock must be a decimal string",
    );
    expect(() => parseAddressBook({ ...json, chainId: "31337" })).toThrow("chainId must be a positive integer");
    expect(() => parseAddressBook({ ...json, jobMarkt: expected.jobMarket })).toThrow('unknown field "jobMarkt"');
  });

  it("select the book of the connected chain, or say which chains are known", () => {
    const sepolia = { ...expected, chainId: 11155111 };
    expect(addressBookFor([expected, sepolia], 11155111)).toBe(sepolia);
    expect(addressBookFor({ "31337": expected }, 31337)).toBe(expected);
    expect(() => addressBookFor([expected, sepolia], 1)).toThrow(
      "no Baton deployment known for chain 1 (known: 31337, 11155111)",
    );
  });
});
