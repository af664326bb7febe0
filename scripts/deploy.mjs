#!/usr/bin/env node
// Deploys Baton with Ignition: `npm run deploy -- --network <name>`.
// localhost (and hardhat) use the BatonLocal module (with a demo token); every other network uses
// the Baton module with `ignition/parameters/<network>.json`, and the RPC URL and deployer key
// from the environment (see .env.example).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const at = args.indexOf("--network");
const network = at >= 0 ? args[at + 1] : "localhost";
if (!network) {
  console.error("deploy: --network needs a name, e.g. `npm run deploy -- --network sepolia`");
  process.exit(2);
}
const local = network === "localhost" || network === "hardhat";
const moduleFile = local ? "ignition/modules/BatonLocal.ts" : "ignition/modules/Baton.ts";
const params = path.join("ignition", "parameters", `${network}.json`);
if (!existsSync(path.join(root, params))) {
  console.error(
    `deploy: no parameters for network "${network}": create ${params} (see ignition/parameters/sepolia.json)`,
  );
  process.exit(2);
}
if (!local && !process.env.DEPLOYER_PRIVATE_KEY) {
  console.error("deploy: set DEPLOYER_PRIVATE_KEY (and the network's RPC URL variable, see .env.example)");
  process.exit(2);
}
const rest = args.filter((_, i) => i !== at && i !== at + 1);
const hardhat = path.join(root, "node_modules", ".bin", "hardhat");
const result = spawnSync(
  hardhat,
  ["ignition", "deploy", moduleFile, "--network", network, "--parameters", params, ...rest],
  { cwd: root, stdio: "inherit", env: process.env },
);
if (result.status !== 0) process.exit(result.status ?? 1);

// Write the addresses where the sdk, keepers and the web app find them.
const chainId = Number(
  spawnSync(hardhat, ["run", "--network", network, "scripts/chain-id.cjs"], { cwd: root, encoding: "utf8" })
    .stdout.trim()
    .split("\n")
    .pop(),
);
const idAt = rest.indexOf("--deployment-id");
const deploymentDir = path.join(root, "ignition", "deployments", idAt >= 0 ? rest[idAt + 1] : `chain-${chainId}`);
const rpcVar = `${network.toUpperCase()}_RPC_URL`;
const rpcUrl = local ? (process.env.BATON_RPC_URL ?? "http://127.0.0.1:8545") : process.env[rpcVar];
const written = spawnSync(
  path.join(root, "node_modules", ".bin", "tsx"),
  ["scripts/address-book.ts", deploymentDir, network, ...(rpcUrl ? [rpcUrl] : [])],
  { cwd: root, stdio: "inherit", env: process.env },
);
process.exit(written.status ?? 1);
