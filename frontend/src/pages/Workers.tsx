import { jobMarketAbi, readWorker } from "@baton/sdk";
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useConnection } from "wagmi";
import { formatEther, hexToString, parseEther, stringToHex, zeroAddress, type Address, type Hex } from "viem";
import { AddressText, Countdown, ErrorText, Stat } from "../components/bits.tsx";
import { Field } from "../components/Field.tsx";
import { Withdraw } from "../components/Withdraw.tsx";
import { useBaton } from "../BatonContext.tsx";
import { useAllowedTokens, useNow, useWorkers } from "../hooks/data.ts";
import { sameAddress } from "../lib/format.ts";
import { multicallOf } from "../lib/market.ts";
import { useTransactor } from "../tx/TxProvider.tsx";

const CAPABILITIES = ["wasm", "http.json", "contract.call"] as const;

export const capabilityName = (tag: Hex) => {
  try {
    return hexToString(tag, { size: 32 }).replace(/\0+$/, "");
  } catch {
    return tag;
  }
};

function parseEth(text: string): bigint | undefined {
  if (!/^(0|[1-9][0-9]*)(\.[0-9]{1,18})?$/.test(text.trim())) return undefined;
  return parseEther(text.trim());
}

export default function Workers() {
  const workers = useWorkers();
  const { address } = useConnection();
  return (
    <section aria-labelledby="workers-title">
      <h1 id="workers-title">Workers</h1>
      <p className="lead">Workers stake ETH, bid on jobs with their keepers, and earn rewards for accepted results.</p>
      {address ? (
        <MyWorker address={address} />
      ) : (
        <p>Connect a wallet to register as a worker and manage your stake.</p>
      )}
      <h2>All workers</h2>
      {workers.error && <ErrorText error={workers.error} />}
      {workers.isLoading ? (
        <p className="loading">Loading workers…</p>
      ) : workers.data?.length ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Registered workers</caption>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Capabilities</th>
                <th scope="col">Stake</th>
                <th scope="col">Completed</th>
                <th scope="col">No-shows</th>
                <th scope="col">Disputes lost</th>
              </tr>
            </thead>
            <tbody>
              {workers.data.map((w) => (
                <tr key={w.address}>
                  <td>
                    <AddressText address={w.address} />
                    {sameAddress(w.address, address) && " (you)"}
                  </td>
                  <td>{w.capabilities.map(capabilityName).join(", ")}</td>
                  <td>{formatEther(w.stake)} ETH</td>
                  <td>{w.completed}</td>
                  <td>{w.noShows}</td>
                  <td>{w.disputesLost}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p>No workers yet.</p>
      )}
    </section>
  );
}

function MyWorker({ address }: { address: Address }) {
  const { chain, client, pollMs } = useBaton();
  const book = chain.addressBook;
  const me = useQuery({
    queryKey: ["worker", chain.chainId, address],
    queryFn: () =>
      readWorker(client, {
        market: book.jobMarket,
        worker: address,
        multicall: multicallOf(book),
      }),
    refetchInterval: pollMs * 3,
  });
  const allowed = useAllowedTokens();
  const now = useNow();
  const { send, busy } = useTransactor();
  const [caps, setCaps] = useState<string[]>(["wasm"]);
  const [metadata, setMetadata] = useState("");
  const [deposit, setDeposit] = useState("1");
  const [unbond, setUnbond] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const market = { address: book.jobMarket, abi: jobMarketAbi };

  if (me.error) return <ErrorText error={me.error} />;
  if (!me.data) return <p className="loading">Loading your worker…</p>;
  const w = me.data;
  const free = w.stake - w.locked;

  const register = (e: FormEvent) => {
    e.preventDefault();
    if (caps.length === 0) return setErrors({ caps: "Choose at least one capability." });
    if (new TextEncoder().encode(metadata).length > 256)
      return setErrors({ metadata: "The metadata URI may be at most 256 bytes." });
    setErrors({});
    void send({
      ...market,
      label: "Register as a worker",
      functionName: "register",
      args: [caps.map((c) => stringToHex(c, { size: 32 })), metadata],
    });
  };
  const depositStake = (e: FormEvent) => {
    e.preventDefault();
    const value = parseEth(deposit);
    if (!value) return setErrors({ deposit: "Enter an amount of ETH above zero, such as 1 or 0.5." });
    setErrors({});
    void send({ ...market, label: `Deposit ${formatEther(value)} ETH stake`, functionName: "depositStake", value });
  };
  const requestUnbond = (e: FormEvent) => {
    e.preventDefault();
    const value = parseEth(unbond);
    if (!value) return setErrors({ unbond: "Enter an amount of ETH above zero." });
    if (value > free) return setErrors({ unbond: `At most ${formatEther(free)} ETH of your stake is free.` });
    setErrors({});
    void send({ ...market, label: `Unbond ${formatEther(value)} ETH`, functionName: "requestUnbond", args: [value] });
  };

  return (
    <div className="card" aria-labelledby="me-title">
      <h2 id="me-title">Your worker</h2>
      {!w.registered ? (
        <form onSubmit={register} aria-label="Register as a worker">
          <fieldset>
            <legend>Capabilities</legend>
            {CAPABILITIES.map((c) => (
              <label key={c} className="check">
                <input
                  type="checkbox"
                  checked={caps.includes(c)}
                  onChange={(e) => setCaps(e.target.checked ? [...caps, c] : caps.filter((x) => x !== c))}
                />
                {c}
              </label>
            ))}
            {errors.caps && (
              <p className="error" role="alert">
                {errors.caps}
              </p>
            )}
          </fieldset>
          <Field
            label="Metadata URI"
            name="metadata"
            value={metadata}
            onChange={(e) => setMetadata(e.target.value)}
            error={errors.metadata}
            hint="Optional: where requesters learn about you"
          />
          <button type="submit" disabled={busy}>
            Register
          </button>
        </form>
      ) : (
        <>
          <dl className="stats">
            <Stat label="Stake">{formatEther(w.stake)} ETH</Stat>
            <Stat label="Locked in bonds">{formatEther(w.locked)} ETH</Stat>
            <Stat label="Free stake">{formatEther(free)} ETH</Stat>
            <Stat label="Completed jobs">{w.completed}</Stat>
            <Stat label="No-shows">{w.noShows}</Stat>
            <Stat label="Disputes lost">{w.disputesLost}</Stat>
          </dl>
          <div className="forms">
            <form onSubmit={depositStake} aria-label="Deposit stake">
              <Field
                label="Stake to deposit (ETH)"
                name="deposit"
                value={deposit}
                onChange={(e) => setDeposit(e.target.value)}
                error={errors.deposit}
                inputMode="decimal"
              />
              <button type="submit" disabled={busy}>
                Deposit stake
              </button>
            </form>
            <form onSubmit={requestUnbond} aria-label="Unbond stake">
              <Field
                label="Stake to unbond (ETH)"
                name="unbond"
                value={unbond}
                onChange={(e) => setUnbond(e.target.value)}
                error={errors.unbond}
                inputMode="decimal"
                hint="Withdrawable after the unbonding delay"
              />
              <button type="submit" disabled={busy}>
                Request unbond
              </button>
            </form>
          </div>
          {w.unbonding.amount > 0n && (
            <div className="unbonding">
              <p>
                Unbonding: <strong>{formatEther(w.unbonding.amount)} ETH</strong>
              </p>
              {now < w.unbonding.readyAt ? (
                <Countdown label="Withdrawable" at={w.unbonding.readyAt} now={now} />
              ) : (
                <button
                  type="button"
                  disabled={busy}
                  onClick={() =>
                    void send({ ...market, label: "Withdraw unbonded stake", functionName: "withdrawUnbonded" })
                  }
                >
                  Withdraw unbonded stake
                </button>
              )}
            </div>
          )}
        </>
      )}
      <h3>Earnings and credits</h3>
      <Withdraw
        tokens={[zeroAddress, ...(allowed.data ?? []).map((t) => t.address).filter((a) => a !== zeroAddress)]}
        showEarned
      />
    </div>
  );
}
