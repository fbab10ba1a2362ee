// Unit tests (vitest + jsdom + testing-library). @grafana/* are inlined so Vite transforms their
// CSS imports and CommonJS named exports; tests/setup.ts provides the browser APIs jsdom lacks.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.{ts,tsx}'],
    setupFiles: ['tests/setup.ts'],
    testTimeout: 30000,
    // @grafana/ui takes most of the time to import; test files share it (each test sets the
    // Grafana services it uses in beforeEach, so nothing leaks between files).
    isolate: false,
    server: { deps: { inline: [/@grafana\//] } },
  },
  oxc: { jsx: { runtime: 'classic' } },
});
