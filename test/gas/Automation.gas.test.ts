import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as fs from "node:fs";
import * as path from "node:path";
import { coverageRun } from "../helpers/coverage";
import { deployAutomation } from "../helpers/automation";
import { KINDS, measureAutomation, type Kind } from "../../bench/upkeeps";

// Gas of the automation registry's steps, snapshotted like the market's (test/gas/snapshots.json):
// a step that grows more than TOLERANCE fails; UPDATE_GAS_SNAPSHOT=1 accepts a change. Performs are
// on the lean AutomationCounter, in the steady state (the second perform of the epoch or of the
// keeper). The cron figures use "* * * * *" and follow the cron library when it changes.
const SNAPSHOT_FILE = path.join(__dirname, "automation-snapshots.json");
const TOLERANCE = 0.005;

describe("AutomationRegistry gas", function () {
  (coverageRun ? it.skip : it)(
    "records gas per step and fails when a step grows more than 0.5% (skipped under coverage: instrumented gas)",
    async function () {
      const f = await loadFixture(deployAutomation);
      const g = await measureAutomation(f, 2);
      const perKind = (pick: (k: Kind) => number) => Object.fromEntries(KINDS.map((k) => [k, pick(k)]));
      const snapshot: Record<string, Record<string, number>> = {
        registerUpkeep: g.register,
        leaseHolderPerform: perKind((k) => g.leased[k][1]!.gasUsed),
        openServicePerform: perKind((k) => g.open[k][1]!.gasUsed),
        lease: {
          commitLease: g.auction3.commits[0]!,
          commitLeaseSecondBidder: g.auction3.commits[1]!,
          revealLease: g.auction3.reveals[0]!,
          revealLeaseOvertaking: g.auction3.reveals[1]!,
          revealLeaseLosing: g.auction3.reveals[2]!,
          closeLease: g.auction3.close,
        },
      };

      if (process.env.UPDATE_GAS_SNAPSHOT === "1" || !fs.existsSync(SNAPSHOT_FILE)) {
        fs.writeFileSync(SNAPSHOT_FILE, JSON.stringify(snapshot, null, 2) + "\n");
        return;
      }
      const recorded = JSON.parse(fs.readFileSync(SNAPSHOT_FILE, "utf8")) as typeof snapshot;
      for (const [scenario, steps] of Object.entries(snapshot)) {
        for (const [step, gas] of Object.entries(steps)) {
          const before = recorded[scenario]?.[step];
          expect(before, `${scenario}.${step} is missing from ${SNAPSHOT_FILE}`).to.not.equal(undefined);
          expect(gas, `${scenario}.${step} grew from ${before}`).to.be.at.most(Math.floor(before! * (1 + TOLERANCE)));
        }
      }
    },
  );
});
