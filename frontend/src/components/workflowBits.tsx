// Pieces shared by the workflow pages: the screen for a deployment without an orchestrator, and
// status badges that say their status in words (colour is never the only signal).
import type { StepStatusName, WorkflowStatusName } from "@baton/sdk";
import { useBaton } from "../BatonContext.tsx";
import { Link } from "../router.tsx";

export function NoOrchestrator() {
  const { chain } = useBaton();
  return (
    <section className="screen" aria-labelledby="no-orchestrator-title">
      <h1 id="no-orchestrator-title">Workflows aren't available on {chain.name}</h1>
      <p>
        This deployment has no workflow orchestrator: its address book names no <code>workflowOrchestrator</code>. Jobs
        can still be posted one by one.
      </p>
      <p>
        <Link to="#/post">Post a job</Link> · <Link to="#/jobs">Browse jobs</Link>
      </p>
    </section>
  );
}

export function StepBadge({ status }: { status: StepStatusName }) {
  return <span className={`badge wf-status status-${status}`}>{status}</span>;
}

export function WorkflowBadge({ status }: { status: WorkflowStatusName }) {
  return <span className={`badge wf-status wf-${status}`}>{status}</span>;
}
