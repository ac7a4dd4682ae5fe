/** Providers and routes. Every route below the shell needs a signed-in user. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { Suspense } from "react";
import { BrowserRouter, Navigate, Route, Routes, useParams } from "react-router";
import { ApiError } from "../api/errors";
import { LoginPage, RequireAuth, useMe } from "../features/auth";
import { DesignerPage } from "../features/canvas";
import { EndpointPage, EndpointsPage } from "../features/endpoints";
import { ModelsPage } from "../features/models";
import { EnvironmentsPage } from "../features/environments";
import { PipelineEndpointPage, PipelineEndpointsPage } from "../features/published";
import { PipelineRunsPage, RunPage, WorkspaceRunsPage } from "../features/runs";
import { WorkspaceHome } from "../features/workspace";
import { ActivityPage } from "../features/activity";
import { RunComparePage } from "../features/runs/compare";
import { ComparePage, VersionPage } from "../features/versions";
import { SamplesPage } from "../features/samples";
import { ErrorBoundary } from "./ErrorBoundary";
import { DatasetsPage } from "./optional";
import { Shell } from "./Shell";
import { EmptyState, Loading } from "./States";
import { Toaster } from "./toasts-view";
import { useCurrentWorkspace } from "./workspaceStore";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      refetchOnWindowFocus: false,
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <ErrorBoundary>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route
              element={
                <RequireAuth>
                  <Shell />
                </RequireAuth>
              }
            >
              <Route index element={<HomeRedirect />} />
              <Route path="/w/:workspaceId" element={<WorkspaceHome />} />
              <Route path="/w/:workspaceId/runs" element={<WorkspaceRunsPage />} />
              <Route path="/w/:workspaceId/endpoints" element={<EndpointsPage />} />
              <Route path="/w/:workspaceId/models" element={<ModelsPage />} />
              <Route path="/w/:workspaceId/environments" element={<EnvironmentsPage />} />
              <Route path="/w/:workspaceId/endpoints/:endpointId" element={<EndpointPage />} />
              <Route path="/w/:workspaceId/pipeline-endpoints" element={<PipelineEndpointsPage />} />
              <Route path="/w/:workspaceId/pipeline-endpoints/:endpointId" element={<PipelineEndpointPage />} />
              <Route path="/pipelines/:pipelineId" element={<DesignerPage />} />
              <Route path="/pipelines/:pipelineId/runs" element={<PipelineRunsPage />} />
              <Route path="/pipelines/:pipelineId/versions/:number" element={<VersionPage />} />
              <Route path="/pipelines/:pipelineId/compare" element={<ComparePage />} />
              <Route path="/runs/compare" element={<RunComparePage />} />
              <Route path="/w/:workspaceId/activity" element={<ActivityPage />} />
              <Route path="/w/:workspaceId/samples" element={<SamplesPage />} />
              <Route path="/runs/:runId" element={<RunPage />} />
              <Route path="/datasets/*" element={<DatasetsRoute />} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </ErrorBoundary>
      </BrowserRouter>
      <Toaster />
    </QueryClientProvider>
  );
}

function HomeRedirect() {
  const me = useMe().data;
  const current = useCurrentWorkspace((s) => s.current);
  const workspaces = me?.workspaces ?? [];
  const target = workspaces.find((w) => w.id === current) ?? workspaces[0];
  if (!target) {
    return (
      <div className="page">
        <EmptyState title="You are not a member of any workspace yet">
          Ask a workspace owner to add you, or sign in to the admin site to create a workspace.
        </EmptyState>
      </div>
    );
  }
  return <Navigate to={`/w/${target.id}`} replace />;
}

function DatasetsRoute() {
  if (!DatasetsPage) {
    return (
      <div className="page">
        <EmptyState title="The datasets page is not part of this build yet">
          Datasets of your workspace are listed on its home page and in the designer's palette.
        </EmptyState>
      </div>
    );
  }
  return (
    <ErrorBoundary title="The datasets page stopped working">
      <Suspense fallback={<Loading label="Loading datasets…" />}>
        <DatasetsPage />
      </Suspense>
    </ErrorBoundary>
  );
}

function NotFound() {
  const params = useParams();
  return (
    <div className="page">
      <EmptyState title="Nothing here" action={<a className="btn" href="/">Go to your workspace</a>}>
        The address {params["*"] ? `“${params["*"]}” ` : ""}does not match a page of Tessera.
      </EmptyState>
    </div>
  );
}
