// One upkeep, live: why it is not performing right now (the sdk's `idleReasons` in words), its
// balance and how many performs it pays at today's gas price, the lease of this epoch and the next,
// its next tick or last perform, the owner's actions, and its perform history from the registry's
// `UpkeepPerformed` events.
import { nextTick, prepareAddFunds, prepareCancelUpkeep, prepareSetPaused, prepareWithdrawFunds } from "@baton/sdk";
import { useState, type FormEvent } from "react";
import { useConnection } from "wagmi";
import type { Address } from "viem";
import { AddressText, ConfirmButton, Countdown, ErrorText, Stat } from "../components/bits.tsx";
import { Field } from "../components/Field.tsx";
import { LeaseHolder, NoRegistry, UpkeepBadge } from "../components/upkeepBits.tsx";
import { WhyList } from "../components/WhyPanel.tsx";
import { useBaton } from "../BatonContext.tsx";
import {
  useAutomationParams,
  useAutomationRegistry,
  useCheckSimulation,
  usePerformHistory,
  useUpkeep,
} from "../hooks/automation.ts";
import { useBlockTimes, useNow } from "../hooks/data.ts";
import type { UpkeepDetail } from "../lib/automation.ts";
import { formatAmount, formatDuration, isZeroAddress, sameAddress } from "../lib/format.ts";
import { formatClock, formatWhen } from "../lib/time.ts";
import {
  cursorText,
  describeCheck,
  explainUpkeep,
  gwei,
  KIND_LABELS,
  triggerText,
  upkeepFigures,
} from "../lib/upkeepModel.ts";
import { checkDeposit } from "../lib/workerForm.ts";
import { Link } from "../router.tsx";
import { useTransactor } from "../tx/TxProvider.tsx";

export default function Upkeep({ id }: { id: bigint }) {
  const registry = useAutomationRegistry();
  if (!registry) return <NoRegistry />;
  return <UpkeepView id={id} registry={registry} />;
}

function UpkeepView({ id, registry }: { id: bigint; registry: Address }) {
  const { chain } = useBaton();
  const detail = useUpkeep(id);
  const params = useAutomationParams();
  const history = usePerformHistory(id);
  const now = useNow();
  const d = detail.data ?? undefined;
  const u = d?.upkeep;
  const simulation = useCheckSimulation(
    u?.kind === "condition" && u.status === "active" ? u.target : undefined,
    d?.checkData,
    params.data?.checkGasLimit,
  );
  const performs = history.data?.performs ?? [];
  const times = useBlockTimes(performs.map((p) => p.blockNumber));

  if (detail.error) return <ErrorText error={detail.error} />;
  if (params.error) return <ErrorText error={params.error} />;
  if (detail.data === undefined || !params.data) return <p className="loading">Loading upkeep #{String(id)}…</p>;
  if (!d || !u) {
    return (
      <section>
        <h1>Upkeep #{String(id)}</h1>
        <p>
          There is no upkeep #{String(id)} on {chain.name} (yet).
        </p>
        <Link to="#/upkeeps">All upkeeps</Link>
      </section>
    );
  }

  const last = performs.at(-1);
  const lastFailure =
    last && !last.success ? (history.data?.reasons.get(last.transactionHash) ?? "no reason given") : null;
  const figures = upkeepFigures({ upkeep: u, params: params.data, gasPrice: d.gasPrice, lease: d.lease });
  const why = explainUpkeep({
    upkeep: u,
    params: params.data,
    gasPrice: d.gasPrice,
    now,
    lease: d.lease,
    ...(simulation.data ? { check: simulation.data } : {}),
    lastFailure,
    money: (v) => formatAmount(v),
  });
  const timeTrigger = u.kind === "interval" || u.kind === "cron";
  const next = timeTrigger && u.status === "active" ? nextTick(u, now) : null;
  const epochEnds = (d.epoch + 1) * params.data.epoch;

  return (
    <section aria-labelledby="upkeep-title">
      <div className="title-row">
        <h1 id="upkeep-title">Upkeep #{String(id)}</h1>
        <UpkeepBadge status={u.status} />
      </div>
      {next !== null && <Countdown label="Next tick" at={Number(next)} now={now} />}
      {u.status !== "canceled" && (
        <div className="card why" role="region" aria-label="Why is it not performing?">
          <h2>Why it is not performing right now</h2>
          <WhyList items={why} />
        </div>
      )}
      <dl className="stats">
        <Stat label="Trigger">
          {KIND_LABELS[u.kind]}: {triggerText(u)}
        </Stat>
        <Stat label="Target">
          <AddressText address={u.target} />
        </Stat>
        <Stat label="Owner">
          <AddressText address={u.owner} />
        </Stat>
        <Stat label="Balance">{formatAmount(u.balance)}</Stat>
        <Stat label="Performs left at today's gas price">
          {figures.left === null ? "unlimited" : `about ${figures.left}`}{" "}
          <small className="muted">
            (up to {formatAmount(figures.cost)} each at {gwei(d.gasPrice < u.maxGasPrice ? d.gasPrice : u.maxGasPrice)})
          </small>
        </Stat>
        <Stat label={u.kind === "condition" || u.kind === "log" ? "Last check" : "Cursor"}>
          {cursorText(u, now, performs.length > 0)}
        </Stat>
        {u.kind === "condition" && simulation.data && (
          <Stat label="checkUpkeep now">{describeCheck(simulation.data).text}</Stat>
        )}
        <Stat label={`Lease of this epoch (#${d.epoch}, ends ${formatClock(epochEnds, now)})`}>
          <LeaseHolder lease={d.lease} />
        </Stat>
        {!isZeroAddress(d.nextLease.holder) && (
          <Stat label={`Lease of the next epoch (#${d.epoch + 1})`}>
            <LeaseHolder lease={d.nextLease} />
          </Stat>
        )}
        {d.dueReport > 0n && <Stat label="Reported due">in block {String(d.dueReport)}</Stat>}
      </dl>

      <OwnerActions detail={d} registry={registry} now={now} withdrawDelay={params.data.withdrawDelay} />

      <h2>Terms</h2>
      <dl className="terms">
        <Stat label="Perform gas limit">{u.performGasLimit.toLocaleString("en-US")}</Stat>
        <Stat label="Gas price ceiling">{gwei(u.maxGasPrice)}</Stat>
        <Stat label="Gas price now">{gwei(d.gasPrice)}</Stat>
        <Stat label="Maximum premium">{formatAmount(u.maxPremium)} per perform</Stat>
        <Stat label="Premium now">{formatAmount(figures.premium)} per perform</Stat>
        <Stat label="Forwarder">
          <AddressText address={u.forwarder} />
        </Stat>
        <Stat label="Epoch">{formatDuration(params.data.epoch)}</Stat>
      </dl>

      <h2>Performs</h2>
      {history.error && <ErrorText error={history.error} />}
      {history.isLoading ? (
        <p className="loading">Loading performs…</p>
      ) : performs.length === 0 ? (
        <p>No performs yet.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Perform history">
            <thead>
              <tr>
                <th scope="col">Block</th>
                <th scope="col">Keeper</th>
                <th scope="col">Result</th>
                <th scope="col">Target gas</th>
                <th scope="col">Cost</th>
                <th scope="col">Premium</th>
              </tr>
            </thead>
            <tbody>
              {[...performs].reverse().map((p) => (
                <tr key={`${p.transactionHash}-${p.trigger}`}>
                  <td>
                    {String(p.blockNumber)}
                    {times.has(p.blockNumber) && (
                      <small className="muted when"> · {formatWhen(times.get(p.blockNumber)!, now)}</small>
                    )}
                  </td>
                  <td>
                    <AddressText address={p.keeper} />
                  </td>
                  <td>
                    {p.success ? (
                      <span className="ok">Succeeded</span>
                    ) : (
                      <span className="error">
                        Failed: {history.data?.reasons.get(p.transactionHash) ?? "the target reverted"}
                      </span>
                    )}
                  </td>
                  <td>{p.targetGas.toLocaleString("en-US")}</td>
                  <td>{formatAmount(p.payment)}</td>
                  <td>{formatAmount(p.premium)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Add funds (anyone), and for the owner pause or resume, cancel, and withdraw once canceled. */
function OwnerActions({
  detail,
  registry,
  now,
  withdrawDelay,
}: {
  detail: UpkeepDetail;
  registry: Address;
  now: number;
  withdrawDelay: number;
}) {
  const { address } = useConnection();
  const { send, busy } = useTransactor();
  const [amount, setAmount] = useState("0.05");
  const [error, setError] = useState<string>();
  const u = detail.upkeep;
  const owner = sameAddress(u.owner, address);
  if (!address) return <p>Connect a wallet to fund this upkeep{u.status !== "canceled" ? " or manage it" : ""}.</p>;
  const label = `upkeep #${u.id}`;

  const addFunds = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkDeposit(amount);
    if ("error" in checked) return setError(checked.error);
    setError(undefined);
    void send({
      ...prepareAddFunds(registry, u.id, checked.value),
      label: `Add ${formatAmount(checked.value)} to ${label}`,
    });
  };

  return (
    <div className="card" role="group" aria-label="Actions">
      <h2>Actions</h2>
      {u.status !== "canceled" && (
        <form onSubmit={addFunds} aria-label="Add funds">
          <Field
            label="Funds to add (ETH)"
            name="addFunds"
            value={amount}
            onChange={(e) => (setAmount(e.target.value), setError(undefined))}
            error={error}
            inputMode="decimal"
            hint="Anyone may fund an upkeep"
          />
          <button type="submit" disabled={busy}>
            Add funds
          </button>
        </form>
      )}
      {owner && u.status !== "canceled" && (
        <div className="actions">
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void send({
                ...prepareSetPaused(registry, u.id, u.status === "active"),
                label: `${u.status === "active" ? "Pause" : "Resume"} ${label}`,
              })
            }
          >
            {u.status === "active" ? "Pause" : "Resume"}
          </button>
          <ConfirmButton
            label="Cancel upkeep"
            question={`Cancel ${label} for good? Nothing will be performed again; you can withdraw its balance ${formatDuration(withdrawDelay)} after cancelling.`}
            confirmLabel="Yes, cancel it"
            disabled={busy}
            onConfirm={() => void send({ ...prepareCancelUpkeep(registry, u.id), label: `Cancel ${label}` })}
          />
        </div>
      )}
      {owner && u.status === "canceled" && u.balance > 0n && (
        <div className="unbonding">
          <p>
            Balance to withdraw: <strong>{formatAmount(u.balance)}</strong>
          </p>
          {now < u.withdrawableAt ? (
            <Countdown label="Withdrawable" at={u.withdrawableAt} now={now} />
          ) : (
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void send({
                  ...prepareWithdrawFunds(registry, u.id, address),
                  label: `Withdraw ${formatAmount(u.balance)} from ${label}`,
                })
              }
            >
              Withdraw balance
            </button>
          )}
        </div>
      )}
      {u.status === "canceled" && u.balance === 0n && <p>Canceled; its balance was withdrawn.</p>}
      {!owner && u.status !== "canceled" && <p className="hint">Only its owner can pause, resume or cancel it.</p>}
      {u.status === "canceled" && u.withdrawableAt > 0 && owner && u.balance > 0n && now >= u.withdrawableAt && (
        <p className="hint">Canceled at {formatWhen(u.withdrawableAt - withdrawDelay, now)}.</p>
      )}
    </div>
  );
}
