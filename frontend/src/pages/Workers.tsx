// The workers: every registered worker with its stake and reputation, and the connected account's
// own worker (register, deposit stake, unbond and withdraw it, withdraw earnings).
import { marketCall, ZERO_ADDRESS } from "@baton/sdk";
import { useState, type FormEvent } from "react";
import { useConnection } from "wagmi";
import { formatEther, type Address } from "viem";
import { AddressText, Countdown, ErrorText, Stat } from "../components/bits.tsx";
import { Field } from "../components/Field.tsx";
import { Withdraw } from "../components/Withdraw.tsx";
import { useBaton } from "../BatonContext.tsx";
import { useAllowedTokens, useNow, useWorker, useWorkers } from "../hooks/data.ts";
import { sameAddress } from "../lib/format.ts";
import {
  CAPABILITIES,
  capabilityName,
  capabilityTags,
  checkDeposit,
  checkRegistration,
  checkUnbond,
} from "../lib/workerForm.ts";
import { useTransactor } from "../tx/TxProvider.tsx";

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
  const { chain } = useBaton();
  const me = useWorker(address);
  const allowed = useAllowedTokens();
  const now = useNow();
  const { send, busy } = useTransactor();
  const [caps, setCaps] = useState<string[]>(["wasm"]);
  const [metadata, setMetadata] = useState("");
  const [deposit, setDeposit] = useState("1");
  const [unbond, setUnbond] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const market = chain.addressBook.jobMarket;

  if (me.error) return <ErrorText error={me.error} />;
  if (!me.data) return <p className="loading">Loading your worker…</p>;
  const w = me.data;
  const free = w.stake - w.locked;

  const register = (e: FormEvent) => {
    e.preventDefault();
    const found = checkRegistration(caps, metadata);
    setErrors(found);
    if (Object.keys(found).length) return;
    void send({ ...marketCall(market, "register", [capabilityTags(caps), metadata]), label: "Register as a worker" });
  };
  const depositStake = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkDeposit(deposit);
    if ("error" in checked) return setErrors({ deposit: checked.error });
    const { value } = checked;
    setErrors({});
    void send({ ...marketCall(market, "depositStake", [], value), label: `Deposit ${formatEther(value)} ETH stake` });
  };
  const requestUnbond = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkUnbond(unbond, free);
    if ("error" in checked) return setErrors({ unbond: checked.error });
    const { value } = checked;
    setErrors({});
    void send({ ...marketCall(market, "requestUnbond", [value]), label: `Unbond ${formatEther(value)} ETH` });
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
                    void send({ ...marketCall(market, "withdrawUnbonded", []), label: "Withdraw unbonded stake" })
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
        tokens={[ZERO_ADDRESS, ...(allowed.data ?? []).map((t) => t.address).filter((a) => a !== ZERO_ADDRESS)]}
        showEarned
      />
    </div>
  );
}
