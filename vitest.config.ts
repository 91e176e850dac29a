import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The CLI tests spawn the built CLI; the suite stays well within CI's limits.
    testTimeout: 30_000,
    // Fail loudly on a stray focused test instead of silently running only it.
    allowOnly: false,
  },
});
