/** Render a component as the app does: a fresh query cache (no retries) and a router at `route`. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router";

export function renderWithProviders(ui: ReactElement, { route = "/", path = "*" }: { route?: string; path?: string } = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[route]}>
        <Routes>
          <Route path={path} element={ui} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

/** A stand-in for plotly.js (jsdom cannot draw): records what it was asked to draw. */
export function fakePlotly() {
  const drawn: { data: unknown[]; layout: Record<string, unknown> }[] = [];
  return {
    drawn,
    react: async (_el: HTMLElement, data: unknown[], layout: Record<string, unknown>) => {
      drawn.push({ data, layout });
    },
    purge: () => undefined,
    Plots: { resize: () => undefined },
  };
}
