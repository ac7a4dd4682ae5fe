// Vite builds the app into dist/ for Django to serve under /static/ (see designer/web/views.py).
import react from "@vitejs/plugin-react";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vite";

const backend = process.env.TESSERA_BACKEND ?? "http://127.0.0.1:8000";

/**
 * Writes name.gz and name.br beside every script and stylesheet of the build. WhiteNoise sends them to
 * browsers that accept them; `make start` serves dist/ as it is (WhiteNoise's finders, no collectstatic
 * copy in between), so the compressed copies have to be made here. Node's zlib: no extra package.
 */
function precompress(): Plugin {
  return {
    name: "tessera-precompress",
    apply: "build",
    writeBundle(options, bundle) {
      const dir = options.dir ?? "dist";
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|svg|json)$/.test(name)) continue;
        const file = join(dir, name);
        const raw = readFileSync(file);
        if (raw.length < 1024) continue;
        writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }));
        const quality = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length };
        writeFileSync(`${file}.br`, brotliCompressSync(raw, { params: quality }));
      }
    },
  };
}

export default defineConfig({
  base: "/static/",
  plugins: [react(), precompress()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // Plotly's cartesian bundle (scatter, bar, heatmap: every trace designer/engine/figures.py and the
    // monitoring charts draw), ~1.5 MB, is loaded lazily on the first chart; the main chunk stays small.
    chunkSizeWarningLimit: 1600,
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
