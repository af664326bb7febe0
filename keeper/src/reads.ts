// What the keeper reads of the chain's state each pass, batched in multicalls (never one request
// per job): its worker account, the state of every tracked job, and what housekeeping needs beyond
// the market (workflow steps, committee disputes). The planner (`plan.ts`) decides on the result.
import type { Chain, PublicClient, Transport } from "viem";
import { committeeArbiterAbi, jobMarketAbi, workflowOrchestratorAbi, workflowStatusNames, ZERO_HASH } from "@baton/sdk";
import type { KeeperConfig } from "./config.js";
import { S, type ChainJob, type Me, type StepView, type Terms } from "./plan.js";

type Client = PublicClient<Transport, Chain>;
type Address = `0x${string}`;

/** `IWorkflowOrchestrator.WorkflowStatus.Active`. */
const ACTIVE = workflowStatusNames.indexOf("Active");
/** Job states in which a workflow step's job may need `advance` to tell the orchestrator. */
const STEP_ENDINGS = new Set<number>([S.Settled, S.Refunded, S.Cancelled, S.Unfilled]);
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
/**
 * Calldata bytes of the calls one multicall request carries. viem's default (1,024) splits a pass
 * into one `eth_call` per 14 jobs; 16 KiB carries about 220 jobs' reads (≈ 72 bytes and ≈ 16k gas
 * a job: some 3.6M gas, well below a node's call gas cap).
 */
export const READ_BATCH_BYTES = 16_384;

/** A tracked job as the chain reports it now (the gas price is read once per pass, not per job). */
export type JobOnChain = { id: bigint; terms: Terms; chain: Omit<ChainJob, "gasPrice"> };

export type ReadsConfig = Pick<
  KeeperConfig,
  "market" | "multicall3" | "housekeeping" | "orchestrator" | "committeeArbiter"
>;

export class ChainReads {
  /** The committee's voting period, read once. */
  private votingPeriod: number | undefined;

  constructor(
    private readonly client: Client,
    private readonly cfg: ReadsConfig,
    private readonly address: Address,
  ) {}

  /** This keeper's worker account. */
  async me(): Promise<Me> {
    const w = await this.client.readContract({
      address: this.cfg.market as Address,
      abi: jobMarketAbi,
      functionName: "getWorker",
      args: [this.address],
    });
    return {
      address: this.address,
      registered: w.registered,
      stake: w.stake,
      locked: w.locked,
      completed: Number(w.completed),
    };
  }

  /**
   * The state of `jobs` at chain time `now`, in their order, in two multicall batches: state and
   * record, then this keeper's commitment where it holds a bid for the current round.
   */
  async jobs(
    jobs: readonly { id: bigint; terms: Terms }[],
    hasBid: (jobId: bigint, round: number) => boolean,
    now: number,
  ): Promise<JobOnChain[]> {
    if (jobs.length === 0) return [];
    const market = this.cfg.market as Address;
    const multicallAddress = this.cfg.multicall3 as Address | undefined;
    const first = await this.client.multicall({
      batchSize: READ_BATCH_BYTES,
      allowFailure: false,
      multicallAddress,
      contracts: jobs.flatMap((r) => [
        { address: market, abi: jobMarketAbi, functionName: "jobState", args: [r.id] } as const,
        { address: market, abi: jobMarketAbi, functionName: "getJob", args: [r.id] } as const,
      ]),
    });
    const read = jobs.map((r, i) => ({
      ...r,
      state: Number(first[2 * i]),
      job: first[2 * i + 1] as { round: number; winner: Address; revealDeadline: number; deadline: number },
    }));
    const withBids = read.filter((j) => hasBid(j.id, Number(j.job.round)));
    const commitments = withBids.length
      ? await this.client.multicall({
          batchSize: READ_BATCH_BYTES,
          allowFailure: false,
          multicallAddress,
          contracts: withBids.map(
            (j) =>
              ({
                address: market,
                abi: jobMarketAbi,
                functionName: "commitmentOf",
                args: [j.id, Number(j.job.round), this.address],
              }) as const,
          ),
        })
      : [];
    const commitmentOf = new Map(withBids.map((j, i) => [j.id, commitments[i] as Address]));
    const { steps, disputes } = await this.housekeeping(read);
    return read.map(({ id, terms, state, job }) => {
      const step = steps.get(id);
      const committee = disputes.get(id);
      return {
        id,
        terms,
        chain: {
          state,
          round: Number(job.round),
          winner: job.winner,
          now,
          revealDeadline: Number(job.revealDeadline),
          deadline: Number(job.deadline),
          myCommitment: commitmentOf.get(id) ?? ZERO_HASH,
          ...(step ? { step } : {}),
          ...(committee ? { committee } : {}),
        },
      };
    });
  }

  /**
   * What housekeeping needs beyond the market: the workflow step of each orchestrator job that
   * has ended or gone unfilled, and the committee's dispute of each job disputed under it.
   */
  private async housekeeping(jobs: { id: bigint; state: number; terms: Terms }[]) {
    const none = {
      steps: new Map<bigint, StepView>(),
      disputes: new Map<bigint, NonNullable<ChainJob["committee"]>>(),
    };
    if (!this.cfg.housekeeping) return none;
    const { orchestrator, committeeArbiter } = this.cfg;
    const stepJobs = orchestrator
      ? jobs.filter((j) => same(j.terms.requester, orchestrator) && STEP_ENDINGS.has(j.state)).map((j) => j.id)
      : [];
    const disputed = committeeArbiter
      ? jobs.filter((j) => j.state === S.Disputed && same(j.terms.arbiter, committeeArbiter)).map((j) => j.id)
      : [];
    if (disputed.length && this.votingPeriod === undefined) {
      this.votingPeriod = await this.client.readContract({
        address: committeeArbiter as Address,
        abi: committeeArbiterAbi,
        functionName: "votingPeriod",
      });
    }
    const [steps, disputes] = await Promise.all([
      this.jobSteps(stepJobs),
      this.committeeDisputes(disputed, this.votingPeriod ?? 0),
    ]);
    return { steps, disputes };
  }

  /** Steps as the orchestrator reports them, with whether their workflows are active, in one multicall. */
  async steps(steps: readonly { workflowId: bigint; step: number }[]): Promise<StepView[]> {
    if (steps.length === 0 || !this.cfg.orchestrator) return [];
    const address = this.cfg.orchestrator as Address;
    const results = await this.client.multicall({
      batchSize: READ_BATCH_BYTES,
      allowFailure: false,
      multicallAddress: this.cfg.multicall3 as Address | undefined,
      contracts: steps.flatMap((s) => [
        { address, abi: workflowOrchestratorAbi, functionName: "getStep", args: [s.workflowId, s.step] } as const,
        { address, abi: workflowOrchestratorAbi, functionName: "getWorkflow", args: [s.workflowId] } as const,
      ]),
    });
    return steps.map((s, i) => {
      const step = results[2 * i] as { status: number; attempts: number; jobId: bigint };
      const workflow = results[2 * i + 1] as { status: number };
      return {
        workflowId: s.workflowId,
        step: s.step,
        status: Number(step.status),
        attempts: Number(step.attempts),
        jobId: BigInt(step.jobId),
        workflowActive: Number(workflow.status) === ACTIVE,
      };
    });
  }

  /** The workflow steps of orchestrator jobs (`stepOfJob`), then their state; jobs of no step are left out. */
  private async jobSteps(jobIds: readonly bigint[]): Promise<Map<bigint, StepView>> {
    if (jobIds.length === 0 || !this.cfg.orchestrator) return new Map();
    const address = this.cfg.orchestrator as Address;
    const found = await this.client.multicall({
      batchSize: READ_BATCH_BYTES,
      allowFailure: false,
      multicallAddress: this.cfg.multicall3 as Address | undefined,
      contracts: jobIds.map(
        (id) => ({ address, abi: workflowOrchestratorAbi, functionName: "stepOfJob", args: [id] }) as const,
      ),
    });
    const owned = jobIds
      .map((id, i) => ({ id, result: found[i] as readonly [boolean, bigint, number] }))
      .filter((j) => j.result[0]);
    const views = await this.steps(owned.map((j) => ({ workflowId: j.result[1], step: Number(j.result[2]) })));
    return new Map(owned.map((j, i) => [j.id, views[i]]));
  }

  /** The committee's current dispute of each job, and when its voting ends, in one multicall. */
  private async committeeDisputes(
    jobIds: readonly bigint[],
    votingPeriod: number,
  ): Promise<Map<bigint, NonNullable<ChainJob["committee"]>>> {
    if (jobIds.length === 0 || !this.cfg.committeeArbiter) return new Map();
    const address = this.cfg.committeeArbiter as Address;
    const tallies = await this.client.multicall({
      batchSize: READ_BATCH_BYTES,
      allowFailure: false,
      multicallAddress: this.cfg.multicall3 as Address | undefined,
      contracts: jobIds.map(
        (id) => ({ address, abi: committeeArbiterAbi, functionName: "tally", args: [id] }) as const,
      ),
    });
    return new Map(
      jobIds.map((id, i) => {
        const t = tallies[i] as { openedAt: number; resolved: boolean };
        const openedAt = Number(t.openedAt);
        return [id, { openedAt, resolved: t.resolved, votingEnds: openedAt + votingPeriod }];
      }),
    );
  }
}
