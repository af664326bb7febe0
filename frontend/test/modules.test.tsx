import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ConfigError, parseRuntimeConfig } from "../src/config/runtime.ts";
import { defaultValues } from "../src/lib/postForm.ts";
import { defaultModule, offeredModules } from "../src/lib/modules.ts";
import { emptyStep } from "../src/lib/workflowForm.ts";
import PostJob from "../src/pages/PostJob.tsx";
import WorkflowNew from "../src/pages/WorkflowNew.tsx";
import { FakeChain, REQUESTER, runtimeConfig } from "./helpers/fakeChain.ts";
import { renderWithChain } from "./helpers/render.tsx";

const mod = (name: string, testOnly?: boolean) => ({
  name,
  uri: `http://127.0.0.1:9/modules/${name}.wasm`,
  sha256: name.charCodeAt(0).toString(16).padStart(2, "0").repeat(32),
  ...(testOnly ? { testOnly } : {}),
});
// In the manifest's (alphabetical) order, as `npm run dev` lists them: a test module comes first.
const MODULES = [mod("hog", true), mod("merge"), mod("primes"), mod("spin", true), mod("split"), mod("wordfreq")];
const chainWith = (wasmModules: unknown[]) =>
  parseRuntimeConfig({ chains: runtimeConfig.chains.map((c) => ({ ...c, wasmModules })) }).chains[0]!;

describe("wasm modules offered", () => {
  it("leaves the test-only modules out and defaults to a module that works", () => {
    const chain = chainWith(MODULES);
    expect(offeredModules(chain.wasmModules).map((m) => m.name)).toEqual(["merge", "primes", "split", "wordfreq"]);
    expect(defaultModule(chain.wasmModules)?.name).toBe("wordfreq");
    expect(defaultValues(chain).moduleUri).toMatch(/wordfreq\.wasm$/);
    expect(emptyStep(chain).moduleUri).toMatch(/wordfreq\.wasm$/);
    expect(defaultModule([mod("hog", true), mod("matrix")])?.name).toBe("matrix");
    expect(defaultModule([mod("hog", true), mod("spin", true)])).toBeUndefined();
    expect(defaultValues(chainWith([mod("hog", true)])).moduleUri).toBe("");
  });

  it("reads the test-only mark and rejects a mark that is not a boolean", () => {
    expect(chainWith([mod("spin", true)]).wasmModules[0]!.testOnly).toBe(true);
    expect(chainWith([mod("wordfreq")]).wasmModules[0]!.testOnly).toBeUndefined();
    expect(() => chainWith([{ ...mod("spin"), testOnly: "yes" }])).toThrow(ConfigError);
    expect(() => chainWith([{ ...mod("spin"), testOnly: "yes" }])).toThrow(/testOnly must be true or false/);
  });

  it("offers no test module in the post form's picker and starts on wordfreq", async () => {
    await renderWithChain(<PostJob />, new FakeChain(), { account: REQUESTER, chain: { wasmModules: MODULES } });
    const picker = (await screen.findByLabelText("Module", { exact: true })) as HTMLSelectElement;
    const options = within(picker)
      .getAllByRole("option")
      .map((o) => o.textContent);
    expect(options).toEqual(["Other…", "merge", "primes", "split", "wordfreq"]);
    expect(picker.value).toBe("wordfreq");
    expect((screen.getByLabelText("Module URI") as HTMLInputElement).value).toMatch(/wordfreq\.wasm$/);
  });

  it("offers no test module in the workflow builder and starts on wordfreq", async () => {
    await renderWithChain(<WorkflowNew />, new FakeChain(), {
      account: REQUESTER,
      chain: {
        wasmModules: MODULES,
        addressBook: { ...runtimeConfig.chains[0]!.addressBook, workflowOrchestrator: REQUESTER },
      },
    });
    const picker = (await screen.findByLabelText("Module", { exact: true })) as HTMLSelectElement;
    expect(within(picker).queryByRole("option", { name: "hog" })).toBeNull();
    expect(within(picker).queryByRole("option", { name: "spin" })).toBeNull();
    expect(picker.value).toBe("wordfreq");
    fireEvent.change(picker, { target: { value: "primes" } });
    expect(picker.value).toBe("primes");
  });
});
