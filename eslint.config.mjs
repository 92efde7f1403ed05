// One lint configuration for the whole repository. Type-aware, so that switches over unions are
// checked for exhaustiveness, and with the module boundaries of DESIGN.md §1 enforced.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

const transportAndStorage = [
  {
    group: ["graphql", "graphql/*", "graphql-yoga", "graphql-ws", "graphql-ws/*", "@pothos/*"],
    message: "The engine and its pure modules know nothing of GraphQL (DESIGN.md §1).",
  },
  {
    group: ["@prisma/*", "**/generated/**", "better-sqlite3", "**/store/**"],
    message: "The engine and its pure modules reach storage only through ports (DESIGN.md §1).",
  },
];

const batonInternals = {
  group: ["**/baton/core/**", "**/baton/runtime/**"],
  message: "Outside the baton, only baton/index.ts is imported (DESIGN.md §1).",
};

// The pure core sees nothing but itself and the contracts below it.
const coreOnlyContracts = {
  regex: "^(?!\\./|\\.\\./\\.\\./contracts/)",
  message: "baton/core imports only contracts/ and itself (DESIGN.md §1).",
};

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "apps/web/out/**",
      "apps/server/src/generated/**",
      "data/**",
      "artifacts/**",
      ".tools/**",
      "apps/web/next-env.d.ts",
      "**/__snapshots__/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-floating-promises": "error",
    },
  },
  {
    files: ["**/*.mjs", "**/*.js", "**/*.cjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { ...globals.node },
    },
  },
  {
    files: [
      "apps/server/src/score/**/*.ts",
      "apps/server/src/baton/**/*.ts",
      "apps/server/src/validation/**/*.ts",
      "apps/server/src/prompt/**/*.ts",
    ],
    rules: { "no-restricted-imports": ["error", { patterns: transportAndStorage }] },
  },
  {
    files: ["apps/server/src/**/*.ts"],
    ignores: ["apps/server/src/baton/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [batonInternals] }] },
  },
  {
    files: ["apps/server/src/baton/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [...transportAndStorage, coreOnlyContracts] }],
    },
  },
  {
    files: ["apps/server/src/contracts/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["../**", "node:*"],
              message:
                "contracts/ sits at the bottom: it imports nothing but itself (DESIGN.md §1).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["apps/server/src/bus/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/baton/**"],
              message:
                "The bus carries committed events; it knows nothing of the baton (DESIGN.md §1).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["apps/server/src/graphql/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/baton/**"],
              message:
                "GraphQL calls the conductor and reads the store; it never reaches into the baton (DESIGN.md §1).",
            },
          ],
        },
      ],
    },
  },
);
