import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { ConfigError, heldLimit, loadConfig, loadSecrets, parseConfig } from "../src/config.js";
import { decryptKeystore, encryptKeystore } from "../src/keystore.js";

const valid = {
  rpcUrls: ["http://127.0.0.1:8545"],
  chainId: 31337,
  market: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  dbPath: "/tmp/k.db",
  capabilities: ["wasm"],
  strategy: { kind: "fraction", fraction: 0.8 },
};

describe("config", () => {
  it("accepts a minimal config and fills defaults", () => {
    const cfg = parseConfig(valid);
    expect(cfg.confirmations).toBe(2);
    expect(cfg.capacity).toBe(4);
    expect(cfg.executors.wasmTimeoutMs).toBe(10_000);
    expect(cfg.startBlock).toBe(0n);
  });

  it("takes a capacity as a count of jobs, or as whatever the free stake covers", () => {
    expect(heldLimit(parseConfig({ ...valid, capacity: 8 }))).toBe(8);
    expect(heldLimit(parseConfig({ ...valid, capacity: "stake" }))).toBe(Number.POSITIVE_INFINITY);
  });

  it("names the offending field in one clear message", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, market: "0x123" }, "config: market: must be a 0x-prefixed 20-byte hex address"],
      [{ ...valid, capabilities: ["gpu"] }, "config: capabilities.0:"],
      [{ ...valid, strategy: { kind: "fraction", fraction: 2 } }, "config: strategy.fraction:"],
      [{ ...valid, rpcUrls: [] }, "config: rpcUrls:"],
      [{ ...valid, confirmations: -1 }, "config: confirmations:"],
      [{ ...valid, unknownField: 1 }, "config: (root):"],
      [{ ...valid, capacity: "lots" }, "config: capacity:"],
      [{ ...valid, capacity: 0 }, "config: capacity:"],
    ];
    for (const [raw, message] of cases) {
      expect(() => parseConfig(raw)).toThrow(ConfigError);
      expect(() => parseConfig(raw)).toThrow(message);
    }
  });

  it("takes the automation settings with defaults, and names a bad upkeep id", () => {
    const cfg = parseConfig({ ...valid, automationRegistry: valid.market, automation: { bidOn: ["3", "12"] } });
    expect(cfg.automation).toEqual({
      bidOn: [3n, 12n],
      maxLeases: 32,
      openService: true,
      backup: true,
      expectedPerforms: 10,
      logConfirmations: 0,
      maxLogsPerPass: 8,
    });
    expect(parseConfig(valid).automationRegistry).toBeUndefined();
    expect(() => parseConfig({ ...valid, automation: { bidOn: ["#3"] } })).toThrow(
      "config: automation.bidOn.0: must be an upkeep id written as a decimal string",
    );
    expect(() => parseConfig({ ...valid, automation: { lease: true } })).toThrow(/^config: automation:/);
    expect(() => parseConfig({ ...valid, automationRegistry: "0x12" })).toThrow(/^config: automationRegistry:/);
  });

  it("reads a file and lets the environment override it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "keeper-config-"));
    const file = path.join(dir, "keeper.json");
    writeFileSync(file, JSON.stringify(valid));
    const cfg = loadConfig(file, { BATON_RPC_URL: "http://127.0.0.1:9999", BATON_START_BLOCK: "42" });
    expect(cfg.rpcUrls).toEqual(["http://127.0.0.1:9999"]);
    expect(cfg.startBlock).toBe(42n);
    writeFileSync(file, "{ not json");
    expect(() => loadConfig(file, {})).toThrow(/config: file: .* is not valid JSON/);
    expect(() => loadConfig(path.join(dir, "missing.json"), {})).toThrow(/config: file: cannot read/);
  });

  it("trusts the committee arbiter by default, and only the listed arbiters when given", () => {
    const committee = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    const other = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    expect(parseConfig(valid).trustedArbiters).toEqual([]);
    expect(parseConfig({ ...valid, committeeArbiter: committee }).trustedArbiters).toEqual([committee]);
    expect(parseConfig({ ...valid, committeeArbiter: committee, trustedArbiters: [other] }).trustedArbiters).toEqual([
      other,
    ]);
    expect(() => parseConfig({ ...valid, trustedArbiters: ["0x12"] })).toThrow("config: trustedArbiters.0:");
    const file = path.join(mkdtempSync(path.join(tmpdir(), "keeper-config-")), "keeper.json");
    writeFileSync(file, JSON.stringify(valid));
    const cfg = loadConfig(file, { BATON_TRUSTED_ARBITERS: `${committee}, ${other}` });
    expect(cfg.trustedArbiters).toEqual([committee, other]);
    expect(parseConfig(valid).maxBondToReward).toBe(1);
  });

  it("fills the deployment's addresses from its address book where the config leaves them out", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "keeper-book-"));
    const book = path.join(dir, "31337.json");
    const addresses = {
      jobMarket: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
      committeeArbiter: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      timelock: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
      workflowOrchestrator: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
      automationRegistry: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
    };
    writeFileSync(book, JSON.stringify({ chainId: 31337, deploymentBlock: "7", ...addresses }));
    const file = path.join(dir, "keeper.json");
    const rest: Partial<typeof valid> = { ...valid };
    delete rest.market;
    delete rest.chainId;
    writeFileSync(file, JSON.stringify(rest));
    const cfg = loadConfig(file, { BATON_ADDRESS_BOOK: book });
    expect(cfg).toMatchObject({
      chainId: 31337,
      market: addresses.jobMarket,
      committeeArbiter: addresses.committeeArbiter,
      trustedArbiters: [addresses.committeeArbiter],
      orchestrator: addresses.workflowOrchestrator,
      automationRegistry: addresses.automationRegistry,
      startBlock: 7n,
    });
    // The config file and the environment win over the book.
    const other = "0x0000000000000000000000000000000000000001";
    expect(loadConfig(file, { BATON_COMMITTEE_ARBITER: other }, book).committeeArbiter).toBe(other);
    expect(() => loadConfig(file, {}, path.join(dir, "missing.json"))).toThrow(/^config: addressBook: cannot use/);
  });

  it("takes the key from the environment or an encrypted keystore, and reports a wrong password", async () => {
    const key = `0x${"11".repeat(32)}` as const;
    expect(await loadSecrets({ BATON_PRIVATE_KEY: key })).toEqual({ privateKey: key });
    await expect(loadSecrets({ BATON_PRIVATE_KEY: "0x12" })).rejects.toThrow("config: BATON_PRIVATE_KEY:");
    await expect(loadSecrets({})).rejects.toThrow(/BATON_PRIVATE_KEY/);
    const dir = mkdtempSync(path.join(tmpdir(), "keeper-ks-"));
    const file = path.join(dir, "key.json");
    writeFileSync(file, encryptKeystore(key, "correct horse", 1 << 10));
    expect(await loadSecrets({ BATON_KEYSTORE: file, BATON_KEYSTORE_PASSWORD: "correct horse" })).toEqual({
      privateKey: key,
    });
    await expect(loadSecrets({ BATON_KEYSTORE: file, BATON_KEYSTORE_PASSWORD: "wrong" })).rejects.toThrow(
      "wrong password",
    );
    await expect(loadSecrets({ BATON_KEYSTORE: file })).rejects.toThrow("BATON_KEYSTORE_PASSWORD");
    expect(decryptKeystore(encryptKeystore(key, "p", 1 << 10), "p")).toBe(key);
  });
});

describe("baton-keeper CLI", () => {
  const bin = path.resolve(__dirname, "../bin/baton-keeper.mjs");

  it("documents every command in --help", () => {
    const res = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    expect(res.status).toBe(0);
    for (const cmd of ["start", "status", "register", "stake", "unstake", "withdraw"])
      expect(res.stdout).toContain(cmd);
    expect(res.stdout).toContain("--address-book");
    const sub = spawnSync(process.execPath, [bin, "register", "--help"], { encoding: "utf8" });
    expect(sub.stdout).toContain("--capability");
  });

  it("exits non-zero with one line naming the field for a bad config", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "keeper-cli-"));
    const file = path.join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ ...valid, chainId: "x" }));
    const res = spawnSync(process.execPath, [bin, "--config", file, "start"], {
      encoding: "utf8",
      env: { ...process.env, BATON_PRIVATE_KEY: `0x${"11".repeat(32)}` },
    });
    expect(res.status).toBe(2);
    expect(res.stderr.trim()).toMatch(/^config: chainId: /);
  });
});
