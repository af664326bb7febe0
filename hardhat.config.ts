import { subtask, type HardhatUserConfig } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";

const SOLC_VERSION = "0.8.28";
// Chainlink's automation test helpers (UpkeepCounter) pin `pragma solidity 0.8.16`; that compiler
// builds them unmodified, for London (0.8.16 predates the names Paris, Shanghai and Cancun).
const CHAINLINK_SOLC_VERSION = "0.8.16";

// The compilers come from pinned npm packages instead of being downloaded, so builds work offline
// and always use exactly the configured versions: each served version maps to its package.
const SOLC_PACKAGES: Record<string, string> = {
  [SOLC_VERSION]: "solc",
  [CHAINLINK_SOLC_VERSION]: "solc-0.8.16",
};

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }) => {
  const pkg = SOLC_PACKAGES[args.solcVersion];
  if (pkg === undefined) {
    throw new Error(
      `Solidity ${args.solcVersion} was requested; only ${Object.keys(SOLC_PACKAGES).join(" and ")} are served ` +
        `(from the npm packages ${Object.values(SOLC_PACKAGES).join(" and ")}). Set the pragma or hardhat.config.ts to one of them.`,
    );
  }
  const installed = (require(`${pkg}/package.json`) as { version: string }).version;
  if (installed !== args.solcVersion) {
    throw new Error(
      `Solidity ${args.solcVersion} was requested and the npm package ${pkg} is ${installed}; ` +
        `both must be ${args.solcVersion}. Run \`npm ci\` to install the pinned compiler.`,
    );
  }
  const solc = require(pkg) as { version(): string };
  return {
    compilerPath: require.resolve(`${pkg}/soljson.js`),
    isSolcJs: true,
    version: args.solcVersion,
    longVersion: solc.version(),
  };
});

const deployerKey = process.env.DEPLOYER_PRIVATE_KEY;
const publicNetwork = (url: string | undefined, chainId: number) => ({
  url: url ?? "",
  chainId,
  accounts: deployerKey ? [deployerKey] : [],
});

const config: HardhatUserConfig = {
  solidity: {
    // Hardhat picks, per file, the highest listed compiler its pragmas allow: 0.8.28 for everything
    // of ours and for `^0.8.x` libraries, 0.8.16 only for files pinned to it (Chainlink's UpkeepCounter,
    // through contracts/automation/compat/ChainlinkUpkeepCounter.sol).
    compilers: [
      {
        version: SOLC_VERSION,
        settings: {
          evmVersion: "cancun",
          viaIR: true,
          optimizer: { enabled: true, runs: 200 },
        },
      },
      {
        version: CHAINLINK_SOLC_VERSION,
        settings: {
          evmVersion: "london",
          optimizer: { enabled: true, runs: 200 },
        },
      },
    ],
  },
  networks: {
    hardhat: { chainId: 31337 },
    localhost: { url: process.env.BATON_RPC_URL ?? "http://127.0.0.1:8545", chainId: 31337 },
    sepolia: publicNetwork(process.env.SEPOLIA_RPC_URL, 11155111),
    holesky: publicNetwork(process.env.HOLESKY_RPC_URL, 17000),
  },
  etherscan: {
    apiKey: process.env.ETHERSCAN_API_KEY ?? "",
  },
  sourcify: { enabled: false },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    offline: true,
  },
  mocha: {
    timeout: 120_000,
  },
};

export default config;
