#!/usr/bin/env node
// `npm run dev`: a local Hardhat node, the Baton deployment through Ignition, three demo keepers
// with different pricing strategies, a host for the demo wasm modules, and demo jobs; then one
// summary. One Ctrl-C stops every child. Logs go to .baton/logs/. Ports: BATON_RPC_PORT (default
// 8545); when it is taken, a free port is picked and announced.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const logDir = path.join(root, ".baton", "logs");
const stateDir = path.join(root, ".baton", "state");
// Every run starts a fresh chain, so keeper databases from an earlier run are stale.
rmSync(stateDir, { recursive: true, force: true });
mkdirSync(logDir, { recursive: true });
const hardhat = path.join(root, "node_modules", ".bin", "hardhat");
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const keeperBin = path.join(root, "keeper", "bin", "baton-keeper.mjs");
let moduleServer;
const children = [];
let stopping = false;

const step = (msg) => console.log(`[dev] ${msg}`);

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function start(name, cmd, args, env = {}) {
  const log = createWriteStream(path.join(logDir, `${name}.log`), { flags: "w" });
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.on("exit", (code, signal) => {
    if (!stopping) {
      step(`${name} exited (${signal ?? code}); see ${path.relative(root, path.join(logDir, `${name}.log`))}`);
      shutdown(1);
    }
  });
  children.push({ name, child });
  return child;
}

/** Runs a command to completion; resolves with its stdout, logs everything to .baton/logs/<name>.log. */
function runOnce(name, cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(path.join(logDir, `${name}.log`), { flags: "w" });
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${name} failed (exit ${code}); see .baton/logs/${name}.log`)),
    );
  });
}

/** Serves keeper/wasm/build, as a module host would; returns the base URL. */
function serveModules() {
  const build = path.join(root, "keeper", "wasm", "build");
  moduleServer = createServer((req, res) => {
    const file = path.basename(req.url ?? "");
    try {
      if (!/^[a-z]+\.wasm$/.test(file)) throw new Error("not a module");
      const bytes = readFileSync(path.join(build, file));
      res.setHeader("content-type", "application/wasm");
      res.end(bytes);
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  return new Promise((resolve, reject) => {
    moduleServer.once("error", reject);
    moduleServer.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${moduleServer.address().port}/modules`));
  });
}

async function waitForRpc(url, timeoutMs = 60_000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the node did not answer at ${url} within ${timeoutMs / 1000} s`);
}

function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  step("stopping…");
  moduleServer?.close();
  for (const { child } of children) if (child.exitCode === null) child.kill("SIGTERM");
  const deadline = setTimeout(() => {
    for (const { child } of children) if (child.exitCode === null) child.kill("SIGKILL");
    process.exit(code);
  }, 5_000);
  Promise.all(
    children.map(({ child }) => (child.exitCode !== null ? null : new Promise((r) => child.once("exit", r)))),
  ).then(() => {
    clearTimeout(deadline);
    step("stopped");
    process.exit(code);
  });
}

process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

async function main() {
  const wanted = Number(process.env.BATON_RPC_PORT ?? 8545);
  let port = wanted;
  if (!(await portFree(wanted))) {
    port = await freePort();
    step(`port ${wanted} is taken; using ${port} for the chain instead`);
  }
  const rpcUrl = `http://127.0.0.1:${port}`;

  step(`1/5 starting a Hardhat node on ${rpcUrl}`);
  start("node", hardhat, ["node", "--port", String(port)]);
  await waitForRpc(rpcUrl);

  step("2/5 deploying Baton through Ignition");
  await runOnce(
    "deploy",
    hardhat,
    [
      "ignition",
      "deploy",
      "ignition/modules/BatonLocal.ts",
      "--network",
      "localhost",
      "--parameters",
      "ignition/parameters/localhost.json",
      "--reset",
    ],
    { BATON_RPC_URL: rpcUrl, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "false", HARDHAT_IGNITION_CONFIRM_RESET: "false" },
  );
  const addresses = JSON.parse(
    readFileSync(path.join(root, "ignition", "deployments", "chain-31337", "deployed_addresses.json"), "utf8"),
  );

  step("3/5 registering and staking three demo workers");
  const prepared = JSON.parse(await runOnce("prepare", tsx, ["scripts/demo.ts", "prepare", rpcUrl, stateDir]));
  // From here on, one block per second, as on a real chain.
  await runOnce("mine", tsx, ["scripts/demo.ts", "mine", rpcUrl]);

  step("4/5 starting the demo keepers");
  const moduleBase = await serveModules();
  for (const k of prepared.keepers) {
    start(k.name, process.execPath, [keeperBin, "--config", k.config, "start"], { BATON_PRIVATE_KEY: k.privateKey });
  }

  step("5/5 posting demo jobs");
  const jobs = JSON.parse(await runOnce("seed", tsx, ["scripts/demo.ts", "seed", rpcUrl, moduleBase]));

  console.log("\nBaton is running.");
  console.log(`  chain        ${rpcUrl} (chain id 31337, one block per second)`);
  for (const [name, address] of Object.entries(addresses)) console.log(`  ${name.padEnd(30)} ${address}`);
  console.log(`  address book ${path.relative(root, path.join(stateDir, "addresses.json"))}`);
  for (const k of prepared.keepers) console.log(`  ${k.name.padEnd(12)} ${k.address} (log: .baton/logs/${k.name}.log)`);
  console.log(`  modules      ${moduleBase}/<name>.wasm`);
  console.log(
    `  demo jobs    ${jobs.map((j) => `#${j.jobId} ${j.label}`).join(", ")} — they settle in about two minutes`,
  );
  console.log(`  logs         ${path.relative(root, logDir)}/`);
  console.log("  stop         Ctrl-C\n");
}

main().catch((error) => {
  console.error(`[dev] ${error.message}`);
  shutdown(1);
});
