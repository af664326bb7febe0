import { createServer, type Server } from "node:http";
import { Counter, Gauge, Registry } from "prom-client";

/** Prometheus metrics of one keeper. */
export class Metrics {
  readonly registry = new Registry();
  readonly jobsSeen = new Counter({
    name: "baton_keeper_jobs_seen_total",
    help: "Jobs discovered from JobPosted logs",
    registers: [this.registry],
  });
  readonly decisions = new Counter({
    name: "baton_keeper_decisions_total",
    help: "Bid decisions",
    labelNames: ["decision"],
    registers: [this.registry],
  });
  readonly txSent = new Counter({
    name: "baton_keeper_tx_sent_total",
    help: "Transactions broadcast",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  readonly txMined = new Counter({
    name: "baton_keeper_tx_mined_total",
    help: "Transactions mined",
    labelNames: ["kind", "status"],
    registers: [this.registry],
  });
  readonly txSkipped = new Counter({
    name: "baton_keeper_tx_skipped_total",
    help: "Steps refused at simulation",
    labelNames: ["kind", "reason"],
    registers: [this.registry],
  });
  readonly txReplaced = new Counter({
    name: "baton_keeper_tx_replaced_total",
    help: "Fee-bumped replacements",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  readonly executions = new Counter({
    name: "baton_keeper_executions_total",
    help: "Executions finished",
    labelNames: ["kind", "outcome"],
    registers: [this.registry],
  });
  readonly rpcErrors = new Counter({
    name: "baton_keeper_rpc_errors_total",
    help: "Failed passes because of RPC errors",
    registers: [this.registry],
  });
  readonly reorgs = new Counter({
    name: "baton_keeper_reorgs_total",
    help: "Reorgs detected and rolled back",
    registers: [this.registry],
  });
  readonly syncedBlock = new Gauge({
    name: "baton_keeper_synced_block",
    help: "Last block whose logs are applied",
    registers: [this.registry],
  });
  readonly headBlock = new Gauge({
    name: "baton_keeper_head_block",
    help: "Chain head seen",
    registers: [this.registry],
  });
  readonly activeJobs = new Gauge({
    name: "baton_keeper_active_jobs",
    help: "Jobs tracked and not terminal",
    registers: [this.registry],
  });
  readonly upkeepChecks = new Counter({
    name: "baton_keeper_upkeep_checks_total",
    help: "Upkeep checks (checkUpkeep, checkLog, a due tick) by outcome",
    labelNames: ["upkeep", "outcome"],
    registers: [this.registry],
  });
  readonly upkeepPerforms = new Counter({
    name: "baton_keeper_upkeep_performs_total",
    help: "Upkeep performs queued, by the role this keeper performed under (holder, open, backup)",
    labelNames: ["upkeep", "role"],
    registers: [this.registry],
  });
  readonly upkeepIdle = new Counter({
    name: "baton_keeper_upkeep_idle_total",
    help: "Due upkeeps not performed, by reason (underfunded, gas-price-above-ceiling, target-reverts, grace)",
    labelNames: ["upkeep", "reason"],
    registers: [this.registry],
  });
  readonly upkeepBalance = new Gauge({
    name: "baton_keeper_upkeep_balance_wei",
    help: "Balance of each upkeep served, in wei (as a float)",
    labelNames: ["upkeep"],
    registers: [this.registry],
  });
  readonly leaseSteps = new Counter({
    name: "baton_keeper_lease_steps_total",
    help: "Lease auction steps queued (commit, reveal, close, forfeit)",
    labelNames: ["step"],
    registers: [this.registry],
  });
  readonly lastTick = new Gauge({
    name: "baton_keeper_last_tick_seconds",
    help: "Unix time of the last complete pass",
    registers: [this.registry],
  });
}

/** Serves /metrics and /healthz (200 while passes complete in time, 503 otherwise). */
export function serveMetrics(metrics: Metrics, port: number, healthy: () => boolean): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === "/metrics") {
      res.setHeader("content-type", metrics.registry.contentType);
      metrics.registry.metrics().then(
        (body) => res.end(body),
        (error: unknown) => {
          res.statusCode = 500;
          res.end(`${String(error)}\n`);
        },
      );
    } else if (req.url === "/healthz") {
      const ok = healthy();
      res.statusCode = ok ? 200 : 503;
      res.end(ok ? "ok\n" : "stale\n");
    } else {
      res.statusCode = 404;
      res.end("not found\n");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
