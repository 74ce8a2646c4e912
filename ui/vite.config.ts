import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// `npm run dev` talks to a running `kiln serve`: set KILN_API to the URL it printed
// (without the token), e.g. KILN_API=http://127.0.0.1:4870 npm run dev, then open
// the dev server with the same `?token=…`.
const apiTarget = process.env.KILN_API ?? "http://127.0.0.1:4870";

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs so the same dist/ works under `kiln serve` and inside the Tauri webview.
  base: "./",
  server: {
    port: 5173,
    strictPort: false,
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
    },
    // The maps import the region lookup tables the engine shares, in ../assets/maps.
    fs: { allow: [".", "../assets"] },
  },
  worker: {
    format: "es",
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2500,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
