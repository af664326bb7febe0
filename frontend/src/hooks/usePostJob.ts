// Posting a job from the post form: the pure check, then the checks that need the chain (the
// arbiter is a contract, the balance covers the reward), still before any transaction; then the
// terms as the market wants them, the approval a token reward needs, `postJob`, and the new job's id.
import { buildTerms, parseJobPosted, preparePostJob } from "@baton/sdk";
import { useState } from "react";
import { useConnection } from "wagmi";
import { getBlock } from "viem/actions";
import { useBaton } from "../BatonContext.tsx";
import { formatAmount, type TokenInfo } from "../lib/format.ts";
import { validatePost, type FormErrors, type PostFormValues, type ValidPost } from "../lib/postForm.ts";
import { approveIfNeeded, balanceIn, isContract } from "../tx/payment.ts";
import { useTransactor } from "../tx/TxProvider.tsx";

export type PostCheck = { ok: true; value: ValidPost } | { ok: false; errors: FormErrors };

export function usePostJob() {
  const { chain, client } = useBaton();
  const { address, chainId: walletChainId } = useConnection();
  const { send, busy } = useTransactor();
  const [checking, setChecking] = useState(false);
  const market = chain.addressBook.jobMarket;

  /** Every problem of the form, keyed to its field, or the job to post. */
  async function check(values: PostFormValues, token: TokenInfo): Promise<PostCheck> {
    const checked = validatePost(values, token.decimals, { defaultArbiter: chain.addressBook.committeeArbiter });
    if (!checked.ok) return checked;
    if (!address) return { ok: false, errors: { spec: "Connect a wallet to post a job." } };
    if (walletChainId !== chain.chainId)
      return { ok: false, errors: { spec: `Switch your wallet to ${chain.name} first.` } };
    const t = checked.value.terms;
    setChecking(true);
    try {
      const found: FormErrors = {};
      if (!(await isContract(client, t.arbiter))) {
        found.arbiter = "There is no contract at this arbiter address on this network.";
      }
      const balance = await balanceIn(client, t.token, address);
      if (balance < t.maxReward) {
        found.reward = `Your balance of ${formatAmount(balance, token)} does not cover a reward of ${formatAmount(t.maxReward, token)}.`;
      }
      if (Object.keys(found).length) return { ok: false, errors: found };
    } catch (error) {
      return { ok: false, errors: { spec: `Could not check the chain: ${(error as Error).message.split("\n")[0]}` } };
    } finally {
      setChecking(false);
    }
    return checked;
  }

  /**
   * Builds the terms (the market's current parameters), approves a token reward if needed, posts;
   * resolves with the job's id, or undefined. Throws when the terms cannot be built.
   */
  async function post({ spec, terms: t }: ValidPost, token: TokenInfo): Promise<bigint | undefined> {
    if (!address) return undefined;
    // The expiry counts from the chain's clock (the latest block), not the browser's.
    const now = Number((await getBlock(client, { blockTag: "latest" })).timestamp);
    const terms = await buildTerms(client, chain.addressBook, {
      requester: address,
      token: t.token,
      maxReward: t.maxReward,
      bond: t.bond,
      minStake: t.minStake,
      minCompleted: t.minCompleted,
      commitWindow: t.commitWindow,
      revealWindow: t.revealWindow,
      executionWindow: t.executionWindow,
      challengeWindow: t.challengeWindow,
      expiry: now + t.expirySeconds,
      pricing: t.pricing,
      arbiter: t.arbiter,
    });
    const approved = await approveIfNeeded(client, send, {
      token: t.token,
      owner: address,
      spender: market,
      amount: t.maxReward,
      label: `Approve ${formatAmount(t.maxReward, token)}`,
    });
    if (!approved) return undefined;
    const receipt = await send({ ...preparePostJob({ market, terms, spec }), label: "Post job" });
    if (!receipt) return undefined;
    return parseJobPosted(receipt, market)[0]?.jobId;
  }

  return { check, post, checking, busy, connected: !!address };
}
