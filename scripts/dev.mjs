#!/usr/bin/env node
// `npm run dev`: compiles the contracts (about two minutes the first time, seconds afterwards), a
// local Hardhat node, the Baton deployment through Ignition, the indexer, three demo keepers with
// different pricing strategies, a host for the demo wasm modules, demo jobs, a demo workflow and
// three demo upkeeps (served by the same keepers), and the web app; then one summary, and one line per demo job and workflow step as it settles. One Ctrl-C
// stops every child.
//
// Environment: BATON_RPC_PORT (default 8545), BATON_INDEXER_PORT (default 42069) and BATON_WEB_PORT
// (default 5173) — when one is taken, a free port is picked and announced; BATON_STATE_DIR (default
// .baton) for logs, keeper databases, the indexer's PGlite database and configs; BATON_DEPLOYMENT_ID (default chain-31337) for Ignition's deployment
// directory. The child processes' PIDs are written to <state dir>/pids.json. The address book goes
// to <state dir>/state/addresses.json and, as `npm run deploy` writes it, to deployments/31337.json.
//
// The chain, ports and module host come from the test kit (TypeScript, loaded through tsx).
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register();
const { startHardhatNode } = await import("@baton/testkit/devnet");
const { serveModules } = await import("@baton/testkit/modules");
const { freePort, httpUp, portFree, stopEsbuildServices, waitUntil } = await import("@baton/testkit/process");
const { followDemo } = await import("./follow-demo.mts");
const { indexerCommand } = await import("../indexer/launch.ts");

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const baseDir = path.resolve(process.env.BATON_STATE_DIR ?? path.join(root, ".baton"));
const logDir = path.join(baseDir, "logs");
const stateDir = path.join(baseDir, "state");
const deploymentId = process.env.BATON_DEPLOYMENT_ID ?? "chain-31337";
const show = (p) =>
  path.isAbsolute(path.relative(root, p)) || path.relative(root, p).startsWith("..") ? p : path.relative(root, p);
// Every run starts a fresh chain, so keeper databases from an earlier run are stale.
rmSync(stateDir, { recursive: true, force: true });
mkdirSync(logDir, { recursive: true });
mkdirSync(stateDir, { recursive: true });
const hardhat = path.join(root, "node_modules", ".bin", "hardhat");
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const keeperBin = path.join(root, "keeper", "bin", "baton-keeper.mjs");
const vite = path.join(root, "node_modules", ".bin", "vite");
let moduleServer;
const children = [];
let stopping = false;
let follower;

const step = (msg) => console.log(`[dev] ${msg}`);

const logFile = (name) => createWriteStream(path.join(logDir, `${name}.log`), { flags: "w" });

function start(name, cmd, args, env = {}, cwd = root) {
  const log = logFile(name);
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return track(name, child);
}

/** Watches a child: its exit stops the whole stack; its PID goes to pids.json; shutdown stops it. */
function track(name, child) {
  child.on("exit", (code, signal) => {
    if (!stopping) {
      step(`${name} exited (${signal ?? code}); see ${show(path.join(logDir, `${name}.log`))}`);
      shutdown(1);
    }
  });
  children.push({ name, child });
  writeFileSync(
    path.join(stateDir, "pids.json"),
    JSON.stringify(Object.fromEntries(children.map((c) => [c.name, c.child.pid]))),
  );
  return child;
}

/**
 * Runs a command to completion; resolves with its stdout, logs everything to .baton/logs/<name>.log.
 * `onLine` sees each line of its stdout as it comes (for progress).
 */
function runOnce(name, cmd, args, env = {}, onLine) {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(path.join(logDir, `${name}.log`), { flags: "w" });
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let partial = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (!onLine) return;
      const lines = (partial + d).split("\n");
      partial = lines.pop();
      for (const line of lines) onLine(line);
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    child.on("exit", (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${name} failed (exit ${code}); see ${show(path.join(logDir, `${name}.log`))}`)),
    );
  });
}

async function pickPort(variable, fallback, what) {
  const wanted = Number(process.env[variable] ?? fallback);
  if (await portFree(wanted)) return wanted;
  const port = await freePort();
  step(`port ${wanted} is taken; using ${port} for the ${what} instead (set ${variable} to choose)`);
  return port;
}

/** Compiles the contracts (Hardhat skips what has not changed), saying how far it got. */
async function compile() {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  const ticker = setInterval(() => step(`    still compiling (${seconds()} s)…`), 15_000);
  try {
    await runOnce("compile", hardhat, ["compile"], { HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" }, (line) => {
      if (/^(Nothing to compile|Compiled \d+|Generating typings|Successfully generated)/.test(line.trim()))
        step(`    ${line.trim()}`);
    });
  } finally {
    clearInterval(ticker);
  }
  step(`    contracts ready (${seconds()} s)`);
}

function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  follower?.abort();
  step("stopping…");
  void moduleServer?.stop();
  for (const { child } of children) if (child.exitCode === null) child.kill("SIGTERM");
  const deadline = setTimeout(() => {
    const stuck = children.filter(({ child }) => child.exitCode === null && child.signalCode === null);
    step(`${stuck.map((c) => c.name).join(", ")} did not stop within 10 s; killing`);
    for (const { child } of stuck) child.kill("SIGKILL");
    process.exit(code);
  }, 10_000);
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
  const port = await pickPort("BATON_RPC_PORT", 8545, "chain");
  const webPort = await pickPort("BATON_WEB_PORT", 5173, "web app");
  const indexerPort = await pickPort("BATON_INDEXER_PORT", 42069, "indexer");
  const indexerUrl = `http://127.0.0.1:${indexerPort}`;
  const rpcUrl = `http://127.0.0.1:${port}`;
  const env = { BATON_DEPLOYMENT_ID: deploymentId };

  step("1/10 compiling the contracts (the first start takes about two minutes; later starts skip this)");
  await compile();

  step(`2/10 starting a Hardhat node on ${rpcUrl}`);
  const node = await startHardhatNode({ port, log: logFile("node") });
  track("node", node.child);

  step("3/10 deploying Baton through Ignition");
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
      "--deployment-id",
      deploymentId,
      "--reset",
    ],
    { BATON_RPC_URL: rpcUrl, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "false", HARDHAT_IGNITION_CONFIRM_RESET: "false" },
  );
  const addresses = JSON.parse(
    readFileSync(path.join(root, "ignition", "deployments", deploymentId, "deployed_addresses.json"), "utf8"),
  );

  step("4/10 registering and staking three demo workers");
  const prepared = JSON.parse(await runOnce("prepare", tsx, ["scripts/demo.ts", "prepare", rpcUrl, stateDir], env));
  // From here on, one block per second, as on a real chain.
  await runOnce("mine", tsx, ["scripts/demo.ts", "mine", rpcUrl]);

  // The indexer catches up in the background while the demo is seeded; the summary waits for it.
  step(`5/10 starting the indexer on ${indexerUrl}/ (GraphQL, SQL over HTTP)`);
  const indexer = indexerCommand(
    { rpcUrl, addressBook: path.join(stateDir, "addresses.json"), dbDir: path.join(stateDir, "indexer") },
    indexerPort,
  );
  start("indexer", indexer.cmd, indexer.args, indexer.env, indexer.cwd);

  step("6/10 starting the demo keepers");
  const corpus = JSON.parse(await runOnce("corpus", tsx, ["scripts/demo.ts", "corpus", rpcUrl]));
  moduleServer = await serveModules({
    "/corpus.json": { contentType: "application/json", body: JSON.stringify(corpus) },
  });
  const moduleBase = moduleServer.base;
  for (const k of prepared.keepers) {
    start(k.name, process.execPath, [keeperBin, "--config", k.config, "start"], { BATON_PRIVATE_KEY: k.privateKey });
  }

  step("7/10 posting demo jobs");
  const jobs = JSON.parse(await runOnce("seed", tsx, ["scripts/demo.ts", "seed", rpcUrl, moduleBase], env));

  step("8/10 posting the demo workflow (fetch → split → count ×3 → merge)");
  const workflow = JSON.parse(await runOnce("workflow", tsx, ["scripts/demo.ts", "workflow", rpcUrl, moduleBase], env));

  step("9/10 registering three demo upkeeps (a condition, an interval, a log trigger)");
  const upkeeps = JSON.parse(await runOnce("upkeeps", tsx, ["scripts/demo.ts", "upkeeps", rpcUrl], env));

  step(`10/10 starting the web app on http://127.0.0.1:${webPort}/`);
  const webConfig = path.join(stateDir, "baton.config.json");
  await runOnce(
    "web-config",
    tsx,
    ["scripts/demo.ts", "web-config", rpcUrl, `${moduleBase}|${webConfig}|${indexerUrl}`],
    env,
  );
  start(
    "web",
    vite,
    ["--port", String(webPort), "--strictPort", "--host", "127.0.0.1"],
    { BATON_CONFIG: webConfig },
    path.join(root, "frontend"),
  );
  const webUrl = `http://127.0.0.1:${webPort}/`;
  await waitUntil(`the web app at ${webUrl}`, () => httpUp(webUrl), 60_000);
  await waitUntil(`the indexer at ${indexerUrl}/ready`, () => httpUp(`${indexerUrl}/ready`), 120_000);

  console.log("\nBaton is running.");
  console.log(`  web app      ${webUrl} (Connect wallet → Use dev account)`);
  console.log(`  chain        ${rpcUrl} (chain id 31337, one block per second)`);
  console.log(
    `  indexer      ${indexerUrl}/graphql (GraphQL; SQL at /sql/*, progress at /status; log: ${show(path.join(logDir, "indexer.log"))})`,
  );
  for (const [name, address] of Object.entries(addresses)) console.log(`  ${name.padEnd(30)} ${address}`);
  console.log(
    `  address book ${show(path.join(stateDir, "addresses.json"))} and ${show(path.join(root, "deployments", "31337.json"))}`,
  );
  for (const k of prepared.keepers) {
    console.log(`  ${k.name.padEnd(12)} ${k.address} (log: ${show(path.join(logDir, `${k.name}.log`))})`);
  }
  console.log(`  modules      ${moduleBase}/<name>.wasm`);
  console.log(
    `  demo jobs    ${jobs.map((j) => `#${j.jobId} ${j.label}`).join(", ")} — they settle in about two minutes`,
  );
  console.log(
    `  workflow     #${workflow.workflowId}: ${workflow.steps} steps — ${webUrl}#/workflows/${workflow.workflowId}`,
  );
  for (const u of upkeeps) console.log(`  upkeep #${u.upkeepId}   ${u.label} — ${webUrl}#/upkeeps/${u.upkeepId}`);
  console.log(`  logs         ${show(logDir)}/`);
  console.log("  stop         Ctrl-C\n");

  // Seeding is over and every process has loaded its code: end the esbuild services that tsx's
  // loader started in this process and in each keeper, which would otherwise idle until shutdown
  // (the demo steps' services ended with them; the web app's bundler is left alone).
  stopEsbuildServices(process.pid, ...children.filter((c) => c.name.startsWith("keeper-")).map((c) => c.child.pid));

  // One line per demo job and workflow step as it settles.
  follower = new AbortController();
  void followDemo(rpcUrl, {
    addressBook: path.join(stateDir, "addresses.json"),
    jobs,
    workflow,
    keepers: prepared.keepers,
    print: (line) => console.log(`[dev] ${line}`),
    signal: follower.signal,
  }).catch((error) => {
    if (!stopping) step(`stopped following the demo: ${error.message}`);
  });
}

main().catch((error) => {
  console.error(`[dev] ${error.message}`);
  shutdown(1);
});
