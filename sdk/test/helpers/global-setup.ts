import type { TestProject } from "vitest/node";
import { hasArtifacts } from "@baton/testkit/artifacts";
import { startHardhatNode } from "@baton/testkit/devnet";

declare module "vitest" {
  export interface ProvidedContext {
    /** JSON-RPC URL of the run's Hardhat node, or null when there is no contract build to deploy. */
    rpcUrl: string | null;
  }
}

export default async function setup(project: TestProject) {
  if (!hasArtifacts) {
    project.provide("rpcUrl", null);
    return;
  }
  const node = await startHardhatNode();
  project.provide("rpcUrl", node.url);
  return () => node.stop();
}
