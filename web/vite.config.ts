import { defineConfig } from "vite";

// Built into web/dist; the server's build copies it beside the server binary (ui/) and serves it at /.
// No dev server proxying is configured: the app is always served by a GoDocker server (same origin as its API).
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    // Hashed names under assets/: the server marks them immutable; index.html is never cached.
    assetsDir: "assets",
  },
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
});
