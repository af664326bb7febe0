import { QueryClient } from "@tanstack/react-query";
import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { createConfig, mock } from "wagmi";
import { connect, switchChain } from "wagmi/actions";
import { defineChain } from "viem";
import { useBaton } from "../src/BatonContext.tsx";
import { Providers } from "../src/Boot.tsx";
import { parseRuntimeConfig } from "../src/config/runtime.ts";
import { BOOK, FakeChain, REQUESTER } from "./helpers/fakeChain.ts";
import { testChain } from "./helpers/render.tsx";

const OTHER_CHAIN = 11155111;
const otherChain = defineChain({ ...testChain, id: OTHER_CHAIN, name: "Other chain" });
const runtime = parseRuntimeConfig({
  chains: [
    { chainId: 31337, name: "Test chain", rpcUrl: "http://127.0.0.1:1", addressBook: BOOK },
    {
      chainId: OTHER_CHAIN,
      name: "Other chain",
      rpcUrl: "http://127.0.0.1:1",
      addressBook: { ...BOOK, chainId: OTHER_CHAIN },
    },
  ],
});

function Shown() {
  const { chain, selectChain } = useBaton();
  return (
    <>
      <p aria-label="Chain shown">{chain.name}</p>
      <button type="button" onClick={() => selectChain(OTHER_CHAIN)}>
        Show the other chain
      </button>
    </>
  );
}

describe("the chain shown", () => {
  it("follows the wallet to another configured chain; a chain chosen by hand holds until the wallet moves", async () => {
    const fake = new FakeChain();
    const wagmi = createConfig({
      chains: [testChain, otherChain],
      connectors: [mock({ accounts: [REQUESTER] })],
      transports: { [testChain.id]: fake.transport(), [OTHER_CHAIN]: fake.transport() },
      pollingInterval: 60_000,
    });
    globalThis.localStorage.setItem("baton.chainId", String(OTHER_CHAIN));
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchInterval: false } } });
    render(
      <Providers runtime={runtime} wagmi={wagmi} queryClient={queryClient} pollMs={60_000}>
        <Shown />
      </Providers>,
    );
    const shown = () => screen.getByLabelText("Chain shown").textContent;
    expect(shown()).toBe("Other chain"); // the remembered choice, no wallet yet

    await act(() => connect(wagmi, { connector: wagmi.connectors[0]!, chainId: testChain.id }));
    expect(shown()).toBe("Test chain");

    await userEvent.click(screen.getByRole("button", { name: "Show the other chain" }));
    expect(shown()).toBe("Other chain");

    await act(() => switchChain(wagmi, { chainId: OTHER_CHAIN }));
    await act(() => switchChain(wagmi, { chainId: testChain.id }));
    expect(shown()).toBe("Test chain");
  });
});
