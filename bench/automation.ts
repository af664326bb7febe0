// Automation benchmark: drives the automation registry on the in-process Hardhat network with the
// lean `AutomationCounter` as every upkeep's target and writes bench/results/automation.json and
// the automation section of docs/BENCHMARKS.md.
//
//   npx hardhat run bench/automation.ts        (or: npm run bench:automation)
//
// A perform's overhead is its transaction's `gasUsed` less the `targetGas` of its
// `UpkeepPerformed` event (what the call to the target used), the median over the steady-state
// performs (every round but the epoch's first, BENCH_ROUNDS − 1 of them). The lease auction's
// gas (every commit and reveal and the close) is amortized over 100 performs.
import { network } from "hardhat";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execSync } from "node:child_process";
import { deployAutomation } from "../test/helpers/automation";
import { KINDS, auctionTotal, measureAutomation, overheadOf, type AutomationGas, type Kind } from "./upkeeps";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const PERFORMS_PER_LEASE = 100;
const ROOT = path.join(__dirname, "..");
const RESULTS = path.join(__dirname, "results", "automation.json");
const DOC = path.join(ROOT, "docs", "BENCHMARKS.md");
const NAME = "automation";

/** Result keys: `time` is the cron upkeep ("* * * * *"), `interval` a 60-second interval. */
const KEY: Record<Kind, string> = { condition: "condition", interval: "interval", cron: "time", log: "log" };
const TARGETS: Record<string, number> = {
  "overhead.condition": 50_000,
  "overhead.time": 50_000,
  "overhead.interval": 50_000,
  "overhead.log": 60_000,
  leaseAmortizedPerPerform: 3_000,
};

function median(values: number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median overhead of each kind over the steady-state rounds (round 0 is the epoch's first). */
function overheads(performs: AutomationGas["leased"]): Record<string, number> {
  return Object.fromEntries(KINDS.map((k) => [KEY[k], median(performs[k].slice(1).map(overheadOf))]));
}

function medians(performs: AutomationGas["leased"]) {
  return Object.fromEntries(
    KINDS.map((k) => {
      const steady = performs[k].slice(1);
      return [
        KEY[k],
        {
          gasUsed: median(steady.map((p) => p.gasUsed)),
          targetGas: median(steady.map((p) => p.targetGas)),
          first: performs[k][0]!.gasUsed,
          samples: steady.length,
        },
      ];
    }),
  );
}

/**
 * The machine and versions behind the figures: the record `bench/gas.ts` writes, repeated here
 * because `hardhat run` loads scripts as CommonJS, which cannot `require` the ESM test kit.
 */
function machine() {
  const pkg = (name: string) => {
    try {
      const file = path.join(ROOT, "node_modules", name, "package.json");
      return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
    } catch {
      return "unknown";
    }
  };
  let commit = "unknown";
  try {
    commit = execSync("git rev-parse --short HEAD", { cwd: ROOT }).toString().trim();
    const dirty = execSync("git status --porcelain -- contracts hardhat.config.ts test/helpers/automation.ts bench", {
      cwd: ROOT,
    })
      .toString()
      .split("\n")
      // The results are this script's output, not what it measured.
      .filter((line) => line.trim() && !line.includes("bench/results/"));
    if (dirty.length) commit += "+uncommitted";
  } catch {
    /* not a git checkout */
  }
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    hardhat: pkg("hardhat"),
    solc: pkg("solc"),
    ethers: pkg("ethers"),
    network: network.name,
    hardfork: (network.config as { hardfork?: string }).hardfork ?? "default",
    commit,
  };
}

type Results = {
  generatedAt: string;
  machine: ReturnType<typeof machine>;
  method: string;
  overhead: Record<string, number>;
  overheadOpen: Record<string, number>;
  leaseAmortizedPerPerform: number;
  leaseAmortizedSingleUpkeep: number;
  leaseAmortizedOneBidder: number;
  targets: Record<string, number>;
  pass: Record<string, boolean>;
  performs: { leaseHolder: ReturnType<typeof medians>; openService: ReturnType<typeof medians> };
  leaseAuction: {
    batched: AutomationGas["auctionBatched"];
    threeBidders: AutomationGas["auction3"];
    oneBidder: AutomationGas["auction1"];
  };
  registerUpkeep: Record<string, number>;
};

const n = (x: number) => x.toLocaleString("en-US");

function table(head: string[], rows: (string | number)[][], right: boolean[]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(right.map((r) => (r ? "---:" : "---"))), ...rows.map(line)].join("\n");
}

function met(key: string, r: Results): string {
  if (r.pass[key]) return "yes";
  const value = key.startsWith("overhead.") ? r.overhead[key.slice("overhead.".length)]! : r.leaseAmortizedPerPerform;
  const miss = value - r.targets[key]!;
  return `**no**: +${n(Math.ceil(miss))} (+${((miss / r.targets[key]!) * 100).toFixed(1)}%)`;
}

function render(r: Results): string {
  const m = r.machine;
  const a3 = r.leaseAuction.threeBidders;
  const a1 = r.leaseAuction.oneBidder;
  const ab = r.leaseAuction.batched;
  const samples = r.performs.leaseHolder.condition!.samples;
  const out: string[] = [
    `Measured ${r.generatedAt.slice(0, 10)} at commit \`${m.commit}\` on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), ` +
      `${m.os}; Node ${m.node}, Hardhat ${m.hardhat}, solc ${m.solc}, ethers ${m.ethers}, in process (hardfork ` +
      `${m.hardfork}). Every target is \`AutomationCounter\`; each overhead is a perform transaction's \`gasUsed\` ` +
      `less its \`UpkeepPerformed\` event's \`targetGas\`, the median of ${samples} steady-state performs (the ` +
      "epoch's first perform left out). `time` is the cron upkeep `* * * * *`, `interval` a 60-second interval.",
    "",
    table(
      ["perform overhead, gas", "lease holder", "open service", "limit (lease holder)", "met?"],
      KINDS.map((k) => {
        const key = KEY[k];
        const target = r.targets[`overhead.${key}`];
        return [
          `\`overhead.${key}\``,
          n(r.overhead[key]!),
          n(r.overheadOpen[key]!),
          target ? `≤ ${n(target)}` : "",
          target ? met(`overhead.${key}`, r) : "",
        ];
      }),
      [false, true, true, true, false],
    ),
    "",
    table(
      [
        "lease auction, gas",
        `three bidders, ${ab.upkeeps} upkeeps a multicall (per upkeep)`,
        "three bidders, one upkeep",
        "one bidder, one upkeep",
      ],
      [
        [
          "commits",
          ab.commits.map((g) => n(Math.round(g / ab.upkeeps))).join(" + "),
          a3.commits.map(n).join(" + "),
          a1.commits.map(n).join(" + "),
        ],
        [
          "reveals",
          ab.reveals.map((g) => n(Math.round(g / ab.upkeeps))).join(" + "),
          a3.reveals.map(n).join(" + "),
          a1.reveals.map(n).join(" + "),
        ],
        ["`closeLease`", n(Math.round(ab.close / ab.upkeeps)), n(a3.close), n(a1.close)],
        ["**total**", n(Math.round(auctionTotal(ab) / ab.upkeeps)), n(auctionTotal(a3)), n(auctionTotal(a1))],
        [
          `per perform, over ${PERFORMS_PER_LEASE}`,
          `**${n(Math.round(r.leaseAmortizedPerPerform))}** (limit ≤ ${n(r.targets.leaseAmortizedPerPerform!)}: ` +
            `${met("leaseAmortizedPerPerform", r)})`,
          n(Math.round(r.leaseAmortizedSingleUpkeep)),
          n(Math.round(r.leaseAmortizedOneBidder)),
        ],
      ],
      [false, true, true, true],
    ),
    "",
    `\`leaseAmortizedPerPerform\` is the auction as keepers run it: each bidder sends its commits, its reveals ` +
      `and (the winner) its closes for many upkeeps in one \`multicall\` each (the keeper's sender bundles its ` +
      `lease steps), so the 21,000 base of a transaction is paid once for ${ab.upkeeps} upkeeps. An upkeep whose ` +
      `auction runs alone, with three bidders each sending a transaction per step, costs ` +
      `${n(Math.round(r.leaseAmortizedSingleUpkeep))} a perform over ${PERFORMS_PER_LEASE} ` +
      `(${n(auctionTotal(a3))} gas: six base costs of 21,000, a fresh slot of 22,100 per commitment and one for ` +
      `the epoch's lease, the bond locked and released in each bidder's worker slot).`,
    "",
    "Whole perform transactions (lease holder, steady state): " +
      KINDS.map((k) => `${KEY[k]} ${n(r.performs.leaseHolder[KEY[k]]!.gasUsed)}`).join(", ") +
      `, of which the counter's call ${n(r.performs.leaseHolder.condition!.targetGas)}. ` +
      "`registerUpkeep` (its forwarder deployed with it): " +
      KINDS.map((k) => `${KEY[k]} ${n(r.registerUpkeep[KEY[k]]!)}`).join(", ") +
      ".",
  ];
  if (!r.pass.leaseAmortizedPerPerform) {
    out.push("", "`leaseAmortizedPerPerform` is over its limit: see the auction's steps above for where it goes.");
  }
  for (const kind of KINDS) {
    if (!r.pass[`overhead.${KEY[kind]}`]) {
      out.push(
        "",
        `\`overhead.${KEY[kind]}\` is over its limit: see the gas snapshot and \`bench/trace.ts\` for where it goes.`,
      );
    }
  }
  return out.join("\n");
}

/** `doc` with the generated section replaced (or appended under `## heading` without markers). */
function replaceSection(doc: string, heading: string, body: string): string {
  const begin = `<!-- ${NAME}:begin (generated by \`npm run bench:${NAME}\` from bench/results/${NAME}.json; do not edit) -->`;
  const end = `<!-- ${NAME}:end -->`;
  const section = `${begin}\n\n${body.trim()}\n\n${end}`;
  const start = doc.indexOf(`<!-- ${NAME}:begin`);
  const stop = doc.indexOf(end);
  return start >= 0 && stop > start
    ? doc.slice(0, start) + section + doc.slice(stop + end.length)
    : `${doc.trimEnd()}\n\n## ${heading}\n\n${section}\n`;
}

async function main() {
  const f = await deployAutomation();
  const g = await measureAutomation(f, ROUNDS);
  const overhead = overheads(g.leased);
  const overheadOpen = overheads(g.open);
  const leaseAmortizedPerPerform = auctionTotal(g.auctionBatched) / g.auctionBatched.upkeeps / PERFORMS_PER_LEASE;
  const leaseAmortizedSingleUpkeep = auctionTotal(g.auction3) / PERFORMS_PER_LEASE;
  const leaseAmortizedOneBidder = auctionTotal(g.auction1) / PERFORMS_PER_LEASE;
  const value = (key: string) =>
    key === "leaseAmortizedPerPerform" ? leaseAmortizedPerPerform : overhead[key.slice("overhead.".length)]!;
  const results: Results = {
    generatedAt: new Date().toISOString(),
    machine: machine(),
    method:
      "AutomationCounter as every target. overhead.*: a perform transaction's gasUsed less its UpkeepPerformed " +
      `event's targetGas, the median over ${ROUNDS - 1} steady-state performs by the lease holder (the epoch's ` +
      "first left out); overheadOpen.*: the same by a keeper serving upkeeps without a lease. time: cron " +
      '"* * * * *"; interval: 60 s; log: a Ping log of the test target, performed the next block. ' +
      `leaseAmortizedPerPerform: the lease auction's gas per upkeep with three bidders bidding for ` +
      `${g.auctionBatched.upkeeps} upkeeps, each sending its commits and its reveals in one multicall, and the ` +
      `winner closing all the leases in one, / ${PERFORMS_PER_LEASE}; leaseAmortizedSingleUpkeep: one upkeep's ` +
      `auction with three bidders, a transaction per step (three commits, three reveals, closeLease) / ` +
      `${PERFORMS_PER_LEASE}; leaseAmortizedOneBidder: one upkeep, one bidder.`,
    overhead,
    overheadOpen,
    leaseAmortizedPerPerform,
    leaseAmortizedSingleUpkeep,
    leaseAmortizedOneBidder,
    targets: TARGETS,
    pass: Object.fromEntries(Object.entries(TARGETS).map(([k, max]) => [k, value(k) <= max])),
    performs: { leaseHolder: medians(g.leased), openService: medians(g.open) },
    leaseAuction: { batched: g.auctionBatched, threeBidders: g.auction3, oneBidder: g.auction1 },
    registerUpkeep: Object.fromEntries(KINDS.map((k) => [KEY[k], g.register[k]])),
  };
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  // The end-to-end figures come from `npm run bench:upkeeps` (real keepers on a node): kept.
  const previous = fs.existsSync(RESULTS)
    ? (JSON.parse(fs.readFileSync(RESULTS, "utf8")) as { endToEnd?: unknown })
    : {};
  fs.writeFileSync(
    RESULTS,
    JSON.stringify(previous.endToEnd ? { ...results, endToEnd: previous.endToEnd } : results, null, 2) + "\n",
  );
  console.log(`wrote ${RESULTS}`);
  fs.writeFileSync(DOC, replaceSection(fs.readFileSync(DOC, "utf8"), "Automation", render(results)));
  console.log(
    JSON.stringify(
      { overhead, overheadOpen, leaseAmortizedPerPerform, leaseAmortizedSingleUpkeep, leaseAmortizedOneBidder },
      null,
      2,
    ),
  );
  console.log(JSON.stringify(results.pass));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
