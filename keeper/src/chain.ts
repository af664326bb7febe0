import {
  BlockNotFoundError,
  createPublicClient,
  defineChain,
  fallback,
  http,
  type Chain,
  type PublicClient,
  type Transport,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import type { KeeperConfig, Secrets } from "./config.js";

/** A viem chain object for whatever chain id the keeper is pointed at. */
export function chainFor(cfg: Pick<KeeperConfig, "chainId" | "rpcUrls">): Chain {
  return defineChain({
    id: cfg.chainId,
    name: `chain-${cfg.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: cfg.rpcUrls } },
  });
}

/**
 * The largest answer the keeper accepts from an RPC. A larger one is refused as it streams in and
 * read again in smaller pieces (the log reader halves its block range): decoding a 10 MiB
 * `eth_getLogs` answer of a long history costs hundreds of MB, which V8 keeps once grown.
 */
export const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
/** The cap for the one block whose logs alone exceed `MAX_RESPONSE_BYTES`. */
export const WIDE_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * A public client over every configured RPC URL: each request is retried with backoff and falls
 * over to the next URL when one is down or slow, so an RPC outage never crashes the daemon.
 */
export function makePublicClient(
  cfg: Pick<KeeperConfig, "chainId" | "rpcUrls">,
  maxResponseBytes = MAX_RESPONSE_BYTES,
): PublicClient<Transport, Chain> {
  const transports = cfg.rpcUrls.map((url) =>
    http(url, { timeout: 10_000, retryCount: 2, retryDelay: 250, maxResponseBodySize: maxResponseBytes }),
  );
  return createPublicClient({
    chain: chainFor(cfg),
    transport: transports.length === 1 ? transports[0] : fallback(transports, { rank: false, retryCount: 2 }),
    pollingInterval: 500,
  });
}

export function makeAccount(secrets: Secrets): PrivateKeyAccount {
  return privateKeyToAccount(secrets.privateKey);
}

/** Block `n`, or undefined when the node does not have it (yet); a failed request throws. */
export async function blockOrUndefined(client: PublicClient<Transport, Chain>, n: bigint) {
  try {
    return await client.getBlock({ blockNumber: n });
  } catch (error) {
    if (error instanceof BlockNotFoundError) return undefined;
    throw error;
  }
}
