#!/usr/bin/env node
// `npm run dev`: a local Hardhat node, the Baton deployment through Ignition, and a summary.
// One Ctrl-C stops every child. Logs go to .baton/logs/. Ports: BATON_RPC_PORT (default 8545);
// when it is taken, a free port is picked and announced.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const logDir = path.join(root, ".baton", "logs");
mkdirSync(logDir, { recursive: true });
const hardhat = path.join(root, "node_modules", ".bin", "hardhat");
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

function runOnce(name, cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(path.join(logDir, `${name}.log`), { flags: "w" });
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${name} failed (exit ${code}); see .baton/logs/${name}.log`)),
    );
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

  step(`1/2 starting a Hardhat node on ${rpcUrl}`);
  start("node", hardhat, ["node", "--port", String(port)]);
  await waitForRpc(rpcUrl);

  step("2/2 deploying Baton through Ignition");
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

  console.log("\nBaton is running.");
  console.log(`  chain        ${rpcUrl} (chain id 31337)`);
  for (const [name, address] of Object.entries(addresses)) console.log(`  ${name.padEnd(30)} ${address}`);
  console.log(`  logs         ${path.relative(root, logDir)}/`);
  console.log("  stop         Ctrl-C\n");
}

main().catch((error) => {
  console.error(`[dev] ${error.message}`);
  shutdown(1);
});
