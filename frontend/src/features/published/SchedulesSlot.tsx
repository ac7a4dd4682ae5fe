/**
 * The slot for "Schedules & triggers" (the schedules feature's `SchedulesSection({endpointId})`): found by
 * path with import.meta.glob, like app/optional.tsx, so this page builds before and after that folder
 * lands, and shows it as soon as it does.
 */
import { lazy, Suspense, type ComponentType } from "react";
import { ErrorBoundary } from "../../app/ErrorBoundary";
import { Loading } from "../../app/States";

type Loader = () => Promise<Record<string, unknown>>;
const found = Object.values(import.meta.glob<Record<string, unknown>>("../schedules/index.{ts,tsx}"))[0] as Loader | undefined;

const SchedulesSection: ComponentType<{ endpointId: number }> | null = found
  ? lazy(async () => {
      const mod = await found();
      const component = mod.SchedulesSection as ComponentType<{ endpointId: number }> | undefined;
      if (!component) throw new Error("SchedulesSection is missing from the schedules feature's index.");
      return { default: component };
    })
  : null;

export function SchedulesSlot({ endpointId }: { endpointId: number }) {
  // ── Schedules & triggers ── mounted here once frontend/src/features/schedules exports SchedulesSection.
  if (!SchedulesSection) return null;
  return (
    <ErrorBoundary title="Schedules and triggers stopped working">
      <Suspense fallback={<Loading label="Loading schedules…" />}>
        <SchedulesSection endpointId={endpointId} />
      </Suspense>
    </ErrorBoundary>
  );
}
