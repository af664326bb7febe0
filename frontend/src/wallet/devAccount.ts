// A wallet for local development chains that needs no browser extension: one of the node's
// well-known test accounts (Hardhat's and Anvil's default mnemonic), signing locally with a viem
// account and sending raw transactions over the configured RPC. Offered on chain 31337 only.
import { createConnector } from "wagmi";
import {
  createWalletClient,
  http,
  numberToHex,
  SwitchChainError,
  type Address,
  type Chain,
  type EIP1193RequestFn,
  type LocalAccount,
} from "viem";

/** Public test mnemonic of Hardhat and Anvil nodes: never use it for real funds. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";
export const DEV_CHAIN_IDS: readonly number[] = [31337];
export const DEV_ACCOUNT_COUNT = 10;
const STORAGE_KEY = "baton.devAccount";

const derived = new Map<number, LocalAccount>();

/** Account `index` of the dev mnemonic (the derivation code loads only when first needed). */
export async function devAccount(index: number): Promise<LocalAccount> {
  let account = derived.get(index);
  if (!account) {
    const { mnemonicToAccount } = await import("viem/accounts");
    account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
    derived.set(index, account);
  }
  return account;
}

let chosenIndex: number | undefined;

/** Which dev account the next `connect` uses (kept for reconnects in localStorage). */
export function chooseDevAccount(index: number) {
  if (!Number.isInteger(index) || index < 0 || index >= DEV_ACCOUNT_COUNT)
    throw new RangeError(`no dev account ${index}`);
  chosenIndex = index;
}

function storedIndex(): number | undefined {
  try {
    const raw = globalThis.localStorage?.getItem(STORAGE_KEY);
    return raw === null || raw === undefined ? undefined : Number(raw);
  } catch {
    return undefined;
  }
}

function store(index: number | undefined) {
  try {
    if (index === undefined) globalThis.localStorage?.removeItem(STORAGE_KEY);
    else globalThis.localStorage?.setItem(STORAGE_KEY, String(index));
  } catch {
    // storage unavailable (private mode): no reconnect
  }
}

/** The dev-account connector, for the chains of `chains` that are local (see DEV_CHAIN_IDS). */
export function devAccountConnector() {
  let account: LocalAccount | undefined;
  let chainId: number | undefined;
  let connected = false;
  return createConnector((config) => {
    const localChains = () => config.chains.filter((c) => DEV_CHAIN_IDS.includes(c.id));
    const chainOf = (id?: number): Chain => {
      const chain = localChains().find((c) => c.id === (id ?? chainId)) ?? localChains()[0];
      if (!chain) throw new Error("no local chain is configured");
      return chain;
    };
    const client = (id?: number) => {
      const chain = chainOf(id);
      return createWalletClient({ account: account!, chain, transport: http(chain.rpcUrls.default.http[0]) });
    };
    return {
      id: "devAccount",
      name: "Dev account",
      type: "devAccount",
      async connect(parameters) {
        const index = chosenIndex ?? storedIndex() ?? 0;
        account = await devAccount(index);
        chainId = chainOf(parameters?.chainId).id;
        connected = true;
        store(index);
        return { accounts: [account.address] as never, chainId };
      },
      async disconnect() {
        connected = false;
        account = undefined;
        store(undefined);
      },
      async getAccounts() {
        return connected && account ? [account.address] : [];
      },
      async getChainId() {
        return chainOf().id;
      },
      async isAuthorized() {
        return storedIndex() !== undefined && localChains().length > 0;
      },
      async switchChain({ chainId: id }) {
        const chain = localChains().find((c) => c.id === id);
        if (!chain) throw new SwitchChainError(new Error(`the dev account only works on local chains`));
        chainId = id;
        config.emitter.emit("change", { chainId: id });
        return chain;
      },
      async getClient(parameters) {
        if (!account) throw new Error("the dev account is not connected");
        return client(parameters?.chainId);
      },
      async getProvider(parameters) {
        // EIP-1193 face of the same account, for code that asks for a provider.
        const request = (async ({ method, params }: { method: string; params?: unknown }) => {
          const wallet = client(parameters?.chainId);
          if (method === "eth_accounts" || method === "eth_requestAccounts") return account ? [account.address] : [];
          if (method === "eth_chainId") return numberToHex(chainOf(parameters?.chainId).id);
          if (method === "eth_sendTransaction") {
            const [tx] = params as [{ to?: Address; data?: `0x${string}`; value?: `0x${string}`; gas?: `0x${string}` }];
            return wallet.sendTransaction({
              to: tx.to,
              data: tx.data,
              value: tx.value ? BigInt(tx.value) : undefined,
              gas: tx.gas ? BigInt(tx.gas) : undefined,
            } as never);
          }
          return wallet.request({ method, params } as never);
        }) as EIP1193RequestFn;
        return { request };
      },
      onAccountsChanged() {},
      onChainChanged() {},
      onDisconnect() {
        connected = false;
      },
    };
  });
}
