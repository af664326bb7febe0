import { subtask, type HardhatUserConfig } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";

const SOLC_VERSION = "0.8.28";

// The compiler is taken from the pinned `solc` npm package instead of being downloaded, so builds
// work offline and always use exactly the configured version.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }) => {
  const solcPackage = require("solc/package.json") as { version: string };
  if (args.solcVersion !== SOLC_VERSION || solcPackage.version !== SOLC_VERSION) {
    throw new Error(
      `Solidity ${args.solcVersion} was requested and solc ${solcPackage.version} is installed; ` +
        `both must be ${SOLC_VERSION}. Run \`npm ci\` to install the pinned compiler.`,
    );
  }
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
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
    version: SOLC_VERSION,
    settings: {
      evmVersion: "cancun",
      viaIR: true,
      optimizer: { enabled: true, runs: 200 },
    },
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
