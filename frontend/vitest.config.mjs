// Unit tests (vitest + jsdom + testing-library). @grafana/* are inlined so Vite transforms their
// CSS imports and CommonJS named exports; tests/setup.ts provides the browser APIs jsdom lacks.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.{ts,tsx}'],
    setupFiles: ['tests/setup.ts'],
    testTimeout: 30000,
    server: { deps: { inline: [/@grafana\//] } },
  },
  oxc: { jsx: { runtime: 'classic' } },
});
