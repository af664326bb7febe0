// What a job should do, as form fields: its kind, then the fields of that kind's spec (a wasm
// module and its input, an HTTP JSON fetch, or a contract call).
import type { ChangeEvent } from "react";
import { useBaton } from "../BatonContext.tsx";
import type { WasmModule } from "../config/runtime.ts";
import { KINDS, type Kind, type PostFormValues } from "../lib/postForm.ts";
import { Field, Radios } from "./Field.tsx";
import { ModulePicker } from "./ModulePicker.tsx";
import { offeredModules } from "../lib/modules.ts";

type FieldProps = {
  name: string;
  value: string;
  onChange: (e: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => void;
  error: string | undefined;
};

export function JobSpecFields({
  values,
  field,
  specError,
  onKind,
  onModule,
}: {
  values: PostFormValues;
  /** The name, value, change handler and error of a form field. */
  field: (name: keyof PostFormValues) => FieldProps;
  specError: string | undefined;
  onKind: (kind: Kind) => void;
  onModule: (module: WasmModule) => void;
}) {
  const { chain } = useBaton();
  return (
    <fieldset>
      <legend>What should be done</legend>
      <Radios
        label="Kind"
        name="kind"
        options={KINDS.map((k) => ({ value: k.kind, label: k.label }))}
        value={values.kind}
        onChange={onKind}
      />
      {values.kind === "wasm" && (
        <>
          {offeredModules(chain.wasmModules).length > 0 && (
            <ModulePicker
              modules={chain.wasmModules}
              name="module"
              chosen={offeredModules(chain.wasmModules).find((m) => m.uri === values.moduleUri)?.name ?? ""}
              onPick={(m) => m && onModule(m)}
            />
          )}
          <Field
            label="Module URI"
            {...field("moduleUri")}
            hint="http(s)://, ipfs://, data: or file: URI of the .wasm file"
          />
          <Field
            label="Module SHA-256"
            {...field("moduleSha256")}
            hint="64 lowercase hex characters"
            spellCheck={false}
          />
          <Field label="Input encoding" {...field("inputEncoding")}>
            <option value="utf8">Text (UTF-8)</option>
            <option value="json">JSON</option>
            <option value="base64">Base64</option>
          </Field>
          <Field label="Input" {...field("inputData")} multiline />
          <Field
            label="Time limit (ms)"
            {...field("timeoutMs")}
            inputMode="numeric"
            hint="Optional; keepers apply their own limit otherwise"
          />
        </>
      )}
      {values.kind === "http.json" && (
        <>
          <Field label="URL" {...field("url")} type="url" />
          <Field label="JSON path" {...field("jsonPath")} hint="For example $.data.amount" />
        </>
      )}
      {values.kind === "contract.call" && (
        <>
          <Field label="Chain id" {...field("callChainId")} inputMode="numeric" />
          <Field label="Contract address" {...field("callTo")} spellCheck={false} />
          <Field
            label="Function"
            {...field("signature")}
            hint='Human-readable, e.g. "function balanceOf(address) view returns (uint256)"'
          />
          <Field
            label="Arguments"
            {...field("args")}
            hint='A JSON array; integers as decimal strings, e.g. ["0x…", "100"]'
          />
        </>
      )}
      {specError && (
        <p className="error" role="alert">
          {specError}
        </p>
      )}
    </fieldset>
  );
}
