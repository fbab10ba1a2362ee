// vitest setup: jest-dom matchers, the boot data @grafana/runtime expects from Grafana's
// index.html, and the browser APIs jsdom lacks that @grafana/ui touches (matchMedia for uPlot,
// canvas, IntersectionObserver/ResizeObserver for Select menus).
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Without vitest globals testing-library cannot register its own cleanup.
afterEach(cleanup);

(window as unknown as { grafanaBootData: unknown }).grafanaBootData = {
  assets: { dark: '', light: '' },
  settings: { featureToggles: {} },
  user: { theme: 'dark' },
  navTree: [],
};

if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }) as unknown as MediaQueryList;
}
HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];

class NoopObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
const g = globalThis as unknown as Record<string, unknown>;
g.IntersectionObserver ??= NoopObserver;
g.ResizeObserver ??= NoopObserver;
