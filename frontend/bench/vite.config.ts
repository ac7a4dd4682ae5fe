// The canvas benchmark's baseline (bench/canvas.py): a bare @xyflow/react page, built on its own into
// bench/dist so the app's build never carries it. Same React and React Flow as the app (this package's).
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
});
