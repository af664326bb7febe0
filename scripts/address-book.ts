// After a deployment: reads Ignition's output for the chain and writes it where the sdk, keepers
// and the web app find it. Run by `npm run deploy`; usable alone:
//
//   tsx scripts/address-book.ts <ignition deployment dir> <network name> [rpc url]
//
// Writes deployments/<chainId>.json (the sdk's address book JSON) and adds or replaces the chain in
// frontend/public/baton.config.json (the web app's runtime configuration).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { serializeAddressBook } from "@baton/sdk";
import { readIgnitionAddressBook, writeAddressBook } from "@baton/sdk/node";

const ROOT = path.resolve(import.meta.dirname, "..");
const EXPLORERS: Record<number, string> = {
  1: "https://etherscan.io",
  11155111: "https://sepolia.etherscan.io",
  17000: "https://holesky.etherscan.io",
};

const [dir, network, rpcUrl] = process.argv.slice(2);
if (!dir || !network) {
  console.error("usage: tsx scripts/address-book.ts <ignition deployment dir> <network name> [rpc url]");
  process.exit(2);
}
async function main() {
  const book = await readIgnitionAddressBook(path.resolve(dir));
  const bookFile = path.join(ROOT, "deployments", `${book.chainId}.json`);
  await writeAddressBook(bookFile, book);

  if (book.chainId === 31337 || book.chainId === 1337) {
    // Local chains: npm run dev writes the web app's configuration for its own chain.
    console.log(`address book  ${path.relative(ROOT, bookFile)}`);
    return;
  }
  const configFile = path.join(ROOT, "frontend", "public", "baton.config.json");
  mkdirSync(path.dirname(configFile), { recursive: true });
  type Chain = { chainId: number; name: string; rpcUrl: string; explorerUrl?: string; addressBook: unknown };
  const config = existsSync(configFile)
    ? (JSON.parse(readFileSync(configFile, "utf8")) as { chains: Chain[] })
    : { chains: [] as Chain[] };
  const chain: Chain = {
    chainId: book.chainId,
    name: network,
    rpcUrl: rpcUrl ?? "http://127.0.0.1:8545",
    ...(EXPLORERS[book.chainId] ? { explorerUrl: EXPLORERS[book.chainId] } : {}),
    addressBook: serializeAddressBook(book),
  };
  config.chains = [...config.chains.filter((c) => c.chainId !== book.chainId), chain];
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  console.log(`address book  ${path.relative(ROOT, bookFile)}`);
  console.log(`web config    ${path.relative(ROOT, configFile)} (chain ${book.chainId})`);
}

main().catch((error: Error) => {
  console.error(`address book: ${error.message}`);
  process.exit(1);
});
