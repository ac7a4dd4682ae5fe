// Vite builds the app into dist/ for Django to serve under /static/ (see designer/web/views.py).
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const backend = process.env.TESSERA_BACKEND ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/static/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 6000, // the lazily loaded Plotly chunk is ~5 MB; the main chunk stays small
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes("node_modules/@xyflow")) return "reactflow";
          if (id.includes("node_modules/react") || id.includes("node_modules/scheduler")) return "react";
          return undefined;
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      "/api": backend,
      "/ws": { target: backend.replace(/^http/, "ws"), ws: true },
      "/admin": backend,
    },
  },
});
