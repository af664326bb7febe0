// One workflow, live: the DAG coloured by step status (with the status written in each node and a
// legend), a table of steps, the budget (spent, refunded, still held), the event timeline, and the
// actions: advance a step, cancel (the requester), withdraw refunds.
import { jobStateNames, orchestratorCall, type WorkflowState } from "@baton/sdk";
import { useCallback, useMemo } from "react";
import { useConnection } from "wagmi";
import type { Address } from "viem";
import { useBaton } from "../BatonContext.tsx";
import type { WasmModule } from "../config/runtime.ts";
import { AddressText, BlockTime, ConfirmButton, ErrorText, Stat } from "../components/bits.tsx";
import { WorkflowGraph, type GraphStep } from "../components/WorkflowGraph.tsx";
import { NoOrchestrator, StepBadge, WorkflowBadge } from "../components/workflowBits.tsx";
import { useBlockTimes, useNow, useTokenInfo } from "../hooks/data.ts";
import { useOrchestrator, useOrchestratorCredit, useWorkflow } from "../hooks/workflows.ts";
import { formatAmount, sameAddress, type TokenInfo } from "../lib/format.ts";
import { tokenOf } from "../lib/market.ts";
import {
  canAdvance,
  describeEvent,
  STEP_STATUS,
  STEP_STATUSES,
  stepTitle,
  WORKFLOW_STATUS,
  type FinalOutput,
} from "../lib/workflowModel.ts";
import { Link } from "../router.tsx";
import { useTransactor } from "../tx/TxProvider.tsx";

export default function Workflow({ id }: { id: bigint }) {
  const orchestrator = useOrchestrator();
  if (!orchestrator) return <NoOrchestrator />;
  return <WorkflowView id={id} orchestrator={orchestrator} />;
}

/** A step's module for people: its name in the configuration, else the file name of its URI. */
function moduleLabel(modules: readonly WasmModule[], uri: string | undefined): string {
  if (!uri) return "";
  return (
    modules.find((m) => m.uri === uri)?.name ??
    uri
      .split("/")
      .pop()
      ?.replace(/\.wasm$/, "") ??
    "wasm"
  );
}

function WorkflowView({ id, orchestrator }: { id: bigint; orchestrator: Address }) {
  const query = useWorkflow(id);
  const { address } = useConnection();
  const { send, busy } = useTransactor();
  const data = query.data;
  const tokens = useTokenInfo(data ? [data.state.token] : []);
  const credit = useOrchestratorCredit(address, data?.state.token);
  const { chain } = useBaton();
  const modules = chain.wasmModules;
  const moduleName = useCallback((uri: string | undefined) => moduleLabel(modules, uri), [modules]);
  const times = useBlockTimes((data?.state.events ?? []).map((e) => e.blockNumber));
  const now = useNow();

  const graph: GraphStep[] = useMemo(
    () =>
      (data?.state.steps ?? []).map((s) => ({
        id: String(s.index),
        title: stepTitle(s),
        subtitle: s.spec?.kind === "wasm" ? moduleName(s.spec.module.uri) : s.spec?.kind,
        status: s.status,
        dependsOn: s.dependsOn.map(String),
      })),
    [data?.state.steps, moduleName],
  );

  if (query.error) return <ErrorText error={query.error} />;
  if (data === undefined) return <p className="loading">Loading workflow #{String(id)}…</p>;
  if (data === null) {
    return (
      <section>
        <h1>Workflow #{String(id)}</h1>
        <p>There is no workflow #{String(id)} on this network (yet).</p>
        <Link to="#/workflows">All workflows</Link>
      </section>
    );
  }
  const { state, balance, jobs, outputs } = data;
  const token = tokenOf(tokens.data, state.token);
  const money = (v: bigint) => formatAmount(v, token);
  const isRequester = sameAddress(address, state.requester);
  const settled = state.steps.filter((s) => s.status === "Settled").length;

  const advance = (step: number) =>
    void send({ ...orchestratorCall(orchestrator, "advance", [id, step]), label: `Advance step ${step + 1}` });

  return (
    <section aria-labelledby="wf-title">
      <div className="title-row">
        <h1 id="wf-title">Workflow #{String(id)}</h1>
        <WorkflowBadge status={state.status} />
      </div>
      <p className="hint">
        {state.status !== "None" && WORKFLOW_STATUS[state.status]} · {settled} of {state.steps.length} steps settled
      </p>
      <dl className="stats">
        <Stat label="Requester">
          <AddressText address={state.requester} />
        </Stat>
        <Stat label="Budget">{money(state.budget)}</Stat>
        <Stat label="Spent">{money(state.spent)}</Stat>
        <Stat label="Refunded">{money(state.refunded)}</Stat>
        <Stat label="Held for the steps">{money(balance)}</Stat>
        <Stat label="Retries per step">{state.maxRetries}</Stat>
      </dl>

      {(isRequester && state.status === "Active") || (credit.data ?? 0n) > 0n ? (
        <div className="actions">
          {isRequester && state.status === "Active" && (
            <ConfirmButton
              label="Cancel workflow"
              question="Cancel this workflow for good? No further step is posted; its jobs that have no bid yet are cancelled and the budget of every step not yet bid on is credited back to you. Jobs already bid on run to their end, and what they leave unspent is credited as it returns. This cannot be undone."
              confirmLabel="Yes, cancel the workflow"
              disabled={busy}
              onConfirm={() =>
                void send({
                  ...orchestratorCall(orchestrator, "cancel", [id]),
                  label: `Cancel workflow #${String(id)}`,
                })
              }
            />
          )}
          {(credit.data ?? 0n) > 0n && (
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void send({
                  ...orchestratorCall(orchestrator, "withdraw", [state.token]),
                  label: `Withdraw refund of ${money(credit.data!)}`,
                })
              }
            >
              Withdraw refund ({money(credit.data!)})
            </button>
          )}
        </div>
      ) : null}

      <FinalOutputCard outputs={outputs} />

      <div className="card">
        <h2>Graph</h2>
        <WorkflowGraph steps={graph} label={`Workflow #${String(id)} graph`} />
        <Legend />
      </div>

      <h2>Steps</h2>
      <StepTable state={state} jobs={jobs} token={token} busy={busy} onAdvance={advance} moduleName={moduleName} />

      <h2>Timeline</h2>
      <ol className="timeline" aria-label="Timeline">
        {state.events.map((e) => {
          const line = describeEvent(e, money, (i) => (state.steps[i] ? stepTitle(state.steps[i]) : `Step ${i + 1}`));
          return (
            <li key={`${e.blockNumber}-${e.logIndex}`}>
              <strong>{line.title}</strong>
              {line.detail && <span className="hint"> · {line.detail}</span>}
              <BlockTime block={e.blockNumber} time={times.get(e.blockNumber)} now={now} />
            </li>
          );
        })}
      </ol>
    </section>
  );
}

/** The workflow's output: the results of the steps nothing depends on, as they settle. */
function FinalOutputCard({ outputs }: { outputs: FinalOutput[] }) {
  return (
    <div className="card" role="region" aria-label="Final output">
      <h2>Final output</h2>
      {outputs.length > 1 && <p className="hint">The results of the {outputs.length} steps nothing depends on.</p>}
      {outputs.map(({ step, jobId, result }) => (
        <div key={step.index} className="result">
          <h3>
            {stepTitle(step)}
            {jobId !== undefined && (
              <small className="muted">
                {" "}
                · <Link to={`#/jobs/${jobId}`}>job #{String(jobId)}</Link>
              </small>
            )}
          </h3>
          {!result ? (
            <p className="hint">
              {step.status === "Settled"
                ? "Reading the result…"
                : `Not settled yet (${STEP_STATUS[step.status].label}).`}
            </p>
          ) : (
            <>
              {result.hashMatches ? (
                <p className="ok">Matches the result hash the orchestrator recorded.</p>
              ) : (
                <p className="error">
                  {result.uri ? `Stored at ${result.uri} (not checked here).` : `Hash check failed: ${result.problem}`}
                </p>
              )}
              {result.value !== undefined && (
                <pre className="code" aria-label={`Output of ${stepTitle(step)}`}>
                  {JSON.stringify(result.value, null, 2)}
                </pre>
              )}
            </>
          )}
        </div>
      ))}
    </div>
  );
}

export function Legend() {
  return (
    <ul className="wf-legend" aria-label="Step statuses">
      {STEP_STATUSES.map((s) => (
        <li key={s}>
          <span className={`wf-swatch status-${s}`} aria-hidden="true" />
          <strong>{STEP_STATUS[s].label}</strong>: {STEP_STATUS[s].meaning}
        </li>
      ))}
    </ul>
  );
}

function StepTable({
  state,
  jobs,
  token,
  busy,
  onAdvance,
  moduleName,
}: {
  state: WorkflowState;
  jobs: Map<bigint, { state: number }>;
  token: TokenInfo;
  busy: boolean;
  onAdvance: (step: number) => void;
  moduleName: (uri: string | undefined) => string;
}) {
  return (
    <div className="table-wrap">
      <table aria-label="Steps">
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Status</th>
            <th scope="col">Depends on</th>
            <th scope="col">Attempts</th>
            <th scope="col">Job</th>
            <th scope="col">Cap</th>
            <th scope="col">Price</th>
            <th scope="col">Result hash</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {state.steps.map((s) => {
            const jobId = s.jobIds.at(-1);
            const jobState = jobId !== undefined ? jobs.get(jobId)?.state : undefined;
            return (
              <tr key={s.index}>
                <th scope="row">
                  {stepTitle(s)}
                  <span className="hint">
                    {" "}
                    {s.spec?.kind === "wasm" ? moduleName(s.spec.module.uri) : s.spec?.kind}
                  </span>
                </th>
                <td>
                  <StepBadge status={s.status} />
                </td>
                <td>
                  {s.dependsOn.length
                    ? s.dependsOn.map((d) => (state.steps[d] ? stepTitle(state.steps[d]) : `Step ${d + 1}`)).join(", ")
                    : "—"}
                </td>
                <td>{s.attempts}</td>
                <td>
                  {jobId !== undefined ? (
                    <>
                      <Link to={`#/jobs/${jobId}`}>Job #{String(jobId)}</Link>
                      {jobState !== undefined && <span className="hint"> {jobStateNames[jobState]}</span>}
                    </>
                  ) : (
                    "—"
                  )}
                </td>
                <td>{formatAmount(s.maxReward, token)}</td>
                <td>{s.price !== undefined ? formatAmount(s.price, token) : "—"}</td>
                <td>
                  {s.resultHash ? (
                    <code className="hash" title={s.resultHash}>
                      {s.resultHash.slice(0, 10)}…
                    </code>
                  ) : (
                    "—"
                  )}
                </td>
                <td>
                  {canAdvance(s.status, jobState, state.status) && (
                    <button type="button" className="secondary" disabled={busy} onClick={() => onAdvance(s.index)}>
                      Advance step {s.index + 1}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
