import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WorkflowGraph } from "../src/components/WorkflowGraph.tsx";

describe("workflow graph", () => {
  const env = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = env;
    vi.restoreAllMocks();
    document.head.querySelectorAll("style[data-test]").forEach((s) => s.remove());
  });

  it("draws without React Flow's development warnings", async () => {
    // React Flow warns only in development builds. As a browser would: lay the page out (happy-dom
    // has no layout) and apply the graph library's stylesheet, which the component imports.
    process.env.NODE_ENV = "development";
    vi.spyOn(HTMLElement.prototype, "offsetWidth", "get").mockReturnValue(800);
    vi.spyOn(HTMLElement.prototype, "offsetHeight", "get").mockReturnValue(320);
    vi.spyOn(Element.prototype, "getBoundingClientRect").mockReturnValue(new DOMRect(0, 0, 800, 320));
    const style = document.createElement("style");
    style.dataset.test = "xyflow";
    style.textContent = readFileSync(createRequire(import.meta.url).resolve("@xyflow/react/dist/style.css"), "utf8");
    document.head.append(style);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { container } = render(
      <WorkflowGraph
        label="graph"
        steps={[
          { id: "0", title: "Step 1", dependsOn: [] },
          { id: "1", title: "Step 2", status: "Posted", dependsOn: ["0"] },
        ]}
      />,
    );
    // The attribution check runs a second after the first render.
    await new Promise((r) => setTimeout(r, 1300));
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([]);
    expect(container.querySelector(".react-flow__attribution")).toBeTruthy();
  });
});
