// Connect and disconnect: every injected wallet found (EIP-6963), and on local chains the dev
// account (one of the node's test accounts, no extension needed).
import { useState } from "react";
import { useConnect, useConnection, useConnectors, useDisconnect } from "wagmi";
import { useBaton } from "../BatonContext.tsx";
import { explorerLink, shortAddress } from "../lib/format.ts";
import { chooseDevAccount, DEV_ACCOUNT_COUNT, DEV_CHAIN_IDS } from "../wallet/devAccount.ts";

export function WalletButton() {
  const { chain } = useBaton();
  const { address, isConnected, connector } = useConnection();
  const connectors = useConnectors();
  const { connect, isPending, error } = useConnect();
  const { disconnect } = useDisconnect();
  const [open, setOpen] = useState(false);
  const [devIndex, setDevIndex] = useState(1);
  if (isConnected && address) {
    const link = explorerLink(chain.explorerUrl, "address", address);
    return (
      <div className="wallet">
        <span className="account" title={address} aria-label={`Connected account ${address}`}>
          {link ? (
            <a href={link} target="_blank" rel="noreferrer">
              {shortAddress(address)}
            </a>
          ) : (
            shortAddress(address)
          )}
          {connector && <small> via {connector.name}</small>}
        </span>
        <button type="button" className="secondary" onClick={() => disconnect()}>
          Disconnect
        </button>
      </div>
    );
  }
  const devAvailable = DEV_CHAIN_IDS.includes(chain.chainId);
  // Wallets announced through EIP-6963 appear by name; the generic entry stands for window.ethereum.
  const announced = connectors.some((c) => c.type === "injected" && c.id !== "injected");
  const hasEthereum = typeof (globalThis as { ethereum?: unknown }).ethereum !== "undefined";
  const injected = connectors.filter(
    (c) => c.type === "injected" && (c.id !== "injected" || (!announced && hasEthereum)),
  );
  const dev = connectors.find((c) => c.type === "devAccount");
  return (
    <div className="wallet">
      <button type="button" aria-expanded={open} aria-controls="wallet-menu" onClick={() => setOpen(!open)}>
        Connect wallet
      </button>
      {open && (
        <div id="wallet-menu" className="menu" role="group" aria-label="Wallets">
          {injected.map((c) => (
            <button
              key={c.uid}
              type="button"
              disabled={isPending}
              onClick={() => connect({ connector: c, chainId: chain.chainId }, { onSuccess: () => setOpen(false) })}
            >
              {c.id === "injected" ? "Browser wallet" : c.name}
            </button>
          ))}
          {dev && devAvailable && (
            <div className="dev">
              <label>
                Dev account
                <select value={devIndex} onChange={(e) => setDevIndex(Number(e.target.value))}>
                  {Array.from({ length: DEV_ACCOUNT_COUNT }, (_, i) => (
                    <option key={i} value={i}>
                      Test account #{i}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                disabled={isPending}
                onClick={() => {
                  chooseDevAccount(devIndex);
                  connect({ connector: dev, chainId: chain.chainId }, { onSuccess: () => setOpen(false) });
                }}
              >
                Use dev account
              </button>
              <small>A well-known test key of the local node; never for real funds.</small>
            </div>
          )}
          {error && (
            <p role="alert" className="error">
              {/rejected|denied/i.test(error.message)
                ? "You rejected the connection in your wallet."
                : error.message.split("\n")[0]}
            </p>
          )}
          {!injected.length && !(dev && devAvailable) && (
            <p>No browser wallet found. Install one such as MetaMask to take part.</p>
          )}
        </div>
      )}
    </div>
  );
}
