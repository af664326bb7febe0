import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";
import globals from "globals";

// TypeScript linted with type information, each file through its nearest tsconfig (AssemblyScript aside).
const typedFiles = [
  "sdk/**/*.ts",
  "keeper/**/*.ts",
  "testkit/**/*.ts",
  "indexer/**/*.ts",
  "frontend/**/*.{ts,tsx}",
  "test/**/*.ts",
  "scripts/*.{ts,mts}",
  "ignition/**/*.ts",
  "hardhat.config.ts",
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "typechain-types/",
      "coverage/",
      "ignition/deployments/",
      "dist/",
      "frontend/dist/",
      "keeper/dist/",
      ".baton/",
      "indexer/.ponder/",
      "indexer/generated/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // The dApp runs in browsers; its config, tests and end-to-end harness run on Node.
    files: ["frontend/src/**/*.{ts,tsx}", "frontend/test/**/*.{ts,tsx}"],
    languageOptions: {
      globals: { ...globals.browser },
    },
  },
  {
    files: typedFiles,
    // AssemblyScript, compiled by asc, not tsc.
    ignores: ["keeper/wasm/**"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
    },
  },
  {
    files: ["frontend/src/**/*.{ts,tsx}"],
    ...reactHooks.configs.flat.recommended,
  },
);
