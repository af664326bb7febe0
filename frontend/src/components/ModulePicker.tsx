// Choosing one of the chain's known wasm modules by name ("Other…" for any URI), in the post form
// and in each workflow step. Test-only modules (they never produce a result) are not offered.
import type { WasmModule } from "../config/runtime.ts";
import { offeredModules } from "../lib/modules.ts";
import { Field } from "./Field.tsx";

export function ModulePicker({
  modules,
  name,
  chosen,
  error,
  onPick,
}: {
  modules: readonly WasmModule[];
  name: string;
  /** The chosen module's name, or "" for "Other…". */
  chosen: string;
  error?: string | undefined;
  /** The module picked, or undefined for "Other…". */
  onPick: (module: WasmModule | undefined) => void;
}) {
  return (
    <Field
      label="Module"
      name={name}
      value={chosen}
      error={error}
      onChange={(e) => onPick(modules.find((m) => m.name === e.target.value))}
    >
      <option value="">Other…</option>
      {offeredModules(modules).map((m) => (
        <option key={m.name} value={m.name}>
          {m.name}
        </option>
      ))}
    </Field>
  );
}
